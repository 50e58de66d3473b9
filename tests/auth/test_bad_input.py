"""The issue's bad-input list: each hostile request gets a clear refusal, and nothing is stored."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time

import pytest
from sqlmodel import Session

from hub.auth.models import AccessToken
from tests.auth.conftest import HILVERSUM_SOCIAL, ZVH, partner_key, sign_assertion, token_form

ACTOR = {"X-Acting-Person": "j.jansen"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict) -> str:
    return _b64(json.dumps(obj).encode())


def _valid_claims(client_id: str = HILVERSUM_SOCIAL) -> dict:
    now = int(time.time())
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": "http://127.0.0.1:8000/oauth/token",
        "iat": now,
        "exp": now + 60,
        "jti": "x" * 43,
    }


def _assert_oauth_refusal(response, error: str = "invalid_client") -> None:
    assert response.status_code in (400, 401)
    body = response.json()
    assert body["error"] == error
    assert set(body) <= {"error", "error_description", "error_uri"}


def _assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@pytest.mark.parametrize(
    "assertion",
    [
        "not-a-jwt",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
        _segment({"alg": "RS256"}) + "." + _b64(b"[1,2,3]") + ".c2ln",
        _segment({"alg": "RS256"}) + "." + _segment({"sub": ["x"]}) + ".c2ln",
    ],
)
def test_malformed_assertion_is_refused(client, auth_rows, assertion):
    """A client assertion that is not a well-formed signed JWT is invalid_client."""
    _assert_oauth_refusal(client.post("/oauth/token", data=token_form(assertion)))
    assert auth_rows() == (0, 0)


def test_expired_assertion_is_refused(client, auth_rows):
    """An assertion whose exp has passed (beyond the clock leeway) is invalid_client."""
    now = int(time.time())
    response = client.post("/oauth/token", data=token_form(sign_assertion(iat=now - 600, exp=now - 300)))
    _assert_oauth_refusal(response)
    assert "exp" in response.json()["error_description"]
    assert auth_rows() == (0, 0)


@pytest.mark.parametrize(
    "aud", ["https://other.example/oauth/token", "http://127.0.0.1:8000", "http://127.0.0.1:8000/oauth/introspect"]
)
def test_assertion_with_wrong_aud_is_refused(client, auth_rows, aud):
    """An assertion whose aud is not the token endpoint is invalid_client."""
    response = client.post("/oauth/token", data=token_form(sign_assertion(aud=aud)))
    _assert_oauth_refusal(response)
    assert "aud" in response.json()["error_description"]
    assert auth_rows() == (0, 0)


def test_replayed_assertion_jti_is_refused(client, auth_rows):
    """The same assertion (same jti) is accepted once; the replay is invalid_client and issues nothing."""
    assertion = sign_assertion()
    assert client.post("/oauth/token", data=token_form(assertion)).status_code == 200
    response = client.post("/oauth/token", data=token_form(assertion))
    _assert_oauth_refusal(response)
    assert "used" in response.json()["error_description"]
    assert auth_rows() == (1, 1)


def test_unknown_client_is_refused(client, auth_rows):
    """An assertion for a client_id that is not in the registry is invalid_client."""
    response = client.post("/oauth/token", data=token_form(sign_assertion("gm9999-social", key_of=ZVH)))
    _assert_oauth_refusal(response)
    assert auth_rows() == (0, 0)


@pytest.mark.parametrize("forge_kid", [False, True])
def test_assertion_signed_with_the_wrong_key_is_refused(client, auth_rows, forge_kid):
    """Hilversum's claims signed with the ZVH's key (with either kid) are invalid_client."""
    header = {"kid": partner_key(HILVERSUM_SOCIAL).kid} if forge_kid else None
    assertion = sign_assertion(HILVERSUM_SOCIAL, key_of=ZVH, header=header)
    _assert_oauth_refusal(client.post("/oauth/token", data=token_form(assertion)))
    assert auth_rows() == (0, 0)


def test_unsigned_alg_none_assertion_is_refused(client, auth_rows):
    """An `alg: none` assertion is invalid_client."""
    assertion = _segment({"alg": "none", "typ": "JWT"}) + "." + _segment(_valid_claims()) + "."
    _assert_oauth_refusal(client.post("/oauth/token", data=token_form(assertion)))
    assert auth_rows() == (0, 0)


def _hs256_with_public_key(claims: dict, header: dict, public_pem: bytes) -> str:
    signing_input = _segment({"alg": "HS256", **header}) + "." + _segment(claims)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def test_hs256_assertion_keyed_with_the_public_key_is_refused(client, auth_rows):
    """An assertion HMAC-signed with the partner's public key as secret (key confusion) is invalid_client."""
    key = partner_key(HILVERSUM_SOCIAL)
    assertion = _hs256_with_public_key(_valid_claims(), {"kid": key.kid}, key.as_pem(private=False))
    _assert_oauth_refusal(client.post("/oauth/token", data=token_form(assertion)))
    assert auth_rows() == (0, 0)


def test_hs256_access_token_keyed_with_the_hub_public_key_is_refused(client, app, partner_client):
    """An access token HMAC-signed with the hub's public key as secret is refused by the resource server."""
    real = partner_client(HILVERSUM_SOCIAL).access_token()
    claims = json.loads(base64.urlsafe_b64decode(real.split(".")[1] + "=="))
    key = app.state.token_key
    forged = _hs256_with_public_key(claims, {"typ": "at+jwt", "kid": key.kid}, key.private.as_pem(private=False))
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {forged}", **ACTOR})
    _assert_problem(response, 401, "invalid_token")


def test_tampered_access_token_is_refused(client, partner_client):
    """A real token whose payload was altered (sub and client_id changed to the ZVH) fails its signature."""
    header, payload, signature = partner_client(HILVERSUM_SOCIAL).access_token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims.update(sub=ZVH, azp=ZVH, client_id=ZVH)
    tampered = ".".join([header, _segment(claims), signature])
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {tampered}", **ACTOR})
    _assert_problem(response, 401, "invalid_token")


def test_token_issued_for_another_audience_is_refused(client, app, hub_sign, settings):
    """A hub-signed, recorded token whose aud is another resource server is refused for its aud."""
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": "https://other-service.example",
        "sub": HILVERSUM_SOCIAL,
        "azp": HILVERSUM_SOCIAL,
        "client_id": HILVERSUM_SOCIAL,
        "scope": "inbox.read",
        "iat": now,
        "exp": now + 300,
        "jti": "a" * 43,
    }
    with Session(app.state.engine) as session:
        issued = dt.datetime.now(dt.UTC)
        session.add(
            AccessToken(
                jti="a" * 43,
                client_id=HILVERSUM_SOCIAL,
                scope="inbox.read",
                issued_at=issued,
                expires_at=issued + dt.timedelta(minutes=5),
            )
        )
        session.commit()
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {hub_sign(claims)}", **ACTOR})
    body = _assert_problem(response, 401, "invalid_token")
    assert "aud" in body["detail"]


def test_revoked_token_is_refused(client, partner_client):
    """After the partner revokes its token (RFC 7009), the resource server refuses it as token_revoked."""
    hub = partner_client(HILVERSUM_SOCIAL)
    token = hub.access_token()
    assert hub.revoke(token).status_code == 200
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}", **ACTOR})
    _assert_problem(response, 401, "token_revoked")


def test_missing_acting_person_is_refused(client, partner_client):
    """A valid token without X-Acting-Person is a 400 problem naming the header."""
    hub = partner_client(HILVERSUM_SOCIAL, actor=None)
    body = _assert_problem(hub.get("/v1/me"), 400, "acting_person_required")
    assert body["header"] == "X-Acting-Person"
    assert "X-Acting-Person" in body["detail"]


@pytest.mark.parametrize("actor", ["a" * 65, "jan jansen", "<script>", "j.jansen;drop", "ß"])
def test_malformed_acting_person_is_refused(client, partner_client, actor):
    """An X-Acting-Person outside 1-64 characters of [A-Za-z0-9._@-] is a 400 problem naming the header."""
    hub = partner_client(HILVERSUM_SOCIAL, actor=None)
    response = client.get(
        "/v1/me", headers={"Authorization": f"Bearer {hub.access_token()}", "X-Acting-Person": actor.encode("utf-8")}
    )
    assert _assert_problem(response, 400, "acting_person_required")["header"] == "X-Acting-Person"


@pytest.mark.parametrize("with_header", [False, True])
def test_token_in_query_string_is_refused(client, partner_client, with_header):
    """A token in the query string is refused, even when a valid Authorization header is sent as well."""
    hub = partner_client(HILVERSUM_SOCIAL)
    token = hub.access_token()
    headers = {"Authorization": f"Bearer {token}", **ACTOR} if with_header else ACTOR
    response = client.get("/v1/me", params={"access_token": token}, headers=headers)
    body = _assert_problem(response, 400, "token_in_query")
    assert token not in json.dumps(body)


def test_token_under_another_query_name_is_refused(client, partner_client):
    """A JWT-shaped value under any query parameter name is refused too."""
    token = partner_client(HILVERSUM_SOCIAL).access_token()
    response = client.get("/v1/me", params={"q": token}, headers={"Authorization": f"Bearer {token}", **ACTOR})
    _assert_problem(response, 400, "token_in_query")


@pytest.mark.parametrize(
    "value",
    [
        "eyJ" * 2700,  # 8100 characters of a JWT's first bytes, no dot: quadratic for a backtracking search
        "eyJa." * 1600,
        "eyJ" + "-" * 8000,
        "a" * 8000,
    ],
)
def test_long_hostile_query_value_without_a_token_is_let_through(client, partner_client, value):
    """A long query value that is not a token does not trip the (linear, bounded) token-in-query check."""
    headers = {"Authorization": f"Bearer {partner_client(HILVERSUM_SOCIAL).access_token()}", **ACTOR}
    expected_refusal = value.startswith("eyJa.")  # eyJa.eyJa.eyJa… has the three-segment JWT shape
    response = client.get("/v1/me", params={"q": value}, headers=headers)
    if expected_refusal:
        assert _assert_problem(response, 400, "token_in_query")["parameter"] == "q"
    else:
        assert response.status_code == 200 and response.json()["partner"]["client_id"] == HILVERSUM_SOCIAL


@pytest.mark.parametrize("with_header", [False, True])
def test_query_string_over_the_bound_is_refused_before_authentication(client, partner_client, with_header):
    """A query string longer than 8192 characters is a 414 problem, with or without a token, before any
    token work; a token hidden at its end is not scanned for and not echoed."""
    token = partner_client(HILVERSUM_SOCIAL).access_token()
    headers = {"Authorization": f"Bearer {token}", **ACTOR} if with_header else ACTOR
    response = client.get("/v1/me", params={"q": "eyJ" * 3000 + token}, headers=headers)
    body = _assert_problem(response, 414, "query_too_long")
    assert body["max_length"] == 8192 and token not in json.dumps(body)


@pytest.mark.parametrize("value", ["x-{token}-y", "Bearer {token}", "{token}"])
def test_token_embedded_in_a_query_value_is_refused(client, partner_client, value):
    """A real token anywhere inside a query value (prefixed, suffixed) is refused as token_in_query."""
    token = partner_client(HILVERSUM_SOCIAL).access_token()
    response = client.get(
        "/v1/me", params={"q": value.format(token=token)}, headers={"Authorization": f"Bearer {token}", **ACTOR}
    )
    _assert_problem(response, 400, "token_in_query")


def test_concurrent_replay_of_one_assertion_issues_one_token(client, auth_rows):
    """Two simultaneous requests with the same assertion: exactly one token, the other invalid_client."""
    assertion = sign_assertion()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def send() -> None:
        barrier.wait()
        results.append(client.post("/oauth/token", data=token_form(assertion)).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 400]
    assert auth_rows() == (1, 1)


@pytest.mark.parametrize("duplicated", ["Authorization", "X-Acting-Person"])
def test_duplicate_authorization_or_acting_person_is_refused(client, auth_headers, duplicated):
    """A second Authorization or X-Acting-Person header is a 400 naming it, not silently ignored (issue 12,
    item 10); the same request with each header once succeeds."""
    headers = auth_headers(ZVH)
    once = client.get("/v1/me", headers=headers)
    assert once.status_code == 200
    second = auth_headers(HILVERSUM_SOCIAL) if duplicated == "Authorization" else {"X-Acting-Person": "iemand-anders"}
    twice = [*headers.items(), (duplicated, second[duplicated])]
    response = client.get("/v1/me", headers=twice)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["header"]) == ("duplicate_header", duplicated)
