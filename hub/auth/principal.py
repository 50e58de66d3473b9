"""Who is calling: the partner organisation (a registry entry) and the person acting for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal[
    "dji",
    "zvh_coordinator",
    "municipal_social",
    "municipal_security",
    "police",
    "probation",
    "privacy_officer",
    "region_analyst",
]
ROLES: tuple[str, ...] = get_args(Role)
MUNICIPAL_ROLES = frozenset({"municipal_social", "municipal_security"})


@dataclass(frozen=True, slots=True)
class Partner:
    """One registry entry: a partner organisation that authenticates as an OAuth 2.0 client."""

    oin: str
    name: str
    role: Role
    client_id: str
    region: str | None  # for municipalities derived from the municipality; None for national orgs
    municipality: str | None  # CBS code, municipalities only
    certificate_thumbprint: str | None  # base64url SHA-256 of the client certificate (RFC 8705 x5t#S256)


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated partner and the person acting for it."""

    partner: Partner
    actor: str  # employee identifier from the `X-Acting-Person` header (required on /v1)
    scopes: frozenset[str]
    token_id: str  # jti of the access token
