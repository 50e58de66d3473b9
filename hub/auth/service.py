"""The rules behind the OAuth endpoints and the caller dependency, testable without HTTP."""

from __future__ import annotations

import re

from fastapi.responses import JSONResponse
from sqlmodel import Session

from hub.auth.errors import ActingPersonMissing
from hub.auth.keys import SigningKey
from hub.auth.oauth2.requests import StarletteOAuth2Request
from hub.auth.oauth2.server import ASSERTION_ALGORITHMS, CLIENT_AUTH_METHODS, HubAuthorizationServer
from hub.auth.registry import Registry
from hub.auth.scopes import ALL_SCOPES
from hub.auth.tokens import token_endpoint
from hub.config import Settings
from hub.openapi import ACTOR_PATTERN

ACTING_PERSON_HEADER = "X-Acting-Person"
_ACTOR = re.compile(ACTOR_PATTERN)


def oauth_response(
    session: Session,
    settings: Settings,
    registry: Registry,
    key: SigningKey,
    endpoint: str,
    request: StarletteOAuth2Request,
) -> JSONResponse:
    """Run one OAuth endpoint ("token", "revocation", "introspection"); keep only what succeeded: the
    request's unit of work (hub.db) commits a 200 once it is rendered, and a refusal is rolled back here."""
    server = HubAuthorizationServer(session, settings, registry, key)
    try:
        if endpoint == "token":
            response = server.create_token_response(request)
        else:
            response = server.create_endpoint_response(endpoint, request)
    except Exception:
        session.rollback()
        raise
    if response.status_code != 200:
        session.rollback()  # a refused request stores nothing more (a verified assertion's jti is already spent)
    return response


def metadata(settings: Settings) -> dict:
    """RFC 8414 authorization server metadata."""
    base = settings.issuer.rstrip("/")
    return {
        "issuer": settings.issuer,
        "token_endpoint": token_endpoint(settings),
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "scopes_supported": list(ALL_SCOPES),
        "response_types_supported": [],
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "revocation_endpoint": f"{base}/oauth/revoke",
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "introspection_endpoint": f"{base}/oauth/introspect",
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "tls_client_certificate_bound_access_tokens": True,
        "service_documentation": f"{base}/docs",
    }


def acting_person(value: str | None) -> str:
    """The employee identifier the partner vouches for; required on every /v1 call."""
    if not value:
        raise ActingPersonMissing(
            f"De header {ACTING_PERSON_HEADER} ontbreekt: noem de handelende persoon.", header=ACTING_PERSON_HEADER
        )
    if not _ACTOR.fullmatch(value):
        raise ActingPersonMissing(
            f"De header {ACTING_PERSON_HEADER} is ongeldig: 1 tot 64 tekens uit A-Z, a-z, 0-9, '.', '_', '@', '-'.",
            header=ACTING_PERSON_HEADER,
        )
    return value
