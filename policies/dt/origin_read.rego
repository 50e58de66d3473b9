# What the determined municipality's social domain sees of a determination of origin (issue 16; second reader's
# finding): the prison and the date detention started, category `detention` (criminal data, AVG art. 10), from
# DJI's notification. A disclosure under `reintegration` (Pbw art. 18a with Pm art. 20d: DJI informs the
# municipality of origin of a detention), decided per case and logged by the hub.
#
# Only the social domain of the municipality the case names now, in the case's region, on an open case whose
# origin the coordinator determined (or that municipality contested), and, as help is voluntary (rule 4), only
# with the person's consent or before the weighing while nobody has asked yet. Nothing but `detention`.
#
# Entry point: data.dt.origin_read.decision. Input: {"requester": {role, oin, region, municipality},
# "categories": ["detention"], "case": {state, region, municipality, origin, consent, risk, ...}}.
# The result has the shape of the request decision, so the enforcement point checks it the same way.
package dt.origin_read

import rego.v1

register := data.dt.register

catalogue := data.dt.catalogue

reference := data.dt.reference

activity_id := "reintegration"

readable_categories := {"detention"}

determined_origins := {"determined", "disputed"}

default input_complete := false

input_complete if {
	is_string(input.requester.role)
	is_string(input.requester.oin)
	is_array(input.categories)
	count(input.categories) > 0
	count([c | some c in input.categories; is_string(c)]) == count(input.categories)
	is_string(input.case.state)
	is_string(input.case.region)
	is_string(input.case.origin)
	input.case.consent in reference.consent_values
}

categories := {c | some c in input.categories; is_string(c)}

state := reference.case_states[input.case.state]

default state_open := false

state_open if state.open == true

# Rule 4: help is voluntary. With consent, or before the weighing while nobody has asked yet.
default help_permitted := false

help_permitted if input.case.consent == "yes"

help_permitted if {
	input.case.consent == "unknown"
	state.before_weighing == true
}

requester_region := object.get(input.requester, "region", null)

requester_municipality := object.get(input.requester, "municipality", null)

case_municipality := object.get(input.case, "municipality", null)

default refusal_reason := null

refusal_reason := "invalid_input" if {
	not input_complete
} else := "unknown_case_state" if {
	not state
} else := "origin_reader_not_permitted" if {
	input.requester.role != "municipal_social"
} else := "case_closed" if {
	not state_open
} else := "wrong_region" if {
	requester_region != input.case.region
} else := "origin_not_determined" if {
	not input.case.origin in determined_origins
} else := "not_municipality_of_origin" if {
	requester_municipality != case_municipality
} else := "no_consent" if {
	not help_permitted
}

refused := refusal_reason != null

activity_categories := {c | some c in register.activities[activity_id].categories}

category_reason(c) := "unknown_category" if {
	not catalogue.categories[c]
} else := "category_not_in_activity" if {
	not c in activity_categories
} else := "category_not_in_activity" if {
	not c in readable_categories
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
