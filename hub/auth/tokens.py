"""Access tokens: RFC 9068 JWTs signed by the hub (issue), and their validation by the resource server.

Only the jti, client, scope and times of a token are stored, never the token itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import structlog
from joserfc import jwt
from joserfc.errors import JoseError
from sqlmodel import Session

from hub.auth import repository
from hub.auth.errors import CertificateMismatch, InvalidToken, TokenRevoked
from hub.auth.keys import TOKEN_ALGORITHM, SigningKey
from hub.auth.models import AccessToken
from hub.auth.principal import Partner
from hub.auth.registry import Registry
from hub.config import Settings

log = structlog.get_logger(__name__)

TOKEN_TYPE = "at+jwt"  # noqa: S105 - the RFC 9068 typ value, not a secret
CLOCK_LEEWAY_SECONDS = 30


def token_endpoint(settings: Settings) -> str:
    return settings.issuer.rstrip("/") + "/oauth/token"


def api_audience(settings: Settings) -> str:
    """The resource indicator of the hub's API: the `aud` of every access token."""
    return settings.issuer.rstrip("/") + "/v1"


def new_token_id() -> str:
    """A jti of 256 random bits (the profile asks for at least 128)."""
    return secrets.token_urlsafe(32)


def issue_access_token(
    session: Session,
    key: SigningKey,
    settings: Settings,
    partner: Partner,
    scope: str,
    cnf_thumbprint: str | None = None,
) -> dict[str, Any]:
    """Sign an access token for `partner`, record its jti, and return the RFC 6749 §5.1 token response."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    lifetime = settings.access_token_ttl_seconds
    jti = new_token_id()
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": api_audience(settings),
        "sub": partner.client_id,
        "azp": partner.client_id,
        "client_id": partner.client_id,
        "scope": scope,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
        "jti": jti,
    }
    if cnf_thumbprint:
        claims["cnf"] = {"x5t#S256": cnf_thumbprint}
    header = {"alg": TOKEN_ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
    access_token = jwt.encode(header, claims, key.private, algorithms=[TOKEN_ALGORITHM])
    repository.add_access_token(
        session,
        AccessToken(
            jti=jti,
            client_id=partner.client_id,
            scope=scope,
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
            cnf_thumbprint=cnf_thumbprint,
        ),
    )
    log.info(
        "auth.token.issued",
        client_id=partner.client_id,
        jti=jti,
        scope=scope,
        bound=cnf_thumbprint is not None,
        expires_in=lifetime,
    )
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime, "scope": scope}


def verify_signature(key: SigningKey, token: str) -> jwt.Token:
    """Decode a hub access token: RS256 only, our key only, `typ: at+jwt` (RFC 9068 §4)."""
    try:
        decoded = jwt.decode(token, key.public_set, algorithms=[TOKEN_ALGORITHM])
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken(f"Het toegangstoken is ongeldig ({type(error).__name__}).") from None
    if str(decoded.header.get("typ", "")).lower() not in (TOKEN_TYPE, "application/" + TOKEN_TYPE):
        raise InvalidToken("Het toegangstoken heeft niet het type at+jwt.")
    return decoded


def check_claims(claims: dict[str, Any], settings: Settings) -> None:
    """iss, aud, exp, iat, jti, sub, azp and client_id, all required; azp = client_id = sub."""
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": api_audience(settings)},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        sub={"essential": True},
        azp={"essential": True},
        client_id={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise InvalidToken(f"Het toegangstoken is ongeldig: {error.description}.") from None
    if not (claims["azp"] == claims["client_id"] == claims["sub"]):
        raise InvalidToken("Het toegangstoken is ongeldig: azp, client_id en sub verschillen.")


def _bound_thumbprint(claims: dict[str, Any]) -> str | None:
    """The `cnf.x5t#S256` the token is bound to (RFC 8705 §3.1), or None for an unbound token."""
    if "cnf" not in claims:
        return None
    cnf = claims["cnf"]
    if not isinstance(cnf, dict) or not isinstance(cnf.get("x5t#S256"), str):
        raise InvalidToken("Het toegangstoken heeft een ongeldige cnf-claim.")
    return cnf["x5t#S256"]


@dataclass(frozen=True, slots=True)
class ValidToken:
    partner: Partner
    jti: str
    scopes: frozenset[str]


def validate_access_token(
    session: Session,
    key: SigningKey,
    settings: Settings,
    registry: Registry,
    token: str,
    presented_thumbprint: str | None,
) -> ValidToken:
    """Everything a resource server checks before it believes a bearer token."""
    claims = verify_signature(key, token).claims
    check_claims(claims, settings)
    record = repository.get_access_token(session, str(claims["jti"]))
    if record is None:
        raise InvalidToken("Het toegangstoken is niet door deze hub uitgegeven.")
    if record.revoked_at is not None:
        raise TokenRevoked("Het toegangstoken is ingetrokken.")
    partner = registry.by_client_id(str(claims["client_id"]))
    if partner is None or record.client_id != partner.client_id:
        raise InvalidToken("De partner van dit toegangstoken is onbekend.")
    _check_against_record(claims, record)
    bound = _bound_thumbprint(claims)
    if bound is not None and not (presented_thumbprint and secrets.compare_digest(bound, presented_thumbprint)):
        raise CertificateMismatch("Dit token is gebonden aan een ander clientcertificaat dan is aangeboden.")
    return ValidToken(partner=partner, jti=record.jti, scopes=frozenset(record.scope.split()))


def _check_against_record(claims: dict[str, Any], record: AccessToken) -> None:
    """The token says what the hub recorded when it issued it: the same scope and expiry (and, checked by the
    caller, the same client). A token signed with a leaked key cannot widen its scope or prolong its life."""
    if claims.get("scope") != record.scope:
        raise InvalidToken("Het toegangstoken is ongeldig: de scope verschilt van het uitgegeven token.")
    exp, recorded = claims.get("exp"), int(record.expires_at.timestamp())
    if isinstance(exp, bool) or not isinstance(exp, int) or exp != recorded:
        raise InvalidToken("Het toegangstoken is ongeldig: exp verschilt van het uitgegeven token.")
