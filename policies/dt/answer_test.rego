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

test_unknown_activity_releases_nothing if {
	f := answer.filter with input as {"activity": "marketing", "allowed": ["housing"], "answer": {"housing": ["situation"]}}
	f.released == {}
	f.refusal == "unknown_activity"
}
