"""Revocation (RFC 7009) and introspection (RFC 7662), for authenticated clients and their own tokens only."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.auth.models import AccessToken
from partners.client import ASSERTION_TYPE
from tests.auth.conftest import HILVERSUM_SOCIAL, ZVH, sign_assertion


def _row(app, client_id: str) -> AccessToken:
    with Session(app.state.engine) as session:
        return session.exec(select(AccessToken).where(AccessToken.client_id == client_id)).one()


def test_introspection_of_own_active_token(partner_client, settings):
    """A partner introspecting its own live token gets active=true with its client_id, scope and exp."""
    hub = partner_client(HILVERSUM_SOCIAL)
    body = hub.introspect(hub.access_token()).json()
    assert body["active"] is True
    assert body["client_id"] == HILVERSUM_SOCIAL
    assert body["iss"] == settings.issuer
    assert body["scope"] == hub.token_response["scope"]
    assert body["exp"] > body["iat"]


def test_introspection_of_another_clients_token_is_inactive(partner_client):
    """A partner cannot learn anything about another partner's token: active=false and nothing else."""
    token = partner_client(HILVERSUM_SOCIAL).access_token()
    assert partner_client(ZVH).introspect(token).json() == {"active": False}


def test_introspection_of_garbage_is_inactive(partner_client):
    """A string that is not a hub token introspects as active=false."""
    assert partner_client(ZVH).introspect("not-a-token").json() == {"active": False}


def test_introspection_needs_client_authentication(client, partner_client):
    """Introspection without client authentication is invalid_client."""
    token = partner_client(HILVERSUM_SOCIAL).access_token()
    response = client.post("/oauth/introspect", data={"token": token})
    assert response.json()["error"] == "invalid_client"


def test_introspection_without_token_parameter_is_invalid_request(client):
    """An authenticated introspection request without `token` is invalid_request."""
    response = client.post(
        "/oauth/introspect", data={"client_assertion_type": ASSERTION_TYPE, "client_assertion": sign_assertion()}
    )
    assert response.json()["error"] == "invalid_request"


def test_revocation_marks_the_token_revoked(app, partner_client):
    """Revoking its own token sets revoked_at on the token's row and introspection turns inactive."""
    hub = partner_client(HILVERSUM_SOCIAL)
    token = hub.access_token()
    response = hub.revoke(token)
    assert response.status_code == 200
    assert _row(app, HILVERSUM_SOCIAL).revoked_at is not None
    assert hub.introspect(token).json() == {"active": False}


def test_revocation_of_another_clients_token_answers_as_an_unknown_token(app, partner_client):
    """A partner cannot revoke another partner's token, and cannot tell it from an unknown token either
    (RFC 7009 §2.2: 200 with the same empty body); the token stays valid (issue 12, item 11)."""
    victim = partner_client(HILVERSUM_SOCIAL)
    token = victim.access_token()
    attacker = partner_client(ZVH)
    response = attacker.revoke(token)
    unknown = attacker.revoke("not-a-token")
    assert (response.status_code, response.json()) == (200, {}) == (unknown.status_code, unknown.json())
    assert _row(app, HILVERSUM_SOCIAL).revoked_at is None
    assert victim.get("/v1/me").status_code == 200


def test_revocation_needs_client_authentication(client, app, partner_client):
    """Revocation without client authentication is invalid_client and revokes nothing."""
    token = partner_client(HILVERSUM_SOCIAL).access_token()
    response = client.post("/oauth/revoke", data={"token": token})
    assert response.json()["error"] == "invalid_client"
    assert _row(app, HILVERSUM_SOCIAL).revoked_at is None


def test_revocation_of_unknown_token_succeeds_silently(partner_client):
    """RFC 7009 §2.2: an invalid token is answered with 200 and an empty body."""
    response = partner_client(ZVH).revoke("not-a-token")
    assert (response.status_code, response.json()) == (200, {})


def test_unsupported_token_type_hint_is_refused(client):
    """A refresh_token hint is unsupported_token_type: the hub issues no refresh tokens."""
    response = client.post(
        "/oauth/revoke",
        data={
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": sign_assertion(),
            "token": "x",
            "token_type_hint": "refresh_token",
        },
    )
    assert response.json()["error"] == "unsupported_token_type"
