# The request decision: for one data request, allow or deny each category, with a reason code,
# a Dutch explanation and the legal basis of the processing activity (DESIGN.md §4, rules 1-7).
#
# Entry point: data.dt.request.decision
# Data: data.dt.register (activities), data.dt.catalogue (categories), data.dt.reference (roles, case
# states, reason texts, municipality -> region).
#
# A problem with the whole request (bad input, wrong requester, closed case, ...) is the `refusal` and
# applies to every category. Otherwise each category gets its first problem in the order of the rules
# below, or is allowed. `allow` is true when nothing refuses the request and at least one category is
# allowed. The checks are `else` chains: the first that holds gives the reason, so the most fundamental
# reason is reported, and an allowed request costs one pass over its categories.
package dt.request

import rego.v1

register := data.dt.register

catalogue := data.dt.catalogue

reference := data.dt.reference

# ---------------------------------------------------------------------------------------------------
# Input shape. The enforcement point checks it too; the policy does not trust that it did.

input_complete if {
	is_string(input.requester.role)
	is_string(input.requester.oin)
	is_string(input.responder.role)
	is_string(input.responder.oin)
	is_string(input.activity)
	is_array(input.categories)
	count(input.categories) > 0
	count(categories_listed) == count(input.categories)
	is_string(input.case.state)
	is_string(input.case.region)
	is_string(input.case.municipality)
	input.case.consent in reference.consent_values
	input.case.risk in reference.risk_values
	is_boolean(input.case.detention_ended)
}

# Which fields are wrong: only worked out when the input is incomplete, to explain the refusal.
required_paths := [
	["requester", "role"], ["requester", "oin"],
	["responder", "role"], ["responder", "oin"],
	["activity"], ["categories"],
	["case", "state"], ["case", "region"], ["case", "municipality"],
	["case", "consent"], ["case", "risk"], ["case", "detention_ended"],
]

invalid_fields contains concat(".", path) if {
	not input_complete
	some path in required_paths
	object.get(input, path, null) == null
}

invalid_fields contains "categories" if {
	not input_complete
	not categories_well_formed
}

invalid_fields contains "case.detention_ended" if {
	not input_complete
	not is_boolean(input.case.detention_ended)
}

invalid_fields contains "case.consent" if {
	not input_complete
	not input.case.consent in reference.consent_values
}

invalid_fields contains "case.risk" if {
	not input_complete
	not input.case.risk in reference.risk_values
}

categories_well_formed if {
	is_array(input.categories)
	count(input.categories) > 0
	count(categories_listed) == count(input.categories)
}

# The requested categories that are strings (a duplicate counts once).
categories := {c | some c in input.categories; is_string(c)}

categories_listed := [c | some c in input.categories; is_string(c)]

activity := register.activities[input.activity]

state := reference.case_states[input.case.state]

consent_given if input.case.consent == "yes"

risk_signalled if input.case.risk == "signalled"

is_municipal(role) if role in reference.municipal_roles

# ---------------------------------------------------------------------------------------------------
# Problems with the whole request (rules 1 and 7), the first that holds.

refusal_reason := "invalid_input" if {
	not input_complete
} else := "unknown_role" if {
	not input.requester.role in reference.roles
} else := "unknown_role" if {
	not input.responder.role in reference.roles
} else := "unknown_activity" if {
	not activity
} else := "unknown_case_state" if {
	not state
} else := "privacy_officer_no_content" if {
	"privacy_officer" in {input.requester.role, input.responder.role}
} else := "requester_not_coordinator" if {
	input.requester.role != "zvh_coordinator"
} else := "case_closed" if {
	state.open == false
} else := "wrong_region" if {
	object.get(input.requester, "region", null) != input.case.region
} else := "case_region_mismatch" if {
	object.get(reference.municipality_regions, input.case.municipality, null) != input.case.region
}

refused if refusal_reason

# ---------------------------------------------------------------------------------------------------
# Problems per category (rules 2-6), the first that holds.
#
# Performance note (regopy): indexing data with a function argument makes regopy scan the collection,
# so the per-category function gets the category's catalogue entry and plain facts as arguments.

# Problems that hold for every category of this request alike, in rule order.
shared_reason := "not_municipality_of_origin" if {
	# Rule 2: a municipality answers only for its own residents.
	activity.direction == "request"
	is_municipal(input.responder.role)
	object.get(input.responder, "municipality", null) != input.case.municipality
} else := "responder_other_region" if {
	# A responder bound to a region (police unit, municipality) answers only for cases of that region.
	activity.direction == "request"
	object.get(input.responder, "region", null) != null
	input.responder.region != input.case.region
} else := "detention_not_ended" if {
	# Rule 6: handover only once detention has ended ...
	input.activity == "handover"
	input.case.detention_ended != true
} else := "handover_not_to_origin" if {
	# ... and only to the social domain of the municipality of origin.
	input.activity == "handover"
	not handover_to_origin
} else := no_consent_reason if {
	# Rule 4: help is voluntary.
	not consent_permits
}

default shared := null

shared := shared_reason

facts := {
	"asks_holder": activity.direction == "request",
	"responder_role": input.responder.role,
	"consent_given": input.case.consent == "yes",
	"risk_signalled": input.case.risk == "signalled",
	"shared": shared,
}

activity_index := {c: true | some c in activity.categories}

category_reason(info, in_activity, f) := "unknown_category" if {
	info == null
} else := "category_not_in_activity" if {
	# Rule 3: a category must belong to the activity.
	not in_activity
} else := "wrong_holder" if {
	# Rule 2: a category is asked of the partner that holds it. A handover ("provide") passes on what
	# the coordinator gathered; the receiver is checked by the handover rule.
	f.asks_holder
	not f.responder_role in info.holders
} else := f.shared if {
	f.shared != null
} else := "special_category_needs_consent" if {
	# Rule 4: special categories (health, AVG art. 9) need consent.
	info.sensitivity == "special"
	not f.consent_given
} else := "risk_not_signalled" if {
	# Rule 5: the police are asked for a risk clarification only when a safety risk was signalled.
	info.requires_signalled_risk == true
	not f.risk_signalled
}

handover_to_origin if {
	input.responder.role == "municipal_social"
	object.get(input.responder, "municipality", null) == input.case.municipality
}

no_consent_reason := "no_consent_no_risk" if input.activity == "risk_assessment"

no_consent_reason := "no_consent" if input.activity != "risk_assessment"

# With consent every activity may go on.
consent_permits if consent_given

# Before the weighing nobody has asked the person yet (consent "unknown"): screening and enrichment
# run in parallel with the prison visit (werkproces D&T §3.1). A "no" stops that at once.
consent_permits if {
	input.case.consent == "unknown"
	state.before_weighing == true
}

# Without consent only a risk assessment goes on, and only when a safety risk was signalled.
consent_permits if {
	input.activity == "risk_assessment"
	risk_signalled
}

# ---------------------------------------------------------------------------------------------------
# The decision.

category_reasons := {c: reason |
	some c in categories
	info := object.get(catalogue.categories, c, null)
	reason := category_reason(info, object.get(activity_index, c, false), facts)
}

allowed contains c if {
	not refused
	some c in categories_listed
	not category_reasons[c]
}

denied[c] := refusal if {
	refused
	some c in categories
}

denied[c] := {"reason": reason, "explanation": text} if {
	not refused
	some c, reason in category_reasons
	name := object.get(catalogue.categories, c, {"name": c}).name
	text := concat("", [reference.reasons[reason].explanation, " (", name, ")."])
}

default allow := false

allow if {
	not refused
	count(allowed) > 0
}

default refusal := null

refusal := {"reason": refusal_reason, "explanation": refusal_explanation} if refused

# concat, not sprintf: regopy's sprintf quotes a string made by concat without escaping it.
refusal_explanation := concat("", [
	reference.reasons.invalid_input.explanation,
	": ontbrekend of ongeldig veld ",
	concat(", ", sort(invalid_fields)),
	".",
]) if {
	refusal_reason == "invalid_input"
} else := concat("", [reference.reasons[refusal_reason].explanation, "."])

default activity_ref := null

activity_ref := {
	"id": activity.id,
	"version": activity.version,
	"name": activity.name,
	"legal_basis": activity.legal_basis_text,
	"retention_days": activity.retention_days,
	"confidentiality": activity.confidentiality,
}

decision := {
	"allow": allow,
	"allowed": allowed,
	"denied": denied,
	"refusal": refusal,
	"activity": activity_ref,
	"invalid_fields": invalid_fields,
}
