# Unit tests of reading DJI's risk notices, for `opa test policies/` (`hub policy test`); pytest checks the same
# vectors through both engines in tests/policy/test_notice_read.py.
package dt.notice_read_test

import rego.v1

import data.dt.notice_read

zvh := {"role": "zvh_coordinator", "oin": "00000001000000001001", "region": "gooi-en-vechtstreek"}

zvh_other_region := {"role": "zvh_coordinator", "oin": "00000001000000001002", "region": "maastricht-heuvelland"}

security_hilversum := {
	"role": "municipal_security", "oin": "00000001000000003402",
	"municipality": "GM0402", "region": "gooi-en-vechtstreek",
}

security_huizen := {
	"role": "municipal_security", "oin": "00000001000000003406",
	"municipality": "GM0406", "region": "gooi-en-vechtstreek",
}

social_hilversum := {
	"role": "municipal_social", "oin": "00000001000000002402",
	"municipality": "GM0402", "region": "gooi-en-vechtstreek",
}

read(requester, mandated) := {
	"requester": requester,
	"categories": ["risk_notices"],
	"notice": {"kind": "18b", "municipality": "GM0402", "region": "gooi-en-vechtstreek", "mandated": mandated},
	"case": {
		"state": "screening", "region": "gooi-en-vechtstreek", "municipality": "GM0402",
		"consent": "unknown", "risk": "signalled", "detention_ended": false,
	},
}

test_the_mandated_zvh_reads_the_text if {
	d := notice_read.decision with input as read(zvh, true)
	d.allow == true
	d.allowed == {"risk_notices"}
	d.activity.id == "risk_assessment"
}

test_a_zvh_without_mandate_reads_nothing if {
	d := notice_read.decision with input as read(zvh, false)
	d.allow == false
	d.refusal.reason == "notice_not_mandated"
}

test_the_security_domain_reads_a_notice_not_mandated if {
	d := notice_read.decision with input as read(security_hilversum, false)
	d.allow == true
	d.activity.legal_basis == "Pbw art. 18b; Bjsg art. 11a; Wpg art. 20"
}

test_the_security_domain_leaves_a_mandated_notice_to_the_zvh if {
	d := notice_read.decision with input as read(security_hilversum, true)
	d.refusal.reason == "notice_mandated_to_zvh"
}

test_another_municipality_reads_nothing if {
	d := notice_read.decision with input as read(security_huizen, false)
	d.refusal.reason == "notice_other_municipality"
}

test_another_region_reads_nothing if {
	d := notice_read.decision with input as read(zvh_other_region, true)
	d.refusal.reason == "wrong_region"
}

test_the_social_domain_reads_nothing if {
	d := notice_read.decision with input as read(social_hilversum, false)
	d.refusal.reason == "notice_reader_not_permitted"
}

test_a_closed_case_stops_the_coordinator if {
	doc := read(zvh, true)
	d := notice_read.decision with input as object.union(doc, {"case": object.union(doc.case, {"state": "closed"})})
	d.refusal.reason == "case_closed"
}

test_a_missing_mandate_is_invalid_input if {
	doc := read(zvh, true)
	d := notice_read.decision with input as json.remove(doc, ["notice/mandated"])
	d.refusal.reason == "invalid_input"
}
