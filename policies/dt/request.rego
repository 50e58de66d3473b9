# The request decision: for one data request, allow or deny each category, with a reason code,
# a Dutch explanation and the legal basis of the processing activity (DESIGN.md §4, rules 1-7).
#
# Entry point: data.dt.request.decision
# Data: data.dt.register (activities), data.dt.catalogue (categories), data.dt.reference (roles, case
# states, reason texts, municipality -> region), data.dt.origin (statuses of the municipality of origin).
#
# A problem with the whole request (bad input, wrong requester, closed case, ...) is the `refusal` and
# applies to every category. Otherwise each category gets its first problem in the order of the rules
# below, or is allowed. `allow` is true when nothing refuses the request and at least one category is
# allowed. The checks are `else` chains: the first that holds gives the reason, so the most fundamental
# reason is reported. An allowed request costs one pass over its categories (see the performance notes
# below and in docs/POLICIES.md).
package dt.request

import rego.v1

register := data.dt.register

catalogue := data.dt.catalogue

reference := data.dt.reference

# ---------------------------------------------------------------------------------------------------
# Input shape. The enforcement point checks it too; the policy does not trust that it did.

# Rules that other rules test with `not` are always defined (a `default`): regopy does not remember an
# undefined result, so `not <undefined rule>` would evaluate that rule again at every use.
default input_complete := false

input_complete if {
	is_string(input.requester.role)
	is_string(input.requester.oin)
	is_string(input.responder.role)
	is_string(input.responder.oin)
	is_string(input.activity)
	is_array(input.categories)
	count(input.categories) > 0
	categories_all_strings
	is_string(input.case.state)
	is_string(input.case.region)
	origin_known
	municipality_well_formed
	input.case.consent in reference.consent_values
	input.case.risk in reference.risk_values
	is_boolean(input.case.detention_ended)
	input.exchange in {"request", "provide"}
}

# Which fields are wrong: only worked out when the input is incomplete, to explain the refusal.
required_paths := [
	["requester", "role"], ["requester", "oin"],
	["responder", "role"], ["responder", "oin"],
	["activity"], ["categories"],
	["case", "state"], ["case", "region"],
	["case", "consent"], ["case", "risk"], ["case", "detention_ended"],
	["exchange"],
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

# Possibly-missing input is read with object.get: `not f(x)` with x undefined is true in regopy and
# undefined in OPA.
# The municipality is a CBS code, or null while the origin is unknown (issue 16).
invalid_fields contains "case.municipality" if {
	not input_complete
	not municipality_well_formed
}

invalid_fields contains "case.origin" if {
	not input_complete
	not origin_known
}

invalid_fields contains "case.detention_ended" if {
	not input_complete
	not is_boolean(object.get(input, ["case", "detention_ended"], null))
}

invalid_fields contains "case.consent" if {
	not input_complete
	not object.get(input, ["case", "consent"], null) in reference.consent_values
}

invalid_fields contains "case.risk" if {
	not input_complete
	not object.get(input, ["case", "risk"], null) in reference.risk_values
}

invalid_fields contains "exchange" if {
	not input_complete
	not object.get(input, "exchange", null) in {"request", "provide"}
}

categories_well_formed if {
	is_array(input.categories)
	count(input.categories) > 0
	categories_all_strings
}

# Every element is a string. Not by a builtin's error (OPA with strict builtin errors raises it, where
# `opa test` and the OPA server make it undefined): the strings are counted against all elements.
categories_all_strings if count([c | some c in input.categories; is_string(c)]) == count(input.categories)

# The requested categories that are strings (a duplicate counts once).
categories := {c | some c in input.categories; is_string(c)}

# The activity's categories as a set, built once per request (for the set operations of rule 3).
activity_categories := {c | some c in register.activities[input.activity].categories}

state := reference.case_states[input.case.state]

# The status of the municipality of origin (issue 16). Absent means DJI named the municipality, as before
# the origin had a status; the municipality must then be a CBS code (municipality_well_formed).
# Only of an object: object.get on anything else is a builtin error, undefined in regopy and the OPA server
# but an error under strict builtin errors (the oracle), so a `case` of the wrong type leaves it undefined.
origin_status := object.get(input.case, "origin", "notified") if is_object(input.case)

default origin_known := false

origin_known if data.dt.origin.statuses[origin_status]

default origin_settled := false

origin_settled if data.dt.origin.statuses[origin_status].settled == true

default origin_unknown := false

origin_unknown if origin_status == "unknown"

default municipality_well_formed := false

municipality_well_formed if is_string(input.case.municipality)

municipality_well_formed if {
	origin_unknown
	object.get(input.case, "municipality", null) == null
}

# Why a request to a municipality waits while the origin is not settled: the status's own reason.
unsettled_origin_reason := r if {
	r := data.dt.origin.statuses[origin_status].reason
} else := "policy_data_incomplete"

default consent_given := false

consent_given if input.case.consent == "yes"

default risk_signalled := false

risk_signalled if input.case.risk == "signalled"

is_municipal(role) if role in reference.municipal_roles

# ---------------------------------------------------------------------------------------------------
# Problems with the whole request (rules 1 and 7), the first that holds.

default refusal_reason := null

refusal_reason := "invalid_input" if {
	not input_complete
} else := "unknown_role" if {
	not input.requester.role in reference.roles
} else := "unknown_role" if {
	not input.responder.role in reference.roles
} else := "unknown_activity" if {
	not register.activities[input.activity]
} else := "exchange_not_activity" if {
	# Purpose binding: a request is decided only under an activity that requests, a provision (the
	# handover) only under one that provides. An activity without a direction is denied per category below.
	register.activities[input.activity].direction != input.exchange
} else := "unknown_case_state" if {
	not state
} else := "policy_data_incomplete" if {
	# Data the rules below need to deny; the hub checks it against a schema at load, this is the backstop.
	not reference.municipal_roles
} else := "privacy_officer_no_content" if {
	"privacy_officer" in {input.requester.role, input.responder.role}
} else := "requester_not_coordinator" if {
	input.requester.role != "zvh_coordinator"
} else := "case_closed" if {
	# Positive: only a state that says it is open is open.
	not state_open
} else := "wrong_region" if {
	object.get(input.requester, "region", null) != input.case.region
} else := "case_region_mismatch" if {
	not case_region_matches
}

default state_open := false

state_open if state.open == true

default case_region_matches := false

case_region_matches if reference.municipality_regions[input.case.municipality] == input.case.region

# With the origin unknown the case went to the ZVH of the prison's region: there is no municipality to match.
case_region_matches if origin_unknown

refused := refusal_reason != null

# ---------------------------------------------------------------------------------------------------
# Problems per category (rules 2-6), the first that holds.
#
# Performance notes (regopy; measurements in docs/POLICIES.md). Every expression costs a few
# microseconds, so: what is the same for every category is worked out once per request (shared,
# asks_holder, consent_given, risk_signalled); rule 3 is a set operation; the rest is one pass over the
# requested categories of the activity (`category_reasons`) with one catalogue lookup each. Data is
# indexed only in rule bodies and comprehensions, never by a function argument (regopy then scans the
# collection), and a data collection is never passed whole to a builtin such as object.get (regopy
# then copies it).

# Problems that hold for every category of this request alike, in rule order.
shared_reason := unsettled_origin_reason if {
	# Issue 16: a request to (or a handover to) a municipality waits while the municipality of origin is
	# unknown or disputed; the coordinator determines it first.
	is_municipal(input.responder.role)
	not origin_settled
} else := "not_municipality_of_origin" if {
	# Rule 2: a municipality answers only for its own residents.
	asks_holder
	is_municipal(input.responder.role)
	object.get(input.responder, "municipality", null) != input.case.municipality
} else := "responder_other_region" if {
	# A responder bound to a region (police unit, municipality) answers only for cases of that region.
	asks_holder
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

# "request": the coordinator asks a holder; "provide": the coordinator passes on what it gathered. An
# activity with neither direction asks nobody and provides nothing: its categories are denied.
direction := register.activities[input.activity].direction

default asks_holder := false

asks_holder if direction == "request"

default provides := false

provides if direction == "provide"

# The reason a known category of the activity is denied, or null when it is allowed. It gets the
# category's catalogue entry and refers to the per-request facts (asks_holder, shared, consent_given,
# risk_signalled) by rule: those are worked out once per request.
category_reason(info) := "wrong_holder" if {
	# Rule 2: a category is asked of the partner that holds it. A handover ("provide") passes on what
	# the coordinator gathered; the receiver is checked by the handover rule.
	asks_holder
	not input.responder.role in info.holders
} else := shared if {
	shared != null
} else := "special_category_needs_consent" if {
	# Rule 4: special categories (health, AVG art. 9) need consent.
	info.sensitivity == "special"
	not consent_given
} else := "risk_not_signalled" if {
	# Rule 5: the police are asked for a risk clarification only when a safety risk was signalled.
	info.requires_signalled_risk == true
	not risk_signalled
} else := null if {
	# The allow-list: a category is allowed only when every fact it is decided by is known and permits
	# it. A missing or unknown holder list, sensitivity, risk flag or direction ends below, denied.
	holder_ok(info)
	sensitivity_ok(info)
	risk_ok(info)
} else := "policy_data_incomplete"

# Rule 2, positively: a handover passes on what the coordinator gathered (the category must still name
# its holders); a request asks the holder.
holder_ok(info) if {
	provides
	info.holders
}

holder_ok(info) if {
	asks_holder
	input.responder.role in info.holders
}

# Rule 4, positively: a known sensitivity, and consent for a special category.
sensitivity_ok(info) if info.sensitivity in {"personal", "criminal", "police"}

sensitivity_ok(info) if {
	info.sensitivity == "special"
	consent_given
}

# Rule 5, positively: the risk flag is a boolean, and when set, the risk was signalled.
risk_ok(info) if info.requires_signalled_risk == false

risk_ok(info) if {
	info.requires_signalled_risk == true
	risk_signalled
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

# Rule 3 for all requested categories at once: a category must belong to the activity (set operations,
# no pass over the categories).
requested_in_activity := categories & activity_categories

requested_outside_activity := categories - activity_categories

# Each requested category of the activity that the catalogue knows, with its first problem under rules
# 2, 4 and 5, or null: one pass, one catalogue lookup per category.
category_reasons := {c: reason |
	some c in requested_in_activity
	info := catalogue.categories[c]
	reason := category_reason(info)
}

# The requested categories outside the activity that the catalogue knows (rule 3).
not_in_activity := {c | some c in requested_outside_activity; catalogue.categories[c]}

# The requested categories the catalogue does not know (the first reason of all). A category in the
# activity's list but not in the catalogue can only come from a faulty register: it is denied too.
unknown_categories := (requested_outside_activity - not_in_activity) | (
	requested_in_activity - object.keys(category_reasons)
)

# Only the allow-list clause of category_reason gives null; any other outcome (a reason, or undefined,
# which makes the category unknown) denies.
allowed contains c if {
	not refused
	some c, reason in category_reasons
	reason == null
}

denied[c] := refusal if {
	refused
	some c in categories
}

denied[c] := {"reason": reason, "explanation": explain(reference.reasons[reason], catalogue.categories[c].name)} if {
	not refused
	some c, reason in category_reasons
	reason != null
}

denied[c] := {"reason": reason, "explanation": explain(reference.reasons[reason], catalogue.categories[c].name)} if {
	not refused
	some c in not_in_activity
	reason := "category_not_in_activity"
}

denied[c] := {"reason": "unknown_category", "explanation": explain(reference.reasons.unknown_category, c)} if {
	not refused
	some c in unknown_categories
}

# The Dutch explanation of a denial: the reason's text and the category's Dutch name. The reason's entry
# is looked up by the caller (a rule body): a function never indexes data by its argument.
explain(reason_text, name) := concat("", [reason_text.explanation, " (", name, ")."])

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
	"id": a.id,
	"version": a.version,
	"name": a.name,
	"legal_basis": a.legal_basis_text,
	"retention_days": a.retention_days,
	"confidentiality": a.confidentiality,
} if {
	a := register.activities[input.activity]
}

decision := {
	"allow": allow,
	"allowed": allowed,
	"denied": denied,
	"refusal": refusal,
	"activity": activity_ref,
	"invalid_fields": invalid_fields,
}
