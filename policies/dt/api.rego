# API access: which role may call which operation (docs/ARCHITECTURE.md, "Policy").
#
# Entry point: data.dt.api.decision
# Input: {"role": "<role>", "operation": "<operation>"}
package dt.api

import rego.v1

operations := {
	"notification.create": {"dji"},
	"case.list": {"zvh_coordinator"},
	"case.read": {"zvh_coordinator"},
	"case.transition": {"zvh_coordinator"},
	"request.create": {"zvh_coordinator"},
	"request.list": {"zvh_coordinator"},
	"request.read": {"zvh_coordinator"},
	"inbox.list": responders,
	"inbox.read": responders,
	"answer.submit": responders,
	"handover.create": {"zvh_coordinator"},
	"handover.acknowledge": {"municipal_social"},
	"audit.query": {"privacy_officer"},
	"audit.integrity": {"privacy_officer"},
	"audit.access_report": {"privacy_officer"},
	"audit.report": {"privacy_officer"},
}

responders := {"dji", "municipal_social", "municipal_security", "police", "probation"}

default allow := false

allow if input.role in operations[input.operation]

reason := "invalid_input" if not is_string(input.role)

reason := "invalid_input" if {
	is_string(input.role)
	not is_string(input.operation)
}

reason := "unknown_role" if {
	is_string(input.role)
	is_string(input.operation)
	not input.role in data.dt.reference.roles
}

reason := "unknown_operation" if {
	input.role in data.dt.reference.roles
	is_string(input.operation)
	not operations[input.operation]
}

reason := "role_not_permitted" if {
	input.role in data.dt.reference.roles
	operations[input.operation]
	not allow
}

default reason := null

decision := {"allow": allow, "reason": reason, "rule": "dt.api.allow"}
