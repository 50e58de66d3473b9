# Reading the text of DJI's risk notices (Pbw art. 18b, BIJ): a disclosure under `risk_assessment` (issue 16).
#
# A notice goes to the mayor of the person's municipality. When the mayor has mandated the region's Zorg- en
# Veiligheidshuis (the registry records it per municipality; the hub stores it on the notice as `mandated`),
# the ZVH's coordinator receives it on the person's case; otherwise the municipality's security domain does,
# and the coordinator sees only that a notice exists. Nobody else reads the text.
#
# Entry point: data.dt.notice_read.decision. Input: {"requester": {role, oin, region, municipality},
# "categories": ["risk_notices"], "notice": {kind, municipality, region, mandated}, "case": {state, region, ...}}.
# The result has the shape of the request decision, so the enforcement point checks it the same way.
package dt.notice_read

import rego.v1

register := data.dt.register

catalogue := data.dt.catalogue

reference := data.dt.reference

activity_id := "risk_assessment"

notice_kinds := {"18b", "bij"}

readers := {"zvh_coordinator", "municipal_security"}

default input_complete := false

input_complete if {
	is_string(input.requester.role)
	is_string(input.requester.oin)
	is_array(input.categories)
	count(input.categories) > 0
	count([c | some c in input.categories; is_string(c)]) == count(input.categories)
	input.notice.kind in notice_kinds
	is_string(input.notice.municipality)
	is_string(input.notice.region)
	is_boolean(input.notice.mandated)
	is_string(input.case.state)
	is_string(input.case.region)
}

categories := {c | some c in input.categories; is_string(c)}

state := reference.case_states[input.case.state]

default state_open := false

state_open if state.open == true

default mandated := false

mandated if input.notice.mandated == true

requester_region := object.get(input.requester, "region", null)

requester_municipality := object.get(input.requester, "municipality", null)

# The coordinator reads a notice only in its own region, on an open case, and only when the mayor mandated the ZVH.
coordinator_refusal := "wrong_region" if {
	requester_region != input.notice.region
} else := "wrong_region" if {
	requester_region != input.case.region
} else := "case_closed" if {
	not state_open
} else := "notice_not_mandated" if {
	not mandated
}

# The security domain reads only its own municipality's notices, and only those the mayor did not mandate away.
security_refusal := "notice_other_municipality" if {
	requester_municipality != input.notice.municipality
} else := "notice_mandated_to_zvh" if {
	mandated
}

default refusal_reason := null

refusal_reason := "invalid_input" if {
	not input_complete
} else := "unknown_case_state" if {
	not state
} else := "notice_reader_not_permitted" if {
	not input.requester.role in readers
} else := coordinator_refusal if {
	input.requester.role == "zvh_coordinator"
	is_string(coordinator_refusal)
} else := security_refusal if {
	input.requester.role == "municipal_security"
	is_string(security_refusal)
}

refused := refusal_reason != null

activity_categories := {c | some c in register.activities[activity_id].categories}

# A notice carries one category; nothing else is read through this rule.
category_reason(c) := "unknown_category" if {
	not catalogue.categories[c]
} else := "category_not_in_activity" if {
	not c in activity_categories
} else := "category_not_in_activity" if {
	c != "risk_notices"
} else := null

reasons := {c: category_reason(c) | some c in categories}

allowed contains c if {
	not refused
	some c, reason in reasons
	reason == null
}

denied[c] := refusal if {
	refused
	some c in categories
}

denied[c] := {"reason": reason, "explanation": concat("", [reference.reasons[reason].explanation, " (", name, ")."])} if {
	not refused
	some c, reason in reasons
	reason != null
	name := object.get(catalogue.categories, [c, "name"], c)
}

default allow := false

allow if {
	not refused
	count(allowed) > 0
}

default refusal := null

refusal := {"reason": refusal_reason, "explanation": concat("", [reference.reasons[refusal_reason].explanation, "."])} if refused

default activity_ref := null

activity_ref := {
	"id": a.id,
	"version": a.version,
	"name": a.name,
	"legal_basis": a.legal_basis_text,
	"retention_days": a.retention_days,
	"confidentiality": a.confidentiality,
} if {
	not refused
	a := register.activities[activity_id]
}

decision := {
	"allow": allow,
	"allowed": allowed,
	"denied": denied,
	"refusal": refusal,
	"activity": activity_ref,
}
