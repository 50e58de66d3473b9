# Unit tests of what the determined municipality sees of a determination of origin, for `opa test policies/`
# (`hub policy test`); pytest checks the same vectors through both engines in tests/policy/test_origin_read.py.
package dt.origin_read_test

import rego.v1

import data.dt.origin_read

social_huizen := {
	"role": "municipal_social", "oin": "00000001000000002406",
	"municipality": "GM0406", "region": "gooi-en-vechtstreek",
}

social_hilversum := {
	"role": "municipal_social", "oin": "00000001000000002402",
	"municipality": "GM0402", "region": "gooi-en-vechtstreek",
}

security_huizen := {
	"role": "municipal_security", "oin": "00000001000000003406",
	"municipality": "GM0406", "region": "gooi-en-vechtstreek",
}

read(requester, origin, consent, state) := {
	"requester": requester,
	"categories": ["detention"],
	"case": {
		"state": state, "region": "gooi-en-vechtstreek", "municipality": "GM0406", "origin": origin,
		"consent": consent, "risk": "none", "detention_ended": false,
	},
}

test_the_determined_municipality_sees_the_detention_facts if {
	d := origin_read.decision with input as read(social_huizen, "determined", "unknown", "screening")
	d.allow == true
	d.allowed == {"detention"}
	d.activity.id == "reintegration"
}

test_a_contested_determination_is_still_shown_to_the_contesting_municipality if {
	d := origin_read.decision with input as read(social_huizen, "disputed", "yes", "plan")
	d.allow == true
}

test_another_municipality_sees_nothing if {
	d := origin_read.decision with input as read(social_hilversum, "determined", "unknown", "screening")
	d.refusal.reason == "not_municipality_of_origin"
}

test_the_security_domain_sees_nothing if {
	d := origin_read.decision with input as read(security_huizen, "determined", "unknown", "screening")
	d.refusal.reason == "origin_reader_not_permitted"
}

test_an_origin_dji_named_is_no_determination if {
	d := origin_read.decision with input as read(social_huizen, "notified", "unknown", "screening")
	d.refusal.reason == "origin_not_determined"
}

test_without_consent_after_the_weighing_nothing_is_shown if {
	d := origin_read.decision with input as read(social_huizen, "determined", "no", "outreach")
	d.allow == false
	d.refusal.reason == "no_consent"
}

test_a_closed_case_shows_nothing if {
	d := origin_read.decision with input as read(social_huizen, "determined", "yes", "closed")
	d.refusal.reason == "case_closed"
}

test_only_detention_is_shown if {
	doc := object.union(read(social_huizen, "determined", "yes", "plan"), {"categories": ["detention", "housing"]})
	d := origin_read.decision with input as doc
	d.allowed == {"detention"}
	d.denied.housing.reason == "category_not_in_activity"
}
