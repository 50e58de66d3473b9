# Unit tests of API access, for `opa test policies/`.
package dt.api_test

import rego.v1

import data.dt.api

test_dji_notifies if {
	api.allow with input as {"role": "dji", "operation": "notification.create"}
}

test_dji_cannot_list_cases if {
	d := api.decision with input as {"role": "dji", "operation": "case.list"}
	d.allow == false
	d.reason == "role_not_permitted"
}

test_privacy_officer_reads_the_log_only if {
	api.allow with input as {"role": "privacy_officer", "operation": "audit.query"}
	not api.allow with input as {"role": "privacy_officer", "operation": "request.read"}
}

test_region_analyst_reads_statistics_only if {
	api.allow with input as {"role": "region_analyst", "operation": "monitor.read"}
	not api.allow with input as {"role": "region_analyst", "operation": "case.read"}
	not api.allow with input as {"role": "region_analyst", "operation": "audit.report"}
	not api.allow with input as {"role": "privacy_officer", "operation": "monitor.read"}
}

test_unknown_role_and_operation if {
	r := api.decision with input as {"role": "mayor", "operation": "case.list"}
	r.reason == "unknown_role"
	o := api.decision with input as {"role": "dji", "operation": "case.delete"}
	o.reason == "unknown_operation"
}
