"""Settings: secrets have no defaults outside development, and development keys are refused there."""

import base64
import json
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from pydantic import ValidationError

from hub import config
from hub.config import DEV_CERTS, ConfigurationError, Settings
from hub.crypto.pseudonym import pseudonymise


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
        "issuer": "https://hub.example.nl",
        "data_kek": base64.b64encode(secrets.token_bytes(32)).decode(),
        "pseudonym_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "log_witness_dir": tmp_path / "witness",
        **(
            {"log_mac_key": base64.b64encode(secrets.token_bytes(32)).decode()}
            if "log_mac_key" in Settings.model_fields
            else {}
        ),
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


# -- M4: strict secrets, an https issuer, no development key under any name or path -------------------------


def _b64(n: int) -> str:
    """n fixed bytes, base64 (fixed, so that parallel test workers collect the same test ids)."""
    return base64.b64encode(bytes(range(7, 7 + n))).decode()


@pytest.mark.parametrize("name", ["data_kek", "pseudonym_key"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("AAAA", "exactly 32"),  # 3 bytes
        (_b64(16), "exactly 32"),
        (_b64(31), "exactly 32"),
        (_b64(33), "exactly 32"),
        ("not base64 at all!", "base64"),
        (_b64(32)[:-4] + "*" + _b64(32)[-3:], "base64"),  # a character outside the alphabet
        (_b64(32) + "AA", "base64"),  # bad padding / trailing garbage
    ],
)
def test_weak_or_malformed_secret_is_refused(tmp_path, name, value, reason):
    """HUB_DATA_KEK and HUB_PSEUDONYM_KEY must be strict base64 of exactly 32 bytes outside development."""
    values = _production_keys(tmp_path)
    values[name] = value
    with pytest.raises(ConfigurationError, match=f"HUB_{name.upper()}.*{reason}"):
        Settings(**values).check_safe()


@pytest.mark.parametrize("issuer", [None, "http://127.0.0.1:8000", "http://hub.example.nl"])
def test_issuer_must_be_https_outside_development(tmp_path, issuer):
    """The default http://127.0.0.1 issuer, or any non-https issuer, is refused outside development."""
    values = _production_keys(tmp_path)
    if issuer is None:
        values.pop("issuer")
    else:
        values["issuer"] = issuer
    with pytest.raises(ConfigurationError, match="HUB_ISSUER"):
        Settings(**values).check_safe()


@pytest.mark.parametrize(
    ("issuer", "reason"),
    [
        ("https:// ", "whitespace"),
        ("https://", "host"),
        ("https:///hub", "host"),
        ("hub.example.nl", "https"),
        ("ftp://hub.example.nl", "https"),
        ("https://hub.example.nl?x=1", "query"),
        ("https://hub.example.nl/#top", "fragment"),
        ("https://hub.example.nl/ hub", "whitespace"),
        ("https://hub.example.nl\t", "whitespace"),
        ("https://user@hub.example.nl", "user info"),
        ("https://hub.example.nl:http", "URL"),
    ],
)
@pytest.mark.parametrize("env", ["dev", "production"])
def test_issuer_is_parsed_as_a_base_url(issuer, reason, env):
    """HUB_ISSUER must parse as an http(s) URL with a host and no whitespace, query or fragment, in every
    environment (issue 12, item 9: `https:// ` was accepted)."""
    with pytest.raises(ValidationError, match=reason) as raised:
        Settings(env=env, issuer=issuer)
    assert raised.value.errors()[0]["loc"] == ("issuer",)


@pytest.mark.parametrize(
    "issuer", ["https://hub.example.nl", "https://hub.example.nl:8443/dt/", "http://127.0.0.1:8000"]
)
def test_a_well_formed_issuer_is_kept_as_given(issuer):
    """A base URL with a host, a port or a path passes unchanged."""
    assert Settings(env="dev", issuer=issuer).issuer == issuer


def _dev_token_jwks(target: Path) -> Path:
    """The development token key's PUBLIC key as a JWKS file outside certs/dev (a 'previous keys' file)."""
    from hub.auth.keys import SigningKey

    target.write_text(json.dumps(SigningKey.from_pem_file(DEV_CERTS / "hub-token-signing.pem").jwks()))
    return target


@pytest.mark.parametrize(
    ("name", "copy"),
    [
        ("token_signing_key_file", lambda tmp: _copy(DEV_CERTS / "hub-token-signing.pem", tmp / "token.pem")),
        ("log_signing_key_file", lambda tmp: _copy(DEV_CERTS / "hub-log-signing.pem", tmp / "log.pem")),
        ("token_previous_public_keys_file", lambda tmp: _dev_token_jwks(tmp / "previous.jwks.json")),
        (
            "token_previous_public_keys_file",
            lambda tmp: _copy(DEV_CERTS / "partners" / "gm0402-social.jwks.json", tmp / "partner.jwks.json"),
        ),
        (
            "token_signing_key_file",
            lambda tmp: _copy(DEV_CERTS / "partners" / "gm0402-social.key.pem", tmp / "partner.pem"),
        ),
    ],
)
def test_copied_development_key_is_refused_by_thumbprint(tmp_path, name, copy):
    """A development key copied out of certs/dev (or its public key in a JWKS) is refused wherever it lies."""
    values = _production_keys(tmp_path)
    values[name] = copy(tmp_path)
    with pytest.raises(ConfigurationError, match=f"HUB_{name.upper()} holds a development key"):
        Settings(**values).check_safe()


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


@pytest.mark.parametrize(
    ("name", "dev_path"),
    [
        ("token_previous_public_keys_file", DEV_CERTS / "partners" / "gm0402-social.jwks.json"),
        ("partner_registry_dir", DEV_CERTS / "partners"),
    ],
)
def test_every_key_and_registry_setting_is_path_checked(tmp_path, name, dev_path):
    """The previous-keys file and the registry folder may not point into certs/dev outside development."""
    values = _production_keys(tmp_path)
    values[name] = dev_path
    with pytest.raises(ConfigurationError, match=f"HUB_{name.upper()} points at a development key"):
        Settings(**values).check_safe()


def test_unreadable_key_file_is_refused(tmp_path):
    """A key file that does not parse as a key is a configuration error naming the setting."""
    values = _production_keys(tmp_path)
    (tmp_path / "garbage.pem").write_text("not a key")
    values["token_signing_key_file"] = tmp_path / "garbage.pem"
    with pytest.raises(ConfigurationError, match="HUB_TOKEN_SIGNING_KEY_FILE cannot be read"):
        Settings(**values).check_safe()


def test_without_development_folder_own_keys_still_pass_and_paths_are_still_checked(tmp_path, monkeypatch):
    """Where certs/dev does not exist (the image) there is no thumbprint to compare; the path check remains."""
    monkeypatch.setattr(config, "DEV_CERTS", tmp_path / "no-such-dev-folder")
    assert config.development_thumbprints() == set()
    values = _production_keys(tmp_path)
    Settings(**values).check_safe()
    values["log_signing_key_file"] = tmp_path / "no-such-dev-folder" / "hub-log-signing.pem"
    with pytest.raises(ConfigurationError, match="points at a development key"):
        Settings(**values).check_safe()


@pytest.mark.parametrize(
    ("name", "copy"),
    [
        ("log_signing_key_file", lambda tmp: _copy(DEV_CERTS / "hub-log-signing.pem", tmp / "hub-log-signing.pem")),
        ("token_signing_key_file", lambda tmp: _copy(DEV_CERTS / "hub-token-signing.pem", tmp / "token.pem")),
        ("log_previous_public_keys_file", lambda tmp: _dev_log_jwks(tmp / "log-previous.jwks.json")),
    ],
)
def test_without_development_folder_a_key_under_any_certs_dev_folder_is_refused(tmp_path, monkeypatch, name, copy):
    """The development keys differ per checkout, so in the image (no certs/dev) no thumbprint can recognise one:
    a key file (or retired-keys JWKS) mounted from a checkout's certs/dev is refused by its path."""
    values = _production_keys(tmp_path)
    mounted = tmp_path / "mnt" / "certs" / "dev"
    mounted.mkdir(parents=True)
    values[name] = copy(mounted)
    monkeypatch.setattr(config, "DEV_CERTS", tmp_path / "app" / "certs" / "dev")
    assert config.development_thumbprints() == set()
    with pytest.raises(ConfigurationError, match=f"HUB_{name.upper()} points at a development key"):
        Settings(**values).check_safe()


def _dev_log_jwks(target: Path) -> Path:
    from hub.audit.signing import LogVerifier

    private = serialization.load_pem_private_key((DEV_CERTS / "hub-log-signing.pem").read_bytes(), password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    target.write_text(json.dumps({"keys": [LogVerifier(private.public_key()).jwk]}))
    return target


@pytest.mark.parametrize("key", ["AAAA", "AA==AA==", _b64(31), "not base64!"])
def test_pseudonym_refuses_a_weak_or_malformed_key(key):
    """pseudonymise decodes its key strictly too: no pseudonym under a short or malformed key."""
    with pytest.raises(ConfigurationError, match="HUB_PSEUDONYM_KEY"):
        pseudonymise("111222333", key)


# -- M2: a remote OPA only with its API token -----------------------------------------------------------------

OPA_URL = "http://opa:8181"
GOOD_OPA_TOKEN = "k" * 43  # fixed, so that parallel test workers collect the same test ids


def _with_opa_token(tmp_path: Path, content: str | None) -> dict:
    values = {**_production_keys(tmp_path), "opa_url": OPA_URL}
    if content is not None:
        path = tmp_path / "opa-token"
        path.write_text(content)
        values["opa_token_file"] = path
    return values


def test_remote_opa_without_token_is_refused_outside_development(tmp_path):
    """HUB_OPA_URL without HUB_OPA_TOKEN_FILE is refused outside development, naming both settings."""
    with pytest.raises(ConfigurationError, match="HUB_OPA_URL is set without HUB_OPA_TOKEN_FILE"):
        Settings(**_with_opa_token(tmp_path, None)).check_safe()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "is empty"),
        ("\n \t\n", "is empty"),
        ("short-token\n", "11 characters; at least 32"),
        ("k" * 31, "31 characters; at least 32"),
        ("k" * 20 + " " + "k" * 20, "without spaces"),
        ("é" * 40, "printable ASCII"),
        ("k" * 40 + "\x00", "printable ASCII"),
    ],
)
def test_weak_or_malformed_opa_token_is_refused(tmp_path, content, reason):
    """The OPA token must be one printable ASCII word of at least 32 characters outside development."""
    with pytest.raises(ConfigurationError, match=f"HUB_OPA_TOKEN_FILE.*{reason}"):
        Settings(**_with_opa_token(tmp_path, content)).check_safe()


def test_unreadable_opa_token_file_is_refused(tmp_path):
    """A token file that does not exist is a configuration error naming the setting, not a crash."""
    values = {**_with_opa_token(tmp_path, None), "opa_token_file": tmp_path / "absent"}
    with pytest.raises(ConfigurationError, match="HUB_OPA_TOKEN_FILE cannot be read"):
        Settings(**values).check_safe()


def test_opa_token_is_read_with_whitespace_stripped(tmp_path):
    """A good token file passes the check; the token is read without its surrounding whitespace."""
    settings = Settings(**_with_opa_token(tmp_path, f"  {GOOD_OPA_TOKEN}\n"))
    settings.check_safe()
    assert settings.read_opa_token() == GOOD_OPA_TOKEN
    assert GOOD_OPA_TOKEN not in repr(settings)  # the settings hold the file's path, never the token


def test_development_may_use_an_opa_without_token():
    """In development an OPA without authentication (a local stand-in) is allowed."""
    settings = Settings(env="dev", opa_url="http://127.0.0.1:8181")
    settings.check_safe()
    assert settings.read_opa_token() is None
