"""The hub's one settings object. No other module reads the environment."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_CERTS = ROOT / "certs" / "dev"

MAX_ACCESS_TOKEN_TTL = 15 * 60
MIN_OPA_TOKEN_LENGTH = 32  # `hub policy opa-token` writes 43 (32 random bytes, base64url)


class ConfigurationError(RuntimeError):
    """The settings are unsafe or incomplete; the hub refuses to start."""


# Every setting that names a key, key set or registry: none may point into certs/dev outside development.
_PATH_SETTINGS = (
    "token_signing_key_file",
    "token_previous_public_keys_file",
    "log_signing_key_file",
    "log_previous_public_keys_file",
    "partner_registry_dir",
)
# Every key file: none may hold a development key (compared by public-key thumbprint) outside development.
_KEY_FILE_SETTINGS = (
    "token_signing_key_file",
    "token_previous_public_keys_file",
    "log_signing_key_file",
    "log_previous_public_keys_file",
)


def is_development_path(path: Path) -> bool:
    """True when `path` lies in the development key folder, or in any folder `certs/dev` (a copy of a checkout's
    development keys mounted elsewhere). The development keys are generated per checkout (`hub dev-keys`), so no
    fixed thumbprint can name them: where certs/dev is absent (the image) a development key copied under another
    folder name is not recognised; only its path is."""
    resolved = path.resolve()
    try:
        resolved.relative_to(DEV_CERTS.resolve())
    except ValueError:
        parts = [*path.parts, *resolved.parts]
        return any(parts[i : i + 2] == ["certs", "dev"] for i in range(len(parts) - 1))
    return True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    env: Literal["dev", "production"] = "production"

    database_url: str | None = None
    issuer: str = "http://127.0.0.1:8000"
    partner_registry_dir: Path = ROOT / "partners" / "registry"
    policies_dir: Path = ROOT / "policies"

    # Keys. Outside development every one of these must be set, and none may point into certs/dev.
    token_signing_key_file: Path | None = None
    # A JWKS of retired token-signing public keys, still published and accepted during a rotation.
    token_previous_public_keys_file: Path | None = None
    log_signing_key_file: Path | None = None
    # A JWKS of retired log public keys: checkpoints and witness files they signed before a rotation verify.
    log_previous_public_keys_file: Path | None = None
    data_kek: SecretStr | None = None
    pseudonym_key: SecretStr | None = None
    # 32 random bytes, base64: HMAC key of the disclosure log's records; the database never sees it (H6).
    log_mac_key: SecretStr | None = None

    access_token_ttl_seconds: int = Field(default=300, gt=0, le=MAX_ACCESS_TOKEN_TTL)
    assertion_max_lifetime_seconds: int = Field(default=300, gt=0, le=3600)

    # Remote OPA: unset means the embedded engine.
    opa_url: str | None = None
    opa_timeout_seconds: float = Field(default=0.5, gt=0)
    # The bearer token for OPA's API (deploy/opa/authz.rego), in a file; required with opa_url outside development.
    opa_token_file: Path | None = None
    # Where the OPA server loads policies/ from: its module ids below it are compared with the local copy.
    opa_policies_root: str = "/policies"
    # The Python of the tool venv with real OPA (`make opa`, tools/opa_oracle.py): `hub policy test` and the
    # test suite use it as the oracle; the service never does.
    opa_oracle_python: Path = ROOT / ".venv-opa" / "bin" / "python"

    # mTLS via a TLS-terminating proxy (RFC 8705).
    client_cert_header: str = "x-client-cert"
    trusted_proxies: list[str] = Field(default_factory=list)

    # Disclosure log.
    checkpoint_every_records: int = Field(default=1000, gt=0)
    checkpoint_every_seconds: int = Field(default=3600, gt=0)
    # Verification fails when records exist after a checkpoint older than this, or after more unsealed records.
    max_seal_age_seconds: int = Field(default=2 * 3600, gt=0)
    max_unsealed_records: int = Field(default=5000, gt=0)
    log_retention_days: int = Field(default=4 * 366, ge=4 * 365)
    # The witness store (issue 12): every signed checkpoint is also written here, one append-only file each, on
    # storage the database cannot change (compose: its own volume). Required outside development; in development
    # it defaults to one per database, under var/ (_development_witness_dir).
    log_witness_dir: Path | None = None
    unusual_reads_per_hour: int = Field(default=20, gt=0)
    office_hours: tuple[int, int] = (7, 19)

    request_due_days: int = Field(default=10, gt=0)
    # A case without an undisputed municipality of origin for this many days is a signal on the coordinator's
    # work queue (issue 16).
    origin_signal_days: int = Field(default=14, gt=0)
    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    log_level: str = "INFO"
    log_json: bool = True
    # Swagger UI at /docs: unset means on in development and off in production.
    docs_enabled: bool | None = None

    @field_validator("issuer")
    @classmethod
    def _issuer_is_a_base_url(cls, value: str) -> str:
        return parse_issuer(value)

    @property
    def serves_docs(self) -> bool:
        return self.docs_enabled if self.docs_enabled is not None else self.env == "dev"

    # Screens for people (hub/web): idle sign-out, its warning, and the development sign-in picker.
    web_idle_timeout_seconds: int = Field(default=15 * 60, gt=0)
    web_idle_warning_seconds: int = Field(default=2 * 60, gt=0)
    # The picker of fictitious employees at `/`: on by default in development, refused at start-up elsewhere.
    web_dev_picker: bool | None = None
    # Where `npm ci` put the front-end packages (package.json); served under /assets.
    web_assets_dir: Path = ROOT / "node_modules"

    @model_validator(mode="after")
    def _fill_development_defaults(self) -> Settings:
        if self.env != "dev":
            return self
        if self.web_dev_picker is None:
            self.web_dev_picker = True
        if self.database_url is None:
            self.database_url = f"sqlite:///{ROOT / 'var' / 'hub.db'}"
        if self.token_signing_key_file is None:
            self.token_signing_key_file = DEV_CERTS / "hub-token-signing.pem"
        if self.log_signing_key_file is None:
            self.log_signing_key_file = DEV_CERTS / "hub-log-signing.pem"
        if self.data_kek is None:
            self.data_kek = SecretStr(_read_dev_secret("data-kek.b64"))
        if self.pseudonym_key is None:
            self.pseudonym_key = SecretStr(_read_dev_secret("pseudonym-key.b64"))
        if self.log_mac_key is None:
            self.log_mac_key = SecretStr(_read_dev_secret("log-mac-key.b64"))
        if self.log_witness_dir is None:
            self.log_witness_dir = _development_witness_dir(self.database_url)
        return self

    def check_safe(self) -> None:
        """Refuse missing secrets and development keys outside development. Called at start-up."""
        if self.env == "dev":
            return
        if self.web_dev_picker:
            raise ConfigurationError(
                "HUB_WEB_DEV_PICKER signs people in without their identity provider: refused unless HUB_ENV=dev"
            )
        missing = [
            name
            for name in (
                "database_url",
                "token_signing_key_file",
                "log_signing_key_file",
                "data_kek",
                "pseudonym_key",
                "log_mac_key",
            )
            if getattr(self, name) is None
        ]
        if missing:
            raise ConfigurationError(
                "missing settings outside development: " + ", ".join(f"HUB_{m.upper()}" for m in missing)
            )
        for name in _PATH_SETTINGS:
            path = getattr(self, name)
            if path is not None and is_development_path(path):
                raise ConfigurationError(f"HUB_{name.upper()} points at a development key or file ({path})")
        for name in ("data_kek", "pseudonym_key", "log_mac_key"):
            value = getattr(self, name).get_secret_value()
            if value in _dev_secret_values():
                raise ConfigurationError(f"HUB_{name.upper()} is a development secret")
        for name in ("data_kek", "pseudonym_key", "log_mac_key"):
            decode_key(getattr(self, name).get_secret_value(), f"HUB_{name.upper()}")
        if not self.issuer.startswith("https://"):
            raise ConfigurationError(f"HUB_ISSUER must be an https:// URL outside development ({self.issuer!r})")
        self._check_opa_token()
        self._refuse_copied_development_keys()
        if self.log_witness_dir is None:
            raise ConfigurationError(
                "HUB_LOG_WITNESS_DIR is not set: outside development every log checkpoint is also written to a "
                "witness store the database cannot change (its own volume)"
            )

    def _check_opa_token(self) -> None:
        """Outside development an OPA server is only used with API authentication (security review M2)."""
        if not self.opa_url:
            return
        if self.opa_token_file is None:
            raise ConfigurationError(
                "HUB_OPA_URL is set without HUB_OPA_TOKEN_FILE: outside development the "
                "hub only talks to an OPA server that requires its bearer token "
                "(see docs/POLICIES.md, `hub policy opa-token`)"
            )
        token = self.read_opa_token() or ""
        if len(token) < MIN_OPA_TOKEN_LENGTH:
            raise ConfigurationError(
                f"HUB_OPA_TOKEN_FILE holds a token of {len(token)} characters; at least "
                f"{MIN_OPA_TOKEN_LENGTH} are required outside development"
            )

    def read_opa_token(self) -> str | None:
        """The bearer token for the OPA server, from HUB_OPA_TOKEN_FILE with surrounding whitespace stripped."""
        if self.opa_token_file is None:
            return None
        try:
            token = self.opa_token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(
                f"HUB_OPA_TOKEN_FILE cannot be read ({self.opa_token_file}: {type(exc).__name__})"
            ) from None
        if not token:
            raise ConfigurationError(f"HUB_OPA_TOKEN_FILE is empty ({self.opa_token_file})")
        if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
            raise ConfigurationError("HUB_OPA_TOKEN_FILE must hold one token of printable ASCII without spaces")
        return token

    def _refuse_copied_development_keys(self) -> None:
        """Refuse a key file whose public key is a development key's, wherever the file lies (a copy of
        certs/dev/… elsewhere). Compared by public-key thumbprint; without certs/dev there is nothing to
        compare (the development keys differ per checkout), so there only the path check above applies: no
        key file under any certs/dev folder."""
        development = development_thumbprints()
        if not development:
            return
        for name in _KEY_FILE_SETTINGS:
            path = getattr(self, name)
            if path is not None and key_thumbprints(path, f"HUB_{name.upper()}") & development:
                raise ConfigurationError(
                    f"HUB_{name.upper()} holds a development key (its public key is one of certs/dev)"
                )

    @property
    def sqlalchemy_url(self) -> str:
        if not self.database_url:
            raise ConfigurationError("HUB_DATABASE_URL is not set")
        return normalise_database_url(self.database_url)


def parse_issuer(value: str) -> str:
    """HUB_ISSUER as a base URL: http(s), a host, no user info, whitespace, query or fragment (issue 12, item 9).
    Outside development check_safe also requires https."""
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("must be a URL without whitespace or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a port that is not a number or out of range
    except ValueError:
        raise ValueError("must be a URL such as https://hub.example.nl") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an https:// URL (http:// only in development)")
    if not parts.hostname or "@" in parts.netloc:
        raise ValueError("must name a host, without user info")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValueError("must not have a query or a fragment")
    del port
    return value


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _development_witness_dir(database_url: str) -> Path:
    """One witness per development database: beside a SQLite file (var/hub.db -> var/hub.db.witness), else
    var/witness/<database name>. Every process on the same database finds the same witness."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and len(database_url) > len(prefix):
        return Path(database_url[len(prefix) :].split("?", 1)[0] + ".witness")
    name = re.sub(r"[^A-Za-z0-9_-]", "_", urlsplit(database_url).path.lstrip("/")) or "default"
    return ROOT / "var" / "witness" / name


def _read_dev_secret(name: str) -> str:
    path = DEV_CERTS / name
    if not path.exists():
        raise ConfigurationError(f"development secret {path} is missing: run `hub dev-keys`")
    return path.read_text().strip()


KEY_BYTES = 32


def decode_key(value: str, name: str) -> bytes:
    """A base64 secret key (HUB_DATA_KEK, HUB_PSEUDONYM_KEY), decoded strictly: exactly 32 bytes."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{name} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ConfigurationError(f"{name} must be exactly {KEY_BYTES} random bytes (base64), not {len(key)}")
    return key


def key_thumbprints(path: Path, name: str) -> set[str]:
    """SHA-256 thumbprints (hex, of the DER SubjectPublicKeyInfo) of the public key(s) in a PEM private or
    public key file, or in a JWKS file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
    from joserfc.jwk import KeySet

    publics: list[PublicKeyTypes]
    try:
        data = path.read_bytes()
        if data.lstrip().startswith(b"{"):
            found = [key.public_key for key in KeySet.import_key_set(json.loads(data)).keys]
            publics = [key for key in found if not isinstance(key, bytes)]  # a symmetric key has no thumbprint
        elif b"PRIVATE KEY" in data:
            # Only the public half is used: skip the (slow) RSA consistency check of the private key.
            private = serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
            publics = [private.public_key()]
        else:
            publics = [serialization.load_pem_public_key(data)]
    except Exception as exc:  # noqa: BLE001 - any unreadable key file is a configuration error
        raise ConfigurationError(f"{name} cannot be read as a key file ({path}: {type(exc).__name__})") from None
    return {
        hashlib.sha256(
            key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        ).hexdigest()
        for key in publics
    }


def development_thumbprints() -> set[str]:
    """The thumbprints of every key in certs/dev (empty where that folder does not exist, as in the image)."""
    found: set[str] = set()
    if not DEV_CERTS.exists():
        return found
    for path in sorted(DEV_CERTS.rglob("*")):
        if path.suffix in (".pem", ".json") and not path.name.endswith(".cert.pem"):
            try:
                found |= key_thumbprints(path, str(path))
            except ConfigurationError:
                continue  # not a key (e.g. a certificate)
    return found


def _dev_secret_values() -> set[str]:
    return {p.read_text().strip() for p in DEV_CERTS.glob("*.b64")} if DEV_CERTS.exists() else set()


class _Environment(BaseSettings):
    """HUB_ENV alone: read when the full settings could not be built, to word a configuration error."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")
    env: str = "production"


def configuration_problem(error: Exception) -> str:
    """One line for an operator: what is wrong with which setting (a ConfigurationError, a settings value
    pydantic refused, an invalid partner registry). Hints at HUB_ENV=dev where development keys exist but the
    hub runs as production (issue 12, item 4)."""
    if isinstance(error, ValidationError):
        line = "; ".join(
            f"{'HUB_' + str(e['loc'][0]).upper() if e['loc'] else 'settings'}: {_without_prefix(e['msg'])}"
            for e in error.errors()
        )
    else:
        line = " ".join(str(error).split())  # one line, whatever the message held
    if DEV_CERTS.exists() and _Environment().env != "dev":
        line += " (certs/dev/ exists: the development setup runs with HUB_ENV=dev)"
    return line


def _without_prefix(message: str) -> str:
    return message.removeprefix("Value error, ")


@lru_cache
def get_settings() -> Settings:
    return Settings()
