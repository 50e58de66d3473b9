# The answer filter (DESIGN.md §4, rule 8): an answer is checked again. Only the categories the request
# decision allowed, and only the fields the catalogue defines for them, are released; everything else is
# withheld with a reason, so the hub can log the withholding.
#
# Entry point: data.dt.answer.filter
# Input: {"activity": "<id>", "allowed": ["<category>", ...], "answer": {"<category>": ["<field>", ...]}}
# The input holds field NAMES only, never values: answer content never reaches the policy engine.
#
# Entry point: data.dt.answer.release, one evaluation at answer time: {"decision": <the request decision>,
# "filter": <this filter>}. Input: the request decision's input (docs/ARCHITECTURE.md) plus "answer"; the
# allowed categories are the ones data.dt.request decides on that same input, now, so the decision and the
# filter always come from one bundle revision and one view of the case.
package dt.answer

import rego.v1

# "filter": the caller gives the allowed categories; "release": the request decision on this input does.
default mode := "invalid"

mode := "filter" if {
	is_object(input)
	"allowed" in object.keys(input)
}

mode := "release" if {
	is_object(input)
	not "allowed" in object.keys(input)
	"exchange" in object.keys(input)
}

release := {"decision": data.dt.request.decision, "filter": filter} if mode == "release"

catalogue := data.dt.catalogue

activity := data.dt.register.activities[input.activity]

answer := input.answer if is_object(input.answer)

# Possibly-missing input is read with object.get (`not f(undefined)` differs between regopy and OPA).
invalid_fields contains "activity" if not is_string(object.get(input, "activity", null))

invalid_fields contains "allowed" if {
	mode != "release"
	not is_array(object.get(input, "allowed", null))
}

invalid_fields contains "answer" if not is_object(object.get(input, "answer", null))

invalid_fields contains "answer" if {
	some fields in answer
	not is_array(fields)
}

refusal_reason := "invalid_input" if count(invalid_fields) > 0

refusal_reason := "unknown_activity" if {
	count(invalid_fields) == 0
	not activity
}

refused if refusal_reason

# A category may be released when the decision allowed it, it is in the catalogue and it belongs to the
# activity (the decision said so already; the filter does not rely on it). Written as rules over the
# answer's categories, not as functions: regopy scans a collection indexed by a function argument.
allowed_index := {c | some c in input.allowed} if mode == "filter"

allowed_index := data.dt.request.allowed if mode == "release"

activity_index := {c | some c in activity.categories}

category_problem[c] := "unknown_category" if {
	some c, _ in answer
	not catalogue.categories[c]
}

category_problem[c] := "category_not_allowed" if {
	some c, _ in answer
	catalogue.categories[c]
	not allowed_index[c]
}

category_problem[c] := "category_not_in_activity" if {
	some c, _ in answer
	catalogue.categories[c]
	allowed_index[c]
	not activity_index[c]
}

# The fields the catalogue defines for each category of the answer (bound here, not in a function:
# regopy scans a collection indexed by a function argument).
catalogue_fields[c] := {f | some f in catalogue.categories[c].fields} if {
	some c, _ in answer
}

released[c] := fields if {
	not refused
	some c, names in answer
	not category_problem[c]
	fields := {f | some f in names; catalogue_fields[c][f]}
}

withheld contains {"category": c, "field": null, "reason": reason} if {
	some c, _ in answer
	refused
	reason := refusal_reason
}

withheld contains {"category": c, "field": null, "reason": reason} if {
	some c, _ in answer
	not refused
	reason := category_problem[c]
}

withheld contains {"category": c, "field": f, "reason": "field_not_in_catalogue"} if {
	not refused
	some c, names in answer
	not category_problem[c]
	some f in names
	not catalogue_fields[c][f]
}

# Whether anything at all of the answer may be released.
default allow := false

allow if {
	some _, fields in released
	count(fields) > 0
}

default refusal := null

refusal := refusal_reason if refused

filter := {
	"allow": allow,
	"released": released,
	"withheld": withheld,
	"refusal": refusal,
	"invalid_fields": invalid_fields,
}
