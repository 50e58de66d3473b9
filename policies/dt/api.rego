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
	"origin.determine": {"zvh_coordinator"},
	"origin.contest": {"municipal_social"},
	"audit.query": {"privacy_officer"},
	"audit.integrity": {"privacy_officer"},
	"audit.access_report": {"privacy_officer"},
	"audit.report": {"privacy_officer"},
	# Anonymous statistics only (hub.monitoring): never a case, a request, an answer or the log.
	"monitor.read": {"region_analyst"},
}

responders := {"dji", "municipal_social", "municipal_security", "police", "probation"}

# Possibly-missing input is read with object.get: `not f(x)` with x undefined is true in regopy and
# undefined in OPA, so a missing field would give the two engines different reasons.
role := object.get(input, "role", null)

operation := object.get(input, "operation", null)

default allow := false

allow if role in operations[operation]

reason := "invalid_input" if not is_string(role)

reason := "invalid_input" if {
	is_string(role)
	not is_string(operation)
}

reason := "unknown_role" if {
	is_string(role)
	is_string(operation)
	not role in data.dt.reference.roles
}

reason := "unknown_operation" if {
	role in data.dt.reference.roles
	is_string(operation)
	not operations[operation]
}

reason := "role_not_permitted" if {
	role in data.dt.reference.roles
	operations[operation]
	not allow
}

default reason := null

decision := {"allow": allow, "reason": reason, "rule": "dt.api.allow"}
