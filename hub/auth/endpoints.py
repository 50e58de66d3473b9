"""OAuth 2.0 endpoints (RFC 6749 §5.2 errors), server metadata, the hub's JWKS, and GET /v1/me."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hub.auth import service
from hub.auth.dependencies import CallerDep
from hub.auth.keys import SigningKey
from hub.auth.mtls import CertificateHeaderInvalid, presented_thumbprint
from hub.auth.oauth2.requests import StarletteOAuth2Request
from hub.auth.registry import load_registry
from hub.auth.routing import AuthorizedRoute
from hub.auth.schemas import Me, PartnerPublic
from hub.config import Settings
from hub.db import SessionDep

# RFC 6749 §5.2 error responses (not RFC 9457 problems): 400, or 401 when the client tried HTTP authentication.
_OAUTH_ERROR = {
    "description": "OAuth error (RFC 6749 §5.2)",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            }
        }
    },
}
_OAUTH_ERRORS: dict[int | str, dict] = {400: _OAUTH_ERROR, 401: _OAUTH_ERROR}
router = APIRouter(tags=["oauth"])
v1 = APIRouter(prefix="/v1", tags=["auth"], route_class=AuthorizedRoute)

_CLIENT_AUTHENTICATION = {
    "client_assertion_type": {
        "type": "string",
        "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
        "description": "private_key_jwt (RFC 7523): leave out with tls_client_auth.",
    },
    "client_assertion": {
        "type": "string",
        "description": "A JWT signed with the partner's registered key (RS256 or PS256): iss = sub = client_id, "
        "aud = this token endpoint (<HUB_ISSUER>/oauth/token), iat, exp at most the maximum assertion lifetime "
        "after iat, and a jti of at least 128 bits that is used once.",
    },
    "client_id": {
        "type": "string",
        "description": "The partner's client_id: required with tls_client_auth (RFC 8705), optional otherwise.",
    },
}


def _form(description: str, required: list[str], **fields: Any) -> dict:
    schema = {"type": "object", "required": required, "properties": {**fields, **_CLIENT_AUTHENTICATION}}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


_TOKEN_FORM = _form(
    "A client_credentials grant with client authentication (private_key_jwt or tls_client_auth).",
    ["grant_type"],
    grant_type={"type": "string", "enum": ["client_credentials"]},
    scope={
        "type": "string",
        "description": "Space-separated scopes within the partner's role; left out: all scopes of the role.",
    },
)
_TOKEN_TO_CHECK = {
    "token": {"type": "string", "description": "An access token this client was issued."},
    "token_type_hint": {"type": "string", "enum": ["access_token"]},
}
_REVOKE_FORM = _form("The token to revoke, with client authentication.", ["token"], **_TOKEN_TO_CHECK)
_INTROSPECT_FORM = _form("The token to introspect, with client authentication.", ["token"], **_TOKEN_TO_CHECK)


async def _oauth(request: Request, session, endpoint: str) -> JSONResponse:
    state = request.app.state
    try:
        thumbprint = presented_thumbprint(
            request.client.host if request.client else None, request.headers, state.settings
        )
    except CertificateHeaderInvalid:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "Unreadable client certificate."},
            status_code=400,
            headers={"Cache-Control": "no-store"},
        )
    form = await request.form()
    uri = state.settings.issuer.rstrip("/") + request.url.path
    oauth_request = StarletteOAuth2Request(request.method, uri, request.headers, form, thumbprint)
    return await run_in_threadpool(
        service.oauth_response, session, state.settings, state.registry, state.token_key, endpoint, oauth_request
    )


@router.post(
    "/oauth/token",
    summary="Get an access token (client_credentials, private_key_jwt)",
    openapi_extra=_TOKEN_FORM,
    responses=_OAUTH_ERRORS,
)
async def token(request: Request, session: SessionDep) -> JSONResponse:
    return await _oauth(request, session, "token")


@router.post(
    "/oauth/revoke",
    summary="Revoke one of your access tokens (RFC 7009)",
    openapi_extra=_REVOKE_FORM,
    responses=_OAUTH_ERRORS,
)
async def revoke(request: Request, session: SessionDep) -> JSONResponse:
    return await _oauth(request, session, "revocation")


@router.post(
    "/oauth/introspect",
    summary="Introspect one of your access tokens (RFC 7662)",
    openapi_extra=_INTROSPECT_FORM,
    responses=_OAUTH_ERRORS,
)
async def introspect(request: Request, session: SessionDep) -> JSONResponse:
    return await _oauth(request, session, "introspection")


@router.get("/.well-known/oauth-authorization-server", summary="Authorization server metadata (RFC 8414)")
def metadata(request: Request) -> dict:
    return service.metadata(request.app.state.settings)


@router.get("/.well-known/jwks.json", summary="The hub's public token-signing keys")
def jwks(request: Request) -> dict:
    return request.app.state.token_key.jwks()


@v1.get("/me", summary="The calling partner and acting person, as the hub sees them", response_model=Me)
def me(caller: CallerDep) -> Me:
    return Me(
        partner=PartnerPublic(**{f: getattr(caller.partner, f) for f in PartnerPublic.model_fields}),
        actor=caller.actor,
        scopes=sorted(caller.scopes),
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Load the registry and the signing key at start-up (failing loudly) and mount the auth routes."""
    app.state.registry = load_registry(settings.partner_registry_dir, settings)
    app.state.token_key = SigningKey.from_pem_file(
        settings.token_signing_key_file, settings.token_previous_public_keys_file
    )
    app.include_router(router)
    app.include_router(v1)
