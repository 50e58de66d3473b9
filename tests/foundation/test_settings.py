"""Settings: secrets have no defaults outside development, and development keys are refused there."""

import base64
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from hub.config import DEV_CERTS, ConfigurationError, Settings


def _production_keys(tmp_path: Path) -> dict:
    token_key = tmp_path / "token.pem"
    token_key.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    log_key = tmp_path / "log.pem"
    log_key.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return {
        "env": "production",
        "database_url": "postgresql://hub@db/hub",
        "token_signing_key_file": token_key,
        "log_signing_key_file": log_key,
        "data_kek": base64.b64encode(secrets.token_bytes(32)).decode(),
        "pseudonym_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def test_production_with_own_keys_is_accepted(tmp_path):
    """A production configuration with its own keys passes the safety check."""
    settings = Settings(**_production_keys(tmp_path))
    settings.check_safe()
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://")


def test_environment_defaults_to_production(monkeypatch):
    """Without HUB_ENV the hub assumes production, so nothing falls back to development keys."""
    monkeypatch.delenv("HUB_ENV", raising=False)
    settings = Settings()
    assert settings.env == "production"
    assert settings.token_signing_key_file is None
    assert settings.data_kek is None


@pytest.mark.parametrize(
    "missing", ["database_url", "token_signing_key_file", "log_signing_key_file", "data_kek", "pseudonym_key"]
)
def test_missing_secret_outside_development_is_refused(tmp_path, missing):
    """Every secret must be set outside development; the error names the HUB_ variable."""
    values = _production_keys(tmp_path)
    values[missing] = None
    with pytest.raises(ConfigurationError, match=f"HUB_{missing.upper()}"):
        Settings(**values).check_safe()


@pytest.mark.parametrize(
    ("name", "dev_file"),
    [("token_signing_key_file", "hub-token-signing.pem"), ("log_signing_key_file", "hub-log-signing.pem")],
)
def test_development_key_file_is_refused_outside_development(tmp_path, name, dev_file):
    """A key file from certs/dev is refused when HUB_ENV is not dev."""
    values = _production_keys(tmp_path)
    values[name] = DEV_CERTS / dev_file
    with pytest.raises(ConfigurationError, match="development key"):
        Settings(**values).check_safe()


@pytest.mark.parametrize(("name", "dev_file"), [("data_kek", "data-kek.b64"), ("pseudonym_key", "pseudonym-key.b64")])
def test_development_secret_is_refused_outside_development(tmp_path, name, dev_file):
    """The generated development KEK and pseudonym key are refused when HUB_ENV is not dev."""
    values = _production_keys(tmp_path)
    values[name] = (DEV_CERTS / dev_file).read_text().strip()
    with pytest.raises(ConfigurationError, match="development secret"):
        Settings(**values).check_safe()


def test_create_app_refuses_unsafe_settings(tmp_path):
    """The application factory runs the safety check: an unsafe configuration never starts."""
    from hub.main import create_app

    values = _production_keys(tmp_path)
    values["token_signing_key_file"] = DEV_CERTS / "hub-token-signing.pem"
    with pytest.raises(ConfigurationError):
        create_app(Settings(**values))


def test_token_lifetime_is_capped_at_fifteen_minutes():
    """An access-token lifetime above 15 minutes is not a valid setting."""
    with pytest.raises(ValueError, match="access_token_ttl_seconds"):
        Settings(env="dev", access_token_ttl_seconds=3600)
