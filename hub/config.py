"""The hub's one settings object. No other module reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_CERTS = ROOT / "certs" / "dev"

MAX_ACCESS_TOKEN_TTL = 15 * 60


class ConfigurationError(RuntimeError):
    """The settings are unsafe or incomplete; the hub refuses to start."""


def is_development_path(path: Path) -> bool:
    """True when `path` lies in the development key folder."""
    try:
        path.resolve().relative_to(DEV_CERTS.resolve())
    except ValueError:
        return False
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
    data_kek: SecretStr | None = None
    pseudonym_key: SecretStr | None = None

    access_token_ttl_seconds: int = Field(default=300, gt=0, le=MAX_ACCESS_TOKEN_TTL)
    assertion_max_lifetime_seconds: int = Field(default=300, gt=0, le=3600)

    # Remote OPA: unset means the embedded engine.
    opa_url: str | None = None
    opa_timeout_seconds: float = Field(default=0.5, gt=0)

    # mTLS via a TLS-terminating proxy (RFC 8705).
    client_cert_header: str = "x-client-cert"
    trusted_proxies: list[str] = Field(default_factory=list)

    # Disclosure log.
    checkpoint_every_records: int = Field(default=1000, gt=0)
    checkpoint_every_seconds: int = Field(default=3600, gt=0)
    log_retention_days: int = Field(default=4 * 366, ge=4 * 365)
    unusual_reads_per_hour: int = Field(default=20, gt=0)
    office_hours: tuple[int, int] = (7, 19)

    request_due_days: int = Field(default=10, gt=0)
    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _fill_development_defaults(self) -> Settings:
        if self.env != "dev":
            return self
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
        return self

    def check_safe(self) -> None:
        """Refuse missing secrets and development keys outside development. Called at start-up."""
        if self.env == "dev":
            return
        missing = [
            name
            for name in ("database_url", "token_signing_key_file", "log_signing_key_file", "data_kek",
                         "pseudonym_key")
            if getattr(self, name) is None
        ]
        if missing:
            raise ConfigurationError(
                "missing settings outside development: " + ", ".join(f"HUB_{m.upper()}" for m in missing)
            )
        for name in ("token_signing_key_file", "log_signing_key_file"):
            path = getattr(self, name)
            if is_development_path(path):
                raise ConfigurationError(f"HUB_{name.upper()} points at a development key ({path})")
        for name in ("data_kek", "pseudonym_key"):
            value = getattr(self, name).get_secret_value()
            if value in _dev_secret_values():
                raise ConfigurationError(f"HUB_{name.upper()} is a development secret")

    @property
    def sqlalchemy_url(self) -> str:
        return normalise_database_url(self.database_url or "")


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _read_dev_secret(name: str) -> str:
    path = DEV_CERTS / name
    if not path.exists():
        raise ConfigurationError(f"development secret {path} is missing: run `hub dev-keys`")
    return path.read_text().strip()


def _dev_secret_values() -> set[str]:
    return {p.read_text().strip() for p in DEV_CERTS.glob("*.b64")} if DEV_CERTS.exists() else set()


@lru_cache
def get_settings() -> Settings:
    return Settings()
