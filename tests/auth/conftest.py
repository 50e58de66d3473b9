"""Helpers for the auth tests: hand-built client assertions and hub-signed tokens, with real keys."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from sqlalchemy import func
from sqlmodel import Session, select

from hub.auth.keys import SigningKey
from hub.auth.models import AccessToken, UsedAssertion
from partners.client import ASSERTION_TYPE
from tests.support.auth import partner_key  # imported once per process

HILVERSUM_SOCIAL = "gm0402-social"
ZVH = "zvh-gooi-en-vechtstreek"
TOKEN_URL = "http://127.0.0.1:8000/oauth/token"


def sign_assertion(
    client_id: str = HILVERSUM_SOCIAL,
    *,
    key_of: str | None = None,
    alg: str = "RS256",
    header: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    **claims: Any,
) -> str:
    """A private_key_jwt assertion signed with a partner's dev key; claims override the valid defaults."""
    key = partner_key(key_of or client_id)
    now = int(time.time())
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(32),
        **claims,
    }
    for name in drop:
        body.pop(name, None)
    return jwt.encode({"alg": alg, "kid": key.kid, **(header or {})}, body, key, algorithms=[alg])


def token_form(assertion: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **extra,
    }


def count_rows(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def auth_rows(app) -> Callable[[], tuple[int, int]]:
    """(used assertions, access tokens) currently stored: to prove a refusal stored nothing."""
    return lambda: (count_rows(app.state.engine, UsedAssertion), count_rows(app.state.engine, AccessToken))


@pytest.fixture
def hub_sign(app) -> Callable[..., str]:
    """Sign arbitrary access-token claims with the hub's real key (for expired/foreign-audience tokens)."""
    key: SigningKey = app.state.token_key

    def sign(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            {"alg": "RS256", "typ": "at+jwt", "kid": key.kid, **(header or {})},
            claims,
            key.private,
            algorithms=["RS256"],
        )

    return sign
