"""The partner registry: one JSON file per organisation in partners/registry/, validated at start-up.

A file holds the OIN, name, role, client_id, region or municipality (CBS code), the public JWKS (inline as
`jwks` or by reference as `jwks_file`) and an optional client-certificate thumbprint. Every error names the
file and the field; the hub does not start with an invalid registry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.auth.principal import MUNICIPAL_ROLES, Partner, Role
from hub.config import ROOT, Settings, is_development_path
from hub.reference import municipalities, regions

log = structlog.get_logger(__name__)

# JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4).
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# The privacy officer (FG) inspects only the log of its own region (review finding H5).
# The region's analyst reads only its own region's statistics.
_REGIONAL_ROLES = frozenset({"zvh_coordinator", "privacy_officer", "region_analyst"})


class RegistryError(ValueError):
    """The partner registry is invalid; the message names the file and the field."""

    def __init__(self, file: Path | str, field: str, message: str) -> None:
        self.file, self.field = str(file), field
        super().__init__(f"{self.file}: {field}: {message}")


class _Jwks(BaseModel):
    model_config = ConfigDict(extra="allow")
    keys: list[dict[str, Any]] = Field(min_length=1)


class IdentityProviderFile(BaseModel):
    """How the partner's people sign in to the screens: their organisation's OpenID provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(pattern=r"^https?://[^\s]+$", max_length=300)
    client_id: str = Field(min_length=1, max_length=200)
    # The hub's client secret at this provider, in a file (relative paths from the repository root).
    client_secret_file: str = Field(min_length=1)
    # Where one provider serves several partners (a municipality's social and security domains): the claim
    # that lists the person's groups, and the group that means this partner.
    group_claim: str | None = Field(default=None, min_length=1, max_length=100)
    group: str | None = Field(default=None, min_length=1, max_length=200)
    # The claim holding the employee id, which becomes the acting person (as X-Acting-Person on /v1).
    employee_id_claim: str = Field(default="sub", min_length=1, max_length=100)
    name_claim: str = Field(default="name", min_length=1, max_length=100)

    @model_validator(mode="after")
    def _group_pair(self) -> IdentityProviderFile:
        if (self.group_claim is None) != (self.group is None):
            raise ValueError("give both `group_claim` and `group`, or neither")
        return self


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """A partner's OpenID provider, as the web sign-in uses it."""

    client_id: str  # the partner's registry client_id
    issuer: str
    oidc_client_id: str
    client_secret: str = field(repr=False)
    group_claim: str | None
    group: str | None
    employee_id_claim: str
    name_claim: str


class PartnerFile(BaseModel):
    """The shape of one registry file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    oin: str = Field(pattern=r"^\d{20}$", description="Organisatie-identificatienummer, 20 digits")
    name: str = Field(min_length=1, max_length=200)
    role: Role
    client_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
    region: str | None = None
    municipality: str | None = Field(default=None, pattern=r"^GM\d{4}$")
    jwks: _Jwks | None = None
    jwks_file: str | None = None
    certificate_thumbprint: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{43}$")
    identity_provider: IdentityProviderFile | None = None
    # A municipality's security domain only: has the mayor mandated the region's ZVH to receive DJI's risk
    # notices (Pbw art. 18b, BIJ)? Absent means no (issue 16; hub.notices routes each notice by it).
    zvh_mandate: bool | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> PartnerFile:
        if (self.jwks is None) == (self.jwks_file is None):
            raise ValueError("give exactly one of `jwks` and `jwks_file`")
        return self


class Registry:
    """The loaded registry: look-ups by client_id and OIN, and each partner's public keys."""

    def __init__(
        self,
        partners: list[Partner],
        keys: dict[str, KeySet],
        providers: dict[str, IdentityProvider] | None = None,
        zvh_mandates: frozenset[str] = frozenset(),
    ) -> None:
        self._by_client_id = {p.client_id: p for p in partners}
        self._zvh_mandates = zvh_mandates
        self._by_oin = {p.oin: p for p in partners}
        self._keys = keys
        self._providers = providers or {}

    def __len__(self) -> int:
        return len(self._by_client_id)

    def __iter__(self) -> Iterator[Partner]:
        return iter(self._by_client_id.values())

    def all(self) -> list[Partner]:
        return list(self._by_client_id.values())

    def by_client_id(self, client_id: str) -> Partner | None:
        return self._by_client_id.get(client_id)

    def by_oin(self, oin: str) -> Partner | None:
        return self._by_oin.get(oin)

    def find_municipal(self, role: Role, cbs_code: str | None) -> Partner | None:
        """The partner with `role` for municipality `cbs_code` (e.g. the social domain of GM0402); None for an
        unknown municipality (a case whose origin is unknown has none)."""
        if cbs_code is None:
            return None
        return next((p for p in self if p.role == role and p.municipality == cbs_code), None)

    def zvh_mandated(self, cbs_code: str) -> bool:
        """Has the mayor of `cbs_code` mandated the region's ZVH to receive DJI's risk notices?"""
        return cbs_code in self._zvh_mandates

    def public_keys(self, client_id: str) -> KeySet | None:
        return self._keys.get(client_id)

    def identity_provider(self, client_id: str) -> IdentityProvider | None:
        """The OpenID provider the partner's people sign in with (None: no sign-in to the screens)."""
        return self._providers.get(client_id)


def load_registry(directory: Path, settings: Settings) -> Registry:
    """Read and validate every `*.json` file in `directory`. Raises RegistryError on the first problem."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise RegistryError(directory, "(directory)", "no partner files found")
    partners: list[Partner] = []
    keys: dict[str, KeySet] = {}
    providers: dict[str, IdentityProvider] = {}
    mandates: set[str] = set()
    for path in files:
        partner, key_set, provider, mandated = _load_file(path, settings)
        if mandated and partner.municipality is not None:
            mandates.add(partner.municipality)
        _check_unique(path, partner, partners)
        partners.append(partner)
        keys[partner.client_id] = key_set
        if provider is not None:
            providers[partner.client_id] = provider
    _check_providers(providers)
    log.info("auth.registry.loaded", partners=len(partners), identity_providers=len(providers))
    return Registry(partners, keys, providers, frozenset(mandates))


def _check_providers(providers: dict[str, IdentityProvider]) -> None:
    """Two partners on one issuer must be told apart by a group: otherwise a person of one could act for both."""
    by_issuer: dict[str, list[IdentityProvider]] = {}
    for provider in providers.values():
        by_issuer.setdefault(provider.issuer, []).append(provider)
    for issuer, shared in by_issuer.items():
        if len(shared) < 2:
            continue
        groups = [(p.group_claim, p.group) for p in shared]
        if any(g[1] is None for g in groups) or len(set(groups)) != len(groups):
            names = ", ".join(sorted(p.client_id for p in shared))
            raise RegistryError(
                f"{shared[0].client_id}.json",
                "identity_provider.group",
                f"{issuer} serves {names}: each needs its own group_claim/group",
            )


def _load_file(path: Path, settings: Settings) -> tuple[Partner, KeySet, IdentityProvider | None, bool]:
    """The partner, its keys, its identity provider, and whether it records the mayor's mandate to the ZVH."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RegistryError(path, "(file)", f"not readable JSON: {error}") from None
    try:
        entry = PartnerFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise RegistryError(path, field, first["msg"]) from None
    if path.stem != entry.client_id:
        raise RegistryError(path, "client_id", f"must equal the file name ({path.stem})")
    if entry.zvh_mandate is not None and entry.role != "municipal_security":
        raise RegistryError(path, "zvh_mandate", "belongs to a municipality's security domain (the mayor's mandate)")
    region, municipality = _place(path, entry)
    key_set = _public_keys(path, entry, settings)
    partner = Partner(
        oin=entry.oin,
        name=entry.name,
        role=entry.role,
        client_id=entry.client_id,
        region=region,
        municipality=municipality,
        certificate_thumbprint=entry.certificate_thumbprint,
    )
    return partner, key_set, _identity_provider(path, entry, settings), entry.zvh_mandate is True


def _identity_provider(path: Path, entry: PartnerFile, settings: Settings) -> IdentityProvider | None:
    given = entry.identity_provider
    if given is None:
        return None
    if settings.env != "dev" and not given.issuer.startswith("https://"):
        raise RegistryError(path, "identity_provider.issuer", "must be an https:// URL outside development")
    secret_path = Path(given.client_secret_file)
    secret_path = secret_path if secret_path.is_absolute() else ROOT / secret_path
    if is_development_path(secret_path) and settings.env != "dev":
        raise RegistryError(path, "identity_provider.client_secret_file", "development files are refused")
    try:
        secret = secret_path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise RegistryError(
            path, "identity_provider.client_secret_file", f"cannot read {secret_path}: {type(error).__name__}"
        ) from None
    if not secret:
        raise RegistryError(path, "identity_provider.client_secret_file", "the file is empty")
    return IdentityProvider(
        client_id=entry.client_id,
        issuer=given.issuer.rstrip("/"),
        oidc_client_id=given.client_id,
        client_secret=secret,
        group_claim=given.group_claim,
        group=given.group,
        employee_id_claim=given.employee_id_claim,
        name_claim=given.name_claim,
    )


def _place(path: Path, entry: PartnerFile) -> tuple[str | None, str | None]:
    """Region and municipality: municipalities need a known CBS code, the region follows from it."""
    if entry.role in MUNICIPAL_ROLES:
        if entry.municipality is None:
            raise RegistryError(path, "municipality", f"required for role {entry.role}")
        known = municipalities().get(entry.municipality)
        if known is None:
            raise RegistryError(path, "municipality", f"unknown CBS code {entry.municipality}")
        if entry.region is not None and entry.region != known.region:
            raise RegistryError(path, "region", f"{entry.municipality} lies in region {known.region}")
        return known.region, entry.municipality
    if entry.municipality is not None:
        raise RegistryError(path, "municipality", f"only municipalities have one, not role {entry.role}")
    if entry.region is not None and entry.region not in regions():
        raise RegistryError(path, "region", f"unknown region {entry.region}")
    if entry.role in _REGIONAL_ROLES and entry.region is None:
        raise RegistryError(path, "region", f"required for role {entry.role}")
    return entry.region, None


def _public_keys(path: Path, entry: PartnerFile, settings: Settings) -> KeySet:
    field = "jwks" if entry.jwks is not None else "jwks_file"
    if entry.jwks is not None:
        data = entry.jwks.model_dump()
    else:
        key_path = Path(entry.jwks_file or "")
        key_path = key_path if key_path.is_absolute() else ROOT / key_path
        if is_development_path(key_path) and settings.env != "dev":
            raise RegistryError(path, field, "development keys (certs/dev) are refused unless HUB_ENV=dev")
        try:
            data = json.loads(key_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RegistryError(path, field, f"cannot read {key_path}: {type(error).__name__}") from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys:
        raise RegistryError(path, field, "a JWKS needs a non-empty `keys` list")
    for index, jwk in enumerate(keys):
        if not isinstance(jwk, dict) or _PRIVATE_MEMBERS & set(jwk):
            raise RegistryError(path, f"{field}.keys.{index}", "public keys only: private key material found")
        if jwk.get("kty") != "RSA":  # assertions are RS256 or PS256 (NL GOV profile)
            raise RegistryError(path, f"{field}.keys.{index}.kty", "must be RSA")
    try:
        return KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError) as error:
        raise RegistryError(path, field, f"not a valid JWKS: {type(error).__name__}") from None


def _check_unique(path: Path, partner: Partner, seen: list[Partner]) -> None:
    for other in seen:
        if other.client_id == partner.client_id:
            raise RegistryError(path, "client_id", f"{partner.client_id} is already used")
        if other.oin == partner.oin:
            raise RegistryError(path, "oin", f"{partner.oin} is already used by {other.client_id}")
