"""Rotation of the hub's token-signing key: retired public keys stay published and accepted for a while."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey

from hub.auth.keys import SigningKey
from hub.config import ConfigurationError
from hub.main import create_app
from partners.client import DEV_KEYS, HubClient
from tests.auth.conftest import HILVERSUM_SOCIAL

BASE = "http://127.0.0.1:8000"


def _new_key(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def _public_jwks(pem: Path, path: Path, *, private: bool = False) -> Path:
    key = RSAKey.import_key(pem.read_bytes())
    path.write_text(json.dumps({"keys": [key.as_dict(private=private)]}))
    return path


def _token_from(app) -> str:
    with TestClient(app, base_url=BASE) as http:
        return HubClient(
            HILVERSUM_SOCIAL, DEV_KEYS / f"{HILVERSUM_SOCIAL}.key.pem", base_url=BASE, actor="medewerker-1", http=http
        ).access_token()


def _me(app, token: str) -> int:
    with TestClient(app, base_url=BASE) as http:
        return http.get(
            "/v1/me", headers={"Authorization": f"Bearer {token}", "X-Acting-Person": "medewerker-1"}
        ).status_code


def test_token_signed_by_a_retired_key_is_accepted_while_it_is_published(settings, tmp_path):
    """After rotation the old key's tokens still work, and jwks.json lists both keys."""
    old, new = _new_key(tmp_path / "old.pem"), _new_key(tmp_path / "new.pem")
    token = _token_from(create_app(settings.model_copy(update={"token_signing_key_file": old})))
    rotated = create_app(
        settings.model_copy(
            update={
                "token_signing_key_file": new,
                "token_previous_public_keys_file": _public_jwks(old, tmp_path / "previous.json"),
            }
        )
    )
    assert _me(rotated, token) == 200
    with TestClient(rotated, base_url=BASE) as http:
        kids = {key["kid"] for key in http.get("/.well-known/jwks.json").json()["keys"]}
    assert kids == {RSAKey.import_key(old.read_bytes()).thumbprint(), RSAKey.import_key(new.read_bytes()).thumbprint()}


def test_token_signed_by_a_key_no_longer_published_is_refused(settings, tmp_path):
    """Once the retired key is dropped from the published set, its tokens are refused with 401."""
    old, new = _new_key(tmp_path / "old.pem"), _new_key(tmp_path / "new.pem")
    token = _token_from(create_app(settings.model_copy(update={"token_signing_key_file": old})))
    assert _me(create_app(settings.model_copy(update={"token_signing_key_file": new})), token) == 401


def test_previous_keys_file_with_a_private_key_is_refused(tmp_path):
    """The retired-key file must hold public keys only; a private member stops start-up."""
    old, new = _new_key(tmp_path / "old.pem"), _new_key(tmp_path / "new.pem")
    with pytest.raises(ConfigurationError, match="public keys only"):
        SigningKey.from_pem_file(new, _public_jwks(old, tmp_path / "previous.json", private=True))
