# Unit tests of the answer filter, for `opa test policies/`.
package dt.answer_test

import rego.v1

import data.dt.answer

test_allowed_fields_are_released if {
	f := answer.filter with input as {"activity": "reintegration", "allowed": ["housing"], "answer": {"housing": ["situation", "at_risk_of_loss"]}}
	f.released == {"housing": {"situation", "at_risk_of_loss"}}
	count(f.withheld) == 0
}

test_extra_field_is_withheld if {
	f := answer.filter with input as {"activity": "reintegration", "allowed": ["housing"], "answer": {"housing": ["situation", "landlord_name"]}}
	f.released.housing == {"situation"}
	{"category": "housing", "field": "landlord_name", "reason": "field_not_in_catalogue"} in f.withheld
}

test_category_not_allowed_is_withheld if {
	f := answer.filter with input as {"activity": "reintegration", "allowed": ["housing"], "answer": {"care": ["ongoing_care"]}}
	not f.released.care
	{"category": "care", "field": null, "reason": "category_not_allowed"} in f.withheld
}

# One evaluation at answer time: the request decision and the filter of its allowed categories, together.
release_input := {
	"exchange": "request",
	"requester": {"role": "zvh_coordinator", "oin": "00000001001", "region": "gooi-en-vechtstreek"},
	"responder": {
		"role": "municipal_social", "oin": "00000001002",
		"municipality": "GM0402", "region": "gooi-en-vechtstreek",
	},
	"activity": "reintegration",
	"categories": ["housing", "care"],
	"case": {
		"state": "screening", "region": "gooi-en-vechtstreek", "municipality": "GM0402",
		"consent": "unknown", "risk": "none", "detention_ended": false,
	},
	"answer": {"housing": ["situation"], "care": ["ongoing_care"]},
}

test_release_filters_by_the_decision_made_now if {
	r := answer.release with input as release_input
	r.decision.allowed == {"housing"}
	r.decision.denied.care.reason == "special_category_needs_consent"
	r.filter.released == {"housing": {"situation"}}
	{"category": "care", "field": null, "reason": "category_not_allowed"} in r.filter.withheld
}

test_release_on_a_closed_case_releases_nothing if {
	closed := object.union(release_input, {"case": object.union(release_input.case, {"state": "closed"})})
	r := answer.release with input as closed
	r.decision.refusal.reason == "case_closed"
	r.filter.released == {}
}

test_filter_without_allowed_is_invalid if {
	f := answer.filter with input as {"activity": "reintegration", "answer": {"housing": ["situation"]}}
	f.refusal == "invalid_input"
	f.invalid_fields == {"allowed"}
}

test_unknown_activity_releases_nothing if {
	f := answer.filter with input as {"activity": "marketing", "allowed": ["housing"], "answer": {"housing": ["situation"]}}
	f.released == {}
	f.refusal == "unknown_activity"
}
