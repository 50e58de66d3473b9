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

# Issue 16: the coordinator determines the municipality of origin; a municipality's social domain contests it.
test_origin_is_determined_by_the_coordinator_only if {
	api.allow with input as {"role": "zvh_coordinator", "operation": "origin.determine"}
	d := api.decision with input as {"role": "municipal_social", "operation": "origin.determine"}
	d.reason == "role_not_permitted"
}

test_origin_is_contested_by_the_social_domain_only if {
	api.allow with input as {"role": "municipal_social", "operation": "origin.contest"}
	not api.allow with input as {"role": "municipal_security", "operation": "origin.contest"}
	not api.allow with input as {"role": "zvh_coordinator", "operation": "origin.contest"}
}
