# Unit tests of the request decision, for `opa test policies/` (the project's pytest suite checks the same
# rules through the real engine with the decision vectors in tests/policy/vectors.py).
package dt.request_test

import rego.v1

import data.dt.request

base := {
	"exchange": "request",
	"requester": {"role": "zvh_coordinator", "oin": "00000001001", "region": "gooi-en-vechtstreek"},
	"responder": {
		"role": "municipal_social", "oin": "00000001002",
		"municipality": "GM0402", "region": "gooi-en-vechtstreek",
	},
	"activity": "reintegration",
	"categories": ["housing", "income"],
	"case": {
		"state": "screening", "region": "gooi-en-vechtstreek", "municipality": "GM0402",
		"consent": "unknown", "risk": "none", "detention_ended": false,
	},
}

with_case(changes) := object.union(base, {"case": object.union(base.case, changes)})

test_enrichment_in_screening_is_allowed if {
	d := request.decision with input as base
	d.allow == true
	d.allowed == {"housing", "income"}
	d.activity.legal_basis != ""
}

test_other_region_is_refused if {
	d := request.decision with input as object.union(base, {"requester": object.union(base.requester, {"region": "west-veluwe-vallei"})})
	d.allow == false
	d.refusal.reason == "wrong_region"
	d.denied.housing.reason == "wrong_region"
}

test_closed_case_allows_nothing if {
	d := request.decision with input as with_case({"state": "closed", "consent": "yes"})
	d.allow == false
	d.refusal.reason == "case_closed"
}

test_other_municipality_does_not_answer if {
	d := request.decision with input as object.union(base, {"responder": object.union(base.responder, {"municipality": "GM0406"})})
	d.denied.housing.reason == "not_municipality_of_origin"
}

test_consent_no_stops_reintegration if {
	d := request.decision with input as with_case({"consent": "no"})
	d.allow == false
	d.denied.income.reason == "no_consent"
}

test_care_needs_consent if {
	d := request.decision with input as object.union(base, {"categories": ["care"]})
	d.denied.care.reason == "special_category_needs_consent"
}

test_children_only_for_family_support if {
	d := request.decision with input as object.union(base, {"categories": ["children"]})
	d.denied.children.reason == "category_not_in_activity"
}

test_police_only_with_signalled_risk if {
	police := {"role": "police", "oin": "00000001003", "region": "gooi-en-vechtstreek"}
	inp := object.union(base, {"responder": police, "activity": "risk_assessment", "categories": ["risk_clarification"]})
	none := request.decision with input as object.union(inp, {"case": object.union(base.case, {"consent": "yes"})})
	none.denied.risk_clarification.reason == "risk_not_signalled"
	signalled := request.decision with input as object.union(inp, {"case": object.union(base.case, {"consent": "no", "risk": "signalled"})})
	signalled.allowed == {"risk_clarification"}
}

test_handover_waits_for_end_of_detention if {
	inp := object.union(base, {"exchange": "provide", "activity": "handover", "categories": ["plan"]})
	before := request.decision with input as object.union(inp, {"case": object.union(base.case, {"state": "plan", "consent": "yes"})})
	before.denied.plan.reason == "detention_not_ended"
	after := request.decision with input as object.union(inp, {"case": object.union(base.case, {"state": "handed_over", "consent": "yes", "detention_ended": true})})
	after.allowed == {"plan"}
}

test_privacy_officer_gets_no_content if {
	d := request.decision with input as object.union(base, {"requester": object.union(base.requester, {"role": "privacy_officer"})})
	d.refusal.reason == "privacy_officer_no_content"
}

test_missing_field_is_named if {
	d := request.decision with input as object.remove(base, ["case"])
	d.refusal.reason == "invalid_input"
	"case.state" in d.invalid_fields
}

test_unknown_activity_and_category if {
	d := request.decision with input as object.union(base, {"activity": "marketing"})
	d.refusal.reason == "unknown_activity"
	e := request.decision with input as object.union(base, {"categories": ["shoe_size"]})
	e.denied.shoe_size.reason == "unknown_category"
}

test_non_string_category_is_invalid if {
	d := request.decision with input as object.union(base, {"categories": ["housing", 7]})
	d.refusal.reason == "invalid_input"
	d.invalid_fields == {"categories"}
	d.denied.housing.reason == "invalid_input"
}

# A case of the wrong type is invalid input, not an error: object.get is never given anything but an object.
test_case_not_an_object_is_invalid if {
	every value in ["closed", 7, ["screening"], null] {
		d := request.decision with input as object.union(base, {"case": value})
		d.refusal.reason == "invalid_input"
		d.allowed == set()
	}
}

test_holder_comes_before_consent if {
	inp := object.union(with_case({"consent": "no"}), {"categories": ["detention", "housing"]})
	d := request.decision with input as inp
	d.denied.detention.reason == "wrong_holder"
	d.denied.housing.reason == "no_consent"
}

test_outside_activity_and_unknown_together if {
	d := request.decision with input as object.union(base, {"categories": ["housing", "children", "shoe_size"]})
	d.allowed == {"housing"}
	d.denied.children.reason == "category_not_in_activity"
	d.denied.shoe_size.reason == "unknown_category"
}

# Purpose binding: a request under an activity that provides (the handover) is refused whole, and so is a
# provision under an activity that requests.
test_request_under_handover_is_refused if {
	inp := object.union(base, {"activity": "handover", "categories": ["plan", "care", "housing"]})
	d := request.decision with input as object.union(inp, {"case": object.union(base.case, {"state": "handed_over", "consent": "yes", "detention_ended": true})})
	d.allow == false
	d.refusal.reason == "exchange_not_activity"
	d.allowed == set()
}

test_provision_under_reintegration_is_refused if {
	d := request.decision with input as object.union(base, {"exchange": "provide"})
	d.refusal.reason == "exchange_not_activity"
}

test_missing_exchange_is_invalid if {
	d := request.decision with input as object.remove(base, ["exchange"])
	d.refusal.reason == "invalid_input"
	d.invalid_fields == {"exchange"}
}

# Finding H4: the per-category facts are an allow-list; a fact missing from the data denies.
# In OPA, `with data.a.b.c as v` merges v into the data when a rule reads a parent document (here the whole
# catalogue or register): to take a field away, replace the whole document without it (json.remove).
test_missing_sensitivity_denies if {
	catalogue := json.remove(data.dt.catalogue, ["categories/housing/sensitivity"])
	d := request.decision with input as base with data.dt.catalogue as catalogue
	d.allowed == {"income"}
	d.denied.housing.reason == "policy_data_incomplete"
}

test_missing_risk_flag_denies if {
	catalogue := json.remove(data.dt.catalogue, ["categories/housing/requires_signalled_risk"])
	d := request.decision with input as base with data.dt.catalogue as catalogue
	d.denied.housing.reason == "policy_data_incomplete"
}

test_missing_direction_denies if {
	register := json.remove(data.dt.register, ["activities/reintegration/direction"])
	d := request.decision with input as base with data.dt.register as register
	d.allow == false
	d.denied.housing.reason == "policy_data_incomplete"
	d.denied.income.reason == "policy_data_incomplete"
}

test_state_without_open_flag_is_closed if {
	reference := json.remove(data.dt.reference, ["case_states/screening/open"])
	d := request.decision with input as base with data.dt.reference as reference
	d.refusal.reason == "case_closed"
}

# ---------------------------------------------------------------------------------------------------
# Issue 16: requests while the municipality of origin is unknown or disputed, and a handover after a change
# of municipality. The same cases are decision vectors in tests/policy/vectors.py.

unknown_origin := {"origin": "unknown", "municipality": null}

handover := {
	"exchange": "provide", "activity": "handover", "categories": ["plan"],
	"case": object.union(base.case, {"state": "handed_over", "consent": "yes", "detention_ended": true, "origin": "determined"}),
}

test_request_to_a_municipality_waits_while_origin_unknown if {
	d := request.decision with input as with_case(unknown_origin)
	d.allow == false
	d.refusal == null
	d.denied.housing.reason == "origin_unknown"
	startswith(d.denied.income.explanation, "De gemeente van herkomst is nog niet vastgesteld")
}

test_security_domain_waits_too if {
	inp := object.union(with_case(object.union(unknown_origin, {"risk": "signalled"})), {
		"activity": "risk_assessment", "categories": ["risk_notices"],
		"responder": object.union(base.responder, {"role": "municipal_security"}),
	})
	d := request.decision with input as inp
	d.denied.risk_notices.reason == "origin_unknown"
}

test_request_to_dji_goes_on_while_origin_unknown if {
	inp := object.union(with_case(unknown_origin), {
		"categories": ["detention"],
		"responder": {"role": "dji", "oin": "00000001005", "region": null},
	})
	d := request.decision with input as inp
	d.allow == true
	d.allowed == {"detention"}
}

test_request_to_a_municipality_waits_while_origin_disputed if {
	d := request.decision with input as with_case({"origin": "disputed"})
	d.allow == false
	d.denied.housing.reason == "origin_disputed"
	startswith(d.denied.housing.explanation, "De gemeente van herkomst is betwist")
}

test_determined_origin_is_settled if {
	d := request.decision with input as with_case({"origin": "determined"})
	d.allow == true
}

test_unknown_status_is_invalid_input if {
	d := request.decision with input as with_case({"origin": "guessed"})
	d.refusal.reason == "invalid_input"
	"case.origin" in d.invalid_fields
}

test_null_municipality_only_while_unknown if {
	d := request.decision with input as with_case({"origin": "determined", "municipality": null})
	d.refusal.reason == "invalid_input"
	"case.municipality" in d.invalid_fields
}

test_handover_waits_while_origin_disputed if {
	inp := object.union(base, object.union(handover, {"case": object.union(handover.case, {"origin": "disputed"})}))
	d := request.decision with input as inp
	d.denied.plan.reason == "origin_disputed"
}

# After a change of municipality (Huizen determined, contested, then Hilversum): the handover goes to the
# municipality that holds at the end, and not to the earlier one.
test_handover_after_change_goes_to_the_new_municipality if {
	inp := object.union(base, handover)
	d := request.decision with input as inp
	d.allowed == {"plan"}
}

test_handover_after_change_not_to_the_old_municipality if {
	huizen := {"role": "municipal_social", "oin": "00000001006", "municipality": "GM0406", "region": "gooi-en-vechtstreek"}
	d := request.decision with input as object.union(base, object.union(handover, {"responder": huizen}))
	d.denied.plan.reason == "handover_not_to_origin"
}
