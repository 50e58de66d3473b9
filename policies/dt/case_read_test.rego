# Unit tests of the coordinator's own reads, for `opa test policies/` (pytest checks the same through the
# real engine in tests/policy/test_case_read.py and tests/cases/).
package dt.case_read_test

import rego.v1

import data.dt.case_read

base := {
	"requester": {"role": "zvh_coordinator", "oin": "00000001001", "region": "gooi-en-vechtstreek"},
	"categories": ["identity", "housing", "care"],
	"case": {
		"state": "plan", "region": "gooi-en-vechtstreek", "municipality": "GM0402",
		"consent": "yes", "risk": "none", "detention_ended": false,
	},
}

with_case(changes) := object.union(base, {"case": object.union(base.case, changes)})

test_with_consent_everything_is_read if {
	d := case_read.decision with input as base
	d.allowed == {"identity", "housing", "care"}
	d.activity.id == "reintegration"
}

test_outreach_without_consent_withholds_care if {
	d := case_read.decision with input as with_case({"state": "outreach", "consent": "no", "risk": "signalled"})
	d.allowed == {"identity"}
	d.activity.id == "risk_assessment"
	d.denied.care.reason == "category_not_in_activity"
}

test_closed_case_allows_nothing if {
	d := case_read.decision with input as with_case({"state": "closed"})
	d.allow == false
	d.refusal.reason == "case_closed"
}
