"""Signing people in with their organisation's OpenID provider: authorization code with PKCE (S256), state
and nonce, through authlib's Starlette client. The registry names each partner's provider (hub.auth.registry
IdentityProvider); a group claim tells partners on one provider apart, and a configured claim gives the
employee id that becomes the acting person."""

from __future__ import annotations

import re
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import Request

from hub.auth.registry import IdentityProvider
from hub.web.errors import SignInFailed

EMPLOYEE_ID = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")  # as X-Acting-Person on /v1


def _oauth(request: Request) -> OAuth:
    oauth = getattr(request.app.state, "web_oauth", None)
    if oauth is None:
        oauth = request.app.state.web_oauth = OAuth()
    return oauth


def client_for(request: Request, provider: IdentityProvider) -> Any:
    oauth = _oauth(request)
    client = oauth.create_client(provider.client_id)
    if client is None:
        oauth.register(
            name=provider.client_id,
            client_id=provider.oidc_client_id,
            client_secret=provider.client_secret,
            server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
        )
        client = oauth.create_client(provider.client_id)
    return client


async def start(request: Request, provider: IdentityProvider, redirect_uri: str) -> Any:
    """The redirect to the provider; state, nonce and the PKCE verifier go into the server-side session."""
    return await client_for(request, provider).authorize_redirect(request, redirect_uri)


async def finish(request: Request, provider: IdentityProvider) -> dict[str, str]:
    """Check the provider's answer (state, code with verifier, ID token with nonce, issuer, audience) and
    return the person: {client_id, employee_id, name}. Anything wrong is a clean 400, never a 500."""
    try:
        token = await client_for(request, provider).authorize_access_token(request)
    except OAuthError as error:
        raise SignInFailed(
            "Het aanmelden kon niet worden afgerond (ongeldige of verlopen aanmeldpoging). Probeer het opnieuw.",
            error=error.error,
        ) from None
    claims = token.get("userinfo") or {}
    if str(claims.get("iss", "")).rstrip("/") != provider.issuer:
        raise SignInFailed("Het identiteitsbewijs komt niet van de aanmeldvoorziening van uw organisatie.")
    if provider.group_claim is not None:
        groups = claims.get(provider.group_claim)
        groups = [groups] if isinstance(groups, str) else groups if isinstance(groups, list) else []
        if provider.group not in groups:
            raise SignInFailed("U hoort volgens uw aanmeldvoorziening niet bij deze organisatie.")
    employee_id = claims.get(provider.employee_id_claim)
    if not isinstance(employee_id, str) or not EMPLOYEE_ID.fullmatch(employee_id):
        raise SignInFailed(
            "Uw aanmeldvoorziening gaf geen bruikbaar personeelsnummer.", claim=provider.employee_id_claim
        )
    name = claims.get(provider.name_claim)
    return {
        "client_id": provider.client_id,
        "employee_id": employee_id,
        "name": name if isinstance(name, str) and name.strip() else employee_id,
    }
