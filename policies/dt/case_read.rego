# The coordinator's own reads of case content (finding H3): the identifying data and DJI's information sheet,
# decided per category by rules 1, 3, 4 and 7 (DESIGN.md §4), with the hub (DJI's data) as the source.
#
# Entry point: data.dt.case_read.decision. Input: {"requester": {role, oin, region}, "categories": [...],
# "case": {state, region, municipality, consent, risk, ...}}. "identity" is the identifying data (needed by
# every activity); the other categories are the information sheet's basic conditions (catalogue ids).
# The result has the shape of the request decision, so the enforcement point checks it the same way.
# The activity (and so the legal basis) is chosen here, never by the caller.
package dt.case_read

import rego.v1

register := data.dt.register

catalogue := data.dt.catalogue

reference := data.dt.reference

default input_complete := false

input_complete if {
	is_string(input.requester.role)
	is_string(input.requester.oin)
	is_array(input.categories)
	count(input.categories) > 0
	count([c | some c in input.categories; is_string(c)]) == count(input.categories)
	is_string(input.case.state)
	is_string(input.case.region)
	input.case.consent in reference.consent_values
	input.case.risk in reference.risk_values
}

categories := {c | some c in input.categories; is_string(c)}

state := reference.case_states[input.case.state]

default state_open := false

state_open if state.open == true

default consent_given := false

consent_given if input.case.consent == "yes"

default risk_signalled := false

risk_signalled if input.case.risk == "signalled"

# Rule 4: help is voluntary. With consent, or before the weighing while nobody has asked yet, the
# coordinator works on re-integration; without it only a signalled risk may be weighed.
default help_permitted := false

help_permitted if consent_given

help_permitted if {
	input.case.consent == "unknown"
	state.before_weighing == true
}

read_activity := "reintegration" if {
	help_permitted
} else := "risk_assessment" if {
	risk_signalled
}

default has_activity := false

has_activity if register.activities[read_activity]

# Rules 1 and 7, and rule 4 for the whole read; the first that holds.
default refusal_reason := null

refusal_reason := "invalid_input" if {
	not input_complete
} else := "unknown_case_state" if {
	not state
} else := "requester_not_coordinator" if {
	input.requester.role != "zvh_coordinator"
} else := "case_closed" if {
	not state_open
} else := "wrong_region" if {
	object.get(input.requester, "region", null) != input.case.region
} else := "no_consent" if {
	not has_activity
}

refused := refusal_reason != null

activity_categories := {c | some c in register.activities[read_activity].categories}

# Per category (rules 3 and 4), an allow-list: null (allowed) only when the positive conditions hold.
category_reason(c) := null if {
	c == "identity"
} else := "unknown_category" if {
	not catalogue.categories[c]
} else := "category_not_in_activity" if {
	not c in activity_categories
} else := "special_category_needs_consent" if {
	catalogue.categories[c].sensitivity == "special"
	not consent_given
} else := null if {
	catalogue.categories[c].sensitivity in {"personal", "criminal", "police"}
} else := null if {
	catalogue.categories[c].sensitivity == "special"
	consent_given
} else := "policy_data_incomplete"

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
	a := register.activities[read_activity]
}

decision := {
	"allow": allow,
	"allowed": allowed,
	"denied": denied,
	"refusal": refusal,
	"activity": activity_ref,
}
