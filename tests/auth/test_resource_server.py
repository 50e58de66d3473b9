"""The resource server: /v1 routes need a hub bearer token in the Authorization header and an acting person."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from joserfc import jwt
from sqlmodel import Session

from hub.auth.models import AccessToken
from tests.auth.conftest import HILVERSUM_SOCIAL

ACTOR = {"X-Acting-Person": "j.jansen"}


def _recorded_claims(app, settings, **overrides) -> dict:
    """Claims of a token that the hub recorded as issued, so only the overridden claim can be at fault."""
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.issuer + "/v1",
        "sub": HILVERSUM_SOCIAL,
        "azp": HILVERSUM_SOCIAL,
        "client_id": HILVERSUM_SOCIAL,
        "scope": "inbox.read",
        "iat": now - 10,
        "exp": now + 300,
        "jti": "r" * 43,
        **overrides,
    }
    _record(app, claims)
    return claims


def _record(app, claims: dict, **row) -> None:
    """Store the issued-token row for `claims` (its scope and expiry as issued), with `row` overrides."""
    values = {
        "jti": str(claims.get("jti", "r" * 43)),
        "client_id": HILVERSUM_SOCIAL,
        "scope": str(claims.get("scope", "")),
        "issued_at": dt.datetime.fromtimestamp(int(claims.get("iat", time.time())), dt.UTC),
        "expires_at": dt.datetime.fromtimestamp(int(claims.get("exp", time.time() + 300)), dt.UTC),
        **row,
    }
    with Session(app.state.engine) as session:
        session.add(AccessToken(**values))
        session.commit()


def test_valid_token_and_actor_reach_the_route(partner_client):
    """A real token and an acting person give the route the partner from the registry and the actor."""
    body = partner_client(HILVERSUM_SOCIAL, actor="j.jansen@hilversum.nl").get("/v1/me").json()
    assert body["partner"] == {
        "oin": "00000009990000008000",
        "name": "Gemeente Hilversum, sociaal domein",
        "role": "municipal_social",
        "client_id": HILVERSUM_SOCIAL,
        "region": "gooi-en-vechtstreek",
        "municipality": "GM0402",
    }
    assert body["actor"] == "j.jansen@hilversum.nl"
    assert "inbox.read" in body["scopes"]


def test_missing_authorization_header_is_401(client):
    """No Authorization header is a 401 invalid_token problem with a Bearer challenge."""
    response = client.get("/v1/me", headers=ACTOR)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", ["Basic Z20wNDAyOnNlY3JldA==", "Bearer", "Bearer not.a.jwt", "Token x"])
def test_unsupported_or_invalid_authorization_is_401(client, authorization):
    """Another scheme, an empty bearer, or a non-JWT is a 401 invalid_token problem."""
    response = client.get("/v1/me", headers={"Authorization": authorization, **ACTOR})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_expired_token_is_refused(client, app, settings, hub_sign):
    """A hub-signed, recorded token whose exp has passed is refused for its exp."""
    now = int(time.time())
    token = hub_sign(_recorded_claims(app, settings, iat=now - 1200, exp=now - 600))
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}", **ACTOR})
    assert response.status_code == 401
    assert "exp" in response.json()["detail"]


@pytest.mark.parametrize("claim", ["azp", "client_id", "jti", "exp", "iss"])
def test_token_missing_a_required_claim_is_refused(client, app, settings, hub_sign, claim):
    """A hub-signed token without azp, client_id, jti, exp or iss is refused."""
    claims = _recorded_claims(app, settings)
    claims.pop(claim)
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {hub_sign(claims)}", **ACTOR})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_token_with_wrong_issuer_is_refused(client, app, settings, hub_sign):
    """A hub-signed token claiming another issuer is refused for its iss."""
    token = hub_sign(_recorded_claims(app, settings, iss="https://evil.example"))
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}", **ACTOR})
    assert response.status_code == 401
    assert "iss" in response.json()["detail"]


def test_token_whose_azp_differs_from_client_id_is_refused(client, app, settings, hub_sign):
    """azp, client_id and sub must name the same partner."""
    token = hub_sign(_recorded_claims(app, settings, azp="zvh-gooi-en-vechtstreek"))
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}", **ACTOR})
    assert response.status_code == 401
    assert "azp" in response.json()["detail"]


@pytest.mark.parametrize("typ", ["JWT", "dpop+jwt", "application/jwt"])
def test_token_with_another_typ_is_refused(client, app, settings, hub_sign, typ):
    """A hub-signed token whose typ is not at+jwt (e.g. a plain JWT) is refused (RFC 9068 §4)."""
    token = hub_sign(_recorded_claims(app, settings), header={"typ": typ})
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}", **ACTOR})
    assert response.status_code == 401
    assert "at+jwt" in response.json()["detail"]


def test_token_without_typ_is_refused(client, app, settings):
    """A hub-signed token with no typ header at all is refused."""
    key = app.state.token_key
    token = jwt.encode(
        {"alg": "RS256", "kid": key.kid},
        _recorded_claims(app, settings),
        key.private,
        algorithms=["RS256"],
        default_type=None,
    )
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}", **ACTOR})
    assert response.status_code == 401
    assert "at+jwt" in response.json()["detail"]


def test_signed_but_never_issued_token_is_refused(client, settings, hub_sign):
    """A token with the hub's signature but a jti the hub never recorded is refused."""
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.issuer + "/v1",
        "sub": HILVERSUM_SOCIAL,
        "azp": HILVERSUM_SOCIAL,
        "client_id": HILVERSUM_SOCIAL,
        "scope": "",
        "iat": now,
        "exp": now + 300,
        "jti": "n" * 43,
    }
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {hub_sign(claims)}", **ACTOR})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def _claims(settings, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": settings.issuer,
        "aud": settings.issuer + "/v1",
        "sub": HILVERSUM_SOCIAL,
        "azp": HILVERSUM_SOCIAL,
        "client_id": HILVERSUM_SOCIAL,
        "scope": "inbox.read inbox.list",
        "iat": now - 10,
        "exp": now + 300,
        "jti": "m" * 43,
        **overrides,
    }


def test_token_matching_its_row_is_accepted(client, app, settings, hub_sign):
    """Control: a hub-signed token whose scope and exp are those recorded at issue reaches the route."""
    claims = _claims(settings)
    _record(app, claims)
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {hub_sign(claims)}", **ACTOR})
    assert response.status_code == 200
    assert response.json()["scopes"] == ["inbox.list", "inbox.read"]


@pytest.mark.parametrize(
    ("claim", "value", "named"),
    [
        ("scope", "inbox.read inbox.list answer.submit", "scope"),  # a wider scope than issued
        ("scope", "inbox.read", "scope"),
        ("exp", 600, "exp"),  # seconds added to the issued exp: a longer life than issued
        ("exp", -100, "exp"),
    ],
)
def test_token_whose_scope_or_exp_differs_from_its_row_is_refused(client, app, settings, hub_sign, claim, value, named):
    """A token signed with the hub's key whose scope or exp differs from the issued-token row is refused."""
    issued = _claims(settings)
    _record(app, issued)
    forged = hub_sign({**issued, claim: issued["exp"] + value if claim == "exp" else value})
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {forged}", **ACTOR})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_token" and named in body["detail"]
