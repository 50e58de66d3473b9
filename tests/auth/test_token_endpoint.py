"""POST /oauth/token: client_credentials with private_key_jwt (RFC 6749 §4.4, RFC 7523, RFC 9068)."""

from __future__ import annotations

import base64
import datetime as dt
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel import Session, select
from structlog.testing import capture_logs

from hub.auth.models import AccessToken, UsedAssertion
from hub.auth.scopes import ROLE_SCOPES
from tests.auth.conftest import HILVERSUM_SOCIAL, ZVH, sign_assertion, token_form


def _verified(client, token: str) -> jwt.Token:
    """Verify an access token against the hub's published JWKS, as a resource server would."""
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    return jwt.decode(token, keys, algorithms=["RS256"])


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_valid_assertion_gets_a_token(client, app, alg):
    """An assertion signed with RS256 or PS256 by the partner's key gets a Bearer token, recorded by jti."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(HILVERSUM_SOCIAL, alg=alg)))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert "refresh_token" not in body
    assert response.headers["cache-control"] == "no-store"
    jti = _verified(client, body["access_token"]).claims["jti"]
    with Session(app.state.engine) as session:
        assert session.get(AccessToken, jti).client_id == HILVERSUM_SOCIAL


def test_access_token_is_an_rfc9068_jwt(client, settings):
    """The token is typ at+jwt, carries a kid from the JWKS and iss, aud, sub, azp, client_id, scope, iat, exp."""
    body = client.post("/oauth/token", data=token_form(sign_assertion(ZVH))).json()
    token = _verified(client, body["access_token"])
    jwks_kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
    assert token.header["typ"] == "at+jwt"
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] in jwks_kids
    claims = token.claims
    assert claims["iss"] == settings.issuer
    assert claims["aud"] == settings.issuer + "/v1"
    assert claims["sub"] == claims["azp"] == claims["client_id"] == ZVH
    assert set(claims["scope"].split()) == ROLE_SCOPES["zvh_coordinator"]
    assert "cnf" not in claims


def test_token_lives_at_most_fifteen_minutes(client):
    """exp - iat is the configured lifetime and never more than 900 seconds."""
    body = client.post("/oauth/token", data=token_form(sign_assertion())).json()
    claims = _verified(client, body["access_token"]).claims
    assert claims["exp"] - claims["iat"] == body["expires_in"] <= 15 * 60
    assert claims["exp"] > time.time()


def test_token_jti_has_at_least_128_bits(client):
    """The access token's jti decodes to at least 16 random bytes."""
    body = client.post("/oauth/token", data=token_form(sign_assertion())).json()
    jti = _verified(client, body["access_token"]).claims["jti"]
    assert len(base64.urlsafe_b64decode(jti + "=" * (-len(jti) % 4))) * 8 >= 128


def test_requested_scope_within_role_is_granted_exactly(client):
    """Asking for one scope of the role gives exactly that scope."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(ZVH), scope="case.read"))
    assert response.status_code == 200
    assert response.json()["scope"] == "case.read"


@pytest.mark.parametrize("scope", ["audit.query", "case.read audit.query", "everything"])
def test_scope_outside_role_is_invalid_scope(client, auth_rows, scope):
    """A scope outside the role is refused with invalid_scope, never narrowed: no token is stored, only the
    verified assertion's jti (spent)."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(ZVH), scope=scope))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert auth_rows() == (1, 0)


def test_missing_client_authentication_is_invalid_client(client, auth_rows):
    """A token request without any client authentication is invalid_client."""
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (0, 0)


@pytest.mark.parametrize(
    "grant_type", ["authorization_code", "password", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
)
def test_other_grant_types_are_unsupported(client, auth_rows, grant_type):
    """Only client_credentials is supported; every other grant is unsupported_grant_type."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(), grant_type=grant_type))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert auth_rows() == (0, 0)


def test_client_secret_is_not_a_way_in(client, auth_rows):
    """client_secret_post is not accepted: partners have no shared secrets."""
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": HILVERSUM_SOCIAL, "client_secret": "guess"},
    )
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (0, 0)


def test_client_id_parameter_must_match_the_assertion(client, auth_rows):
    """A client_id form parameter naming another partner than the assertion's sub is invalid_client; no token
    is stored (the verified assertion is spent)."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(HILVERSUM_SOCIAL), client_id=ZVH))
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (1, 0)


def test_assertion_living_too_long_is_refused(client, auth_rows):
    """An assertion whose exp lies beyond the allowed lifetime (here one day) is invalid_client."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(exp=int(time.time()) + 86400)))
    assert response.json()["error"] == "invalid_client"
    assert "exp" in response.json()["error_description"]
    assert auth_rows() == (0, 0)


def test_assertion_without_iat_is_refused(client, auth_rows):
    """An assertion without iat is invalid_client, naming iat (issue 12, item 8)."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(drop=("iat",))))
    assert response.json() == {"error": "invalid_client", "error_description": "Missing or invalid claim: 'iat'."}
    assert auth_rows() == (0, 0)


@pytest.mark.parametrize("age", [366 * 86400, 301])
def test_assertion_issued_longer_ago_than_its_lifetime_is_refused(client, auth_rows, age):
    """exp - iat above the maximum assertion lifetime (300 s by default), with an exp still in the future,
    is invalid_client: an iat a year old, or one second over."""
    now = int(time.time())
    response = client.post("/oauth/token", data=token_form(sign_assertion(iat=now + 60 - age, exp=now + 60)))
    assert response.json()["error"] == "invalid_client"
    assert "'exp' - 'iat'" in response.json()["error_description"]
    assert auth_rows() == (0, 0)


def test_assertion_issued_in_the_future_is_refused(client, auth_rows):
    """An iat beyond the clock leeway is invalid_client."""
    now = int(time.time())
    response = client.post("/oauth/token", data=token_form(sign_assertion(iat=now + 3600, exp=now + 3660)))
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (0, 0)


def test_wrong_audience_names_the_expected_one(client, auth_rows, settings):
    """An assertion for another address is refused, and the description names the audience the hub expects
    (its token endpoint under HUB_ISSUER), so a newcomer on another port sees what to fix; so does the hub's
    log line of the refusal."""
    with capture_logs() as events:
        response = client.post("/oauth/token", data=token_form(sign_assertion(aud="http://127.0.0.1:9000/oauth/token")))
    body = response.json()
    assert body["error"] == "invalid_client"
    assert f"'{settings.issuer}/oauth/token'" in body["error_description"]
    [refused] = [e for e in events if e["event"] == "auth.oauth.refused"]
    assert refused["description"] == body["error_description"]
    assert auth_rows() == (0, 0)


@pytest.mark.parametrize("jti", ["short", 12345, ""])
def test_assertion_jti_under_128_bits_is_refused(client, auth_rows, jti):
    """A jti that is not a string of at least 22 characters (128 bits) is invalid_client."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(jti=jti)))
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (0, 0)


@pytest.mark.parametrize("claim", ["exp", "iat", "jti", "iss", "aud"])
def test_assertion_missing_a_required_claim_is_refused(client, auth_rows, claim):
    """An assertion without exp, iat, jti, iss or aud is invalid_client."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(drop=(claim,))))
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (0, 0)


def test_assertion_with_iss_other_than_sub_is_refused(client, auth_rows):
    """iss must equal sub (the client_id)."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(iss=ZVH)))
    assert response.json()["error"] == "invalid_client"
    assert auth_rows() == (0, 0)


def test_used_assertion_jti_is_kept_until_expiry(client, app):
    """An accepted assertion's jti is stored for its client with an expiry no earlier than its exp."""
    exp = int(time.time()) + 60
    client.post("/oauth/token", data=token_form(sign_assertion(jti="j" * 40, exp=exp)))
    with Session(app.state.engine) as session:
        rows = session.exec(select(UsedAssertion)).all()
    assert [(r.client_id, r.jti) for r in rows] == [(HILVERSUM_SOCIAL, "j" * 40)]
    assert rows[0].expires_at.timestamp() >= exp


def test_expired_used_assertions_are_forgotten(client, app):
    """A used-assertion row past its expiry is deleted when the next assertion is accepted."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with Session(app.state.engine) as session:
        session.add(UsedAssertion(client_id=ZVH, jti="old" * 10, expires_at=past))
        session.commit()
    assert client.post("/oauth/token", data=token_form(sign_assertion())).status_code == 200
    with Session(app.state.engine) as session:
        assert [r.client_id for r in session.exec(select(UsedAssertion)).all()] == [HILVERSUM_SOCIAL]


@pytest.mark.parametrize("first_form", [{"scope": "audit.query"}, {"client_id": HILVERSUM_SOCIAL}])
def test_assertion_spent_on_a_refused_request_is_never_accepted_again(client, auth_rows, first_form):
    """An assertion that verified is spent even when its request is refused (invalid_scope, client_id
    mismatch): the same assertion with a valid request is then refused as a replay, and no token exists."""
    assertion = sign_assertion(ZVH)
    refused = client.post("/oauth/token", data=token_form(assertion, **first_form))
    assert refused.status_code in (400, 401) and refused.json()["error"] in ("invalid_scope", "invalid_client")
    again = client.post("/oauth/token", data=token_form(assertion, scope="case.list"))
    assert again.status_code in (400, 401)
    assert again.json()["error"] == "invalid_client"
    assert auth_rows() == (1, 0)
