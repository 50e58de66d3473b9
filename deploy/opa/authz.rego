# Authorization of the OPA server's own REST API (security review M2).
#
# OPA runs with `--authentication=token --authorization=basic` (docker-compose.yml): it takes the bearer token
# of every request as `input.identity` and serves the request only when data.system.authz.allow is true,
# /health included; anything else is a 401. See docs/POLICIES.md, "Pointing the hub at an OPA server".
#
# Only the hub gets in, and only for what it needs: its decisions, OPA's health, and reading back the policy
# modules and data documents it reports the revision of. Nobody may change policies or data through the API
# (PUT/PATCH/DELETE): OPA loads them from the mounted policies/ folder.
#
# The token itself is not here: data.hub_authz.token_sha256 is the SHA-256 (hex) of the hub's token, loaded
# from the secret file ./secrets/opa-authz.json that `hub policy opa-token` writes beside the token.
package system.authz

import rego.v1

default allow := false

allow if {
	hub_identified
	[input.method, input.path] in hub_requests
	count(input.params) == 0
}

# Comparing digests: no token in OPA's data, and no early exit on the token's first differing character.
hub_identified if crypto.sha256(input.identity) == data.hub_authz.token_sha256

# The entry points the hub asks (hub.policy.bundle.ENTRYPOINTS).
decisions := {
	["dt", "request", "decision"],
	["dt", "answer", "filter"],
	["dt", "answer", "release"],
	["dt", "api", "decision"],
	["dt", "case_read", "decision"],
	["dt", "notice_read", "decision"],
	["dt", "origin_read", "decision"],
}

# The data documents of policies/ (the folders holding a data.json), read back for the revision.
data_documents := {"register", "catalogue", "schemas", "reference", "origin"}

hub_requests contains ["POST", array.concat(["v1", "data"], decision)] if some decision in decisions

hub_requests contains ["GET", ["v1", "data", "dt", document]] if some document in data_documents

hub_requests contains ["GET", ["v1", "policies"]]

hub_requests contains ["GET", ["health"]]
