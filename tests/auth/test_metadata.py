"""Authorization server metadata (RFC 8414) and the hub's public JWKS."""

from __future__ import annotations

import base64
import json

from joserfc.jwk import KeySet


def test_metadata_describes_the_profile(client, settings):
    """The metadata names the issuer, the endpoints, client_credentials only and private_key_jwt with RS256/PS256."""
    body = client.get("/.well-known/oauth-authorization-server").json()
    assert body["issuer"] == settings.issuer
    assert body["token_endpoint"] == settings.issuer + "/oauth/token"
    assert body["jwks_uri"] == settings.issuer + "/.well-known/jwks.json"
    assert body["grant_types_supported"] == ["client_credentials"]
    assert "private_key_jwt" in body["token_endpoint_auth_methods_supported"]
    assert "client_secret_basic" not in body["token_endpoint_auth_methods_supported"]
    assert set(body["token_endpoint_auth_signing_alg_values_supported"]) == {"RS256", "PS256"}
    assert body["revocation_endpoint"].endswith("/oauth/revoke")
    assert body["introspection_endpoint"].endswith("/oauth/introspect")
    assert body["tls_client_certificate_bound_access_tokens"] is True


def test_jwks_holds_public_keys_only(client):
    """The JWKS has the signing key with a kid and no private member."""
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kid"] and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])
    assert KeySet.import_key_set({"keys": keys}).keys[0].is_private is False


def test_jwks_kid_is_the_kid_of_issued_tokens(client, partner_client):
    """The kid in an access token's header is the kid published in the JWKS."""
    token = partner_client("gm0402-social").access_token()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["kid"] == client.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
