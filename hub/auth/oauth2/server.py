"""authlib's AuthorizationServer, configured to the NL GOV Assurance profile (DESIGN.md §6 and §8).

- grant `client_credentials` only, no refresh tokens;
- client authentication `private_key_jwt` (RFC 7523, RS256 and PS256, each assertion jti accepted once) and,
  where a trusted proxy passes a verified client certificate, `tls_client_auth` (RFC 8705, by thumbprint);
- RFC 9068 access tokens, bound to the client certificate when one was presented;
- a scope outside the partner's role is `invalid_scope`, never silently narrowed;
- revocation (RFC 7009) and introspection (RFC 7662) of a client's own tokens.

A server is built per request around that request's database session; it flushes, the route commits (except
an assertion's jti, which is committed as soon as the assertion verifies: see PrivateKeyJWT.validate_jti).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, TypeGuard

import structlog
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidScopeError,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from fastapi.responses import JSONResponse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session

from hub.auth import repository
from hub.auth.errors import InvalidToken
from hub.auth.keys import SigningKey
from hub.auth.models import AccessToken
from hub.auth.oauth2.requests import StarletteOAuth2Request
from hub.auth.principal import Partner
from hub.auth.registry import Registry
from hub.auth.scopes import ALL_SCOPES, granted_scope
from hub.auth.tokens import CLOCK_LEEWAY_SECONDS, issue_access_token, token_endpoint, verify_signature
from hub.config import Settings

log = structlog.get_logger(__name__)

ASSERTION_ALGORITHMS = ["RS256", "PS256"]
MIN_JTI_LENGTH = 22  # 22 base64url characters carry 132 bits
MAX_JTI_LENGTH = 256
CLIENT_AUTH_METHODS = ["private_key_jwt", "tls_client_auth"]


class PartnerClient(ClientMixin):
    """A registry partner as authlib sees a client: confidential, client_credentials only."""

    def __init__(self, partner: Partner, keys: KeySet) -> None:
        self.partner = partner
        self.keys = keys

    def get_client_id(self) -> str:
        return self.partner.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        return granted_scope(self.partner.role, scope)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # partners have no shared secrets

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if method == "tls_client_auth":
            return self.partner.certificate_thumbprint is not None
        return method == "private_key_jwt"

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class PrivateKeyJWT(JWTBearerClientAssertion):
    """RFC 7523 client authentication under the name the metadata advertises, with an explicit algorithm list."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, server: HubAuthorizationServer) -> None:
        super().__init__(validate_jti=True, leeway=CLOCK_LEEWAY_SECONDS)
        self.server = server

    def get_audiences(self) -> list[str]:
        return [token_endpoint(self.server.settings)]

    def resolve_client_public_key(self, client: PartnerClient) -> KeySet:
        return client.keys

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> dict:
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ASSERTION_ALGORITHMS)
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidClientError(description=f"Invalid client assertion ({type(error).__name__}).") from None
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: dict) -> None:
        exp, iat, jti = claims.get("exp"), claims.get("iat"), claims.get("jti")
        if not _is_number(exp):
            raise InvalidClientError(description="Missing or invalid claim: 'exp'.")
        if not _is_number(iat):
            raise InvalidClientError(description="Missing or invalid claim: 'iat'.")
        now = int(dt.datetime.now(dt.UTC).timestamp())
        longest = self.server.settings.assertion_max_lifetime_seconds
        if exp - now > longest:
            raise InvalidClientError(description="The assertion lives too long: 'exp' must be short.")
        if iat > now + CLOCK_LEEWAY_SECONDS:
            raise InvalidClientError(description="Claim 'iat' lies in the future.")
        if exp - iat > longest:
            raise InvalidClientError(
                description=f"The assertion lives too long: 'exp' - 'iat' must be at most {longest} seconds."
            )
        if not isinstance(jti, str) or not MIN_JTI_LENGTH <= len(jti) <= MAX_JTI_LENGTH:
            raise InvalidClientError(description="Claim 'jti' must be a string of at least 128 bits.")
        self._verify_audience(claims.get("aud"))
        super().verify_claims(claims)

    def _verify_audience(self, aud: Any) -> None:
        """Name the audience the hub expects: with a hub on another address than its HUB_ISSUER, a bare
        "Invalid claim: 'aud'" left a newcomer guessing (issue 12, first hour)."""
        expected = token_endpoint(self.server.settings)
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if expected not in audiences:
            raise InvalidClientError(
                description=f"Invalid claim 'aud': the hub expects the audience '{expected}' (its token endpoint)."
            )

    def validate_jti(self, claims: dict, jti: str) -> bool:
        """Record the jti of an assertion whose signature and claims verified, and COMMIT it at once.

        Its own transaction: whatever happens to the request afterwards (invalid_scope, an error while the
        token is issued), the assertion is spent and never accepted twice (NL GOV profile). Nothing else is
        pending in the request's session at this point: client authentication is the first database work.
        This commit stays here, not at the end of the token request's unit of work: authlib calls it in the
        middle of that request, and the spent assertion must be stored even when the request then fails.
        """
        session = self.server.session
        now = dt.datetime.now(dt.UTC)
        repository.forget_expired_assertions(session, now)  # they can no longer be replayed
        expires_at = dt.datetime.fromtimestamp(claims["exp"] + CLOCK_LEEWAY_SECONDS, dt.UTC)
        fresh = repository.remember_assertion(session, claims["sub"], jti, expires_at)
        session.commit()
        return fresh


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def authenticate_tls_client(query_client, request: StarletteOAuth2Request) -> PartnerClient | None:
    """RFC 8705 §2.1 by pinned thumbprint: `client_id` in the form and the registered certificate presented."""
    client_id = request.payload.client_id
    presented = request.certificate_thumbprint
    if not client_id or not presented or request.form.get("client_assertion"):
        return None
    client = query_client(client_id)
    pinned = client.partner.certificate_thumbprint if client else None
    if pinned and secrets.compare_digest(pinned, presented):
        return client
    return None


class HubClientCredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def validate_token_request(self) -> None:
        super().validate_token_request()
        form_client_id = self.request.payload.client_id
        if form_client_id and form_client_id != self.client.get_client_id():
            raise InvalidClientError(description="The client_id does not match the authenticated client.")

    def validate_requested_scope(self) -> None:
        granted = self.client.get_allowed_scope(self.request.payload.scope)
        if granted is None:
            raise InvalidScopeError(description="The requested scope is outside this partner's role.")
        self.request.scope = granted

    def create_token_response(self):
        token = issue_access_token(
            self.server.session,
            self.server.key,
            self.server.settings,
            self.client.partner,
            self.request.scope,
            cnf_thumbprint=self.request.certificate_thumbprint,
        )
        return 200, token, self.TOKEN_RESPONSE_HEADER


class IssuedToken:
    """A hub access token presented to revocation or introspection: its verified claims and its row."""

    def __init__(self, claims: dict, record: AccessToken) -> None:
        self.claims, self.record = claims, record

    def check_client(self, client: PartnerClient) -> bool:
        return self.record.client_id == client.get_client_id()

    def is_expired(self) -> bool:
        return self.record.expires_at <= dt.datetime.now(dt.UTC)

    def is_revoked(self) -> bool:
        return self.record.revoked_at is not None


class _OwnTokens:
    server: HubAuthorizationServer  # set by authlib's endpoint, which this mixin completes

    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    SUPPORTED_TOKEN_TYPES = ("access_token",)

    def query_token(self, token_string: str, token_type_hint: str | None) -> IssuedToken | None:
        try:
            claims = verify_signature(self.server.key, token_string).claims
        except InvalidToken:
            return None
        record = repository.get_access_token(self.server.session, str(claims.get("jti", "")))
        return IssuedToken(claims, record) if record else None


class HubRevocationEndpoint(_OwnTokens, RevocationEndpoint):
    def authenticate_token(self, request, client: PartnerClient) -> IssuedToken | None:
        """RFC 7009 §2.2: the answer is 200 whatever the token is. Another client's token is treated as an
        unknown one (left valid): a 400 for it, as authlib answers, told the caller the token was real."""
        self.check_params(request, client)
        token = self.query_token(request.form["token"], request.form.get("token_type_hint"))
        return token if token is not None and token.check_client(client) else None

    def revoke_token(self, token: IssuedToken, request) -> None:
        repository.revoke_access_token(self.server.session, token.record, dt.datetime.now(dt.UTC))
        log.info("auth.token.revoked", client_id=token.record.client_id, jti=token.record.jti)


class HubIntrospectionEndpoint(_OwnTokens, IntrospectionEndpoint):
    def check_permission(self, token: IssuedToken, client: PartnerClient, request) -> bool:
        return token.check_client(client)  # a client may introspect its own tokens only

    def introspect_token(self, token: IssuedToken) -> dict:
        keep = ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "jti", "azp", "cnf")
        return {"active": True, "token_type": "Bearer", **{k: token.claims[k] for k in keep if k in token.claims}}


class HubAuthorizationServer(AuthorizationServer):
    def __init__(self, session: Session, settings: Settings, registry: Registry, key: SigningKey) -> None:
        super().__init__(scopes_supported=list(ALL_SCOPES))
        self.session, self.settings, self.registry, self.key = session, settings, registry, key
        self.register_grant(HubClientCredentialsGrant)
        self.register_client_auth_method(PrivateKeyJWT.CLIENT_AUTH_METHOD, PrivateKeyJWT(self))
        self.register_client_auth_method("tls_client_auth", authenticate_tls_client)
        self.register_endpoint(HubRevocationEndpoint)
        self.register_endpoint(HubIntrospectionEndpoint)

    def query_client(self, client_id: str) -> PartnerClient | None:
        partner = self.registry.by_client_id(client_id) if isinstance(client_id, str) else None
        keys = self.registry.public_keys(client_id) if partner else None
        return PartnerClient(partner, keys) if partner and keys else None

    def save_token(self, token: dict, request) -> None:
        """Tokens are recorded (by jti) when they are issued; see issue_access_token."""

    def send_signal(self, name: str, *args, **kwargs) -> None:
        """authlib's signals are not used; events are logged where they happen."""

    def create_oauth2_request(self, request: StarletteOAuth2Request) -> StarletteOAuth2Request:
        return request  # the route already adapted the Starlette request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=dict(headers))

    def handle_error_response(self, request: StarletteOAuth2Request, error) -> JSONResponse:
        client = getattr(request, "client", None)
        log.info(
            "auth.oauth.refused",
            error=error.error,
            description=error.description,
            client_id=client.get_client_id() if client else None,
        )
        return super().handle_error_response(request, error)
