"""The hub's token-signing key (RSA, RS256) and the public JWKS it publishes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from hub.config import ConfigurationError

TOKEN_ALGORITHM = "RS256"  # noqa: S105 - an algorithm name, not a secret


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The private signing key, its kid (RFC 7638 thumbprint) and the public key set for verifiers."""

    private: RSAKey
    kid: str
    public_set: KeySet

    @classmethod
    def from_pem_file(cls, path: Path | None, previous_public: Path | None = None) -> SigningKey:
        """Load the signing key; `previous_public` is a JWKS of retired public keys that stay published and
        accepted while tokens they signed may still be alive (key rotation, at most the token lifetime)."""
        if path is None:
            raise ConfigurationError("HUB_TOKEN_SIGNING_KEY_FILE is not set")
        try:
            private = RSAKey.import_key(path.read_bytes(), {"use": "sig", "alg": TOKEN_ALGORITHM})
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"token signing key {path} is unreadable: {type(error).__name__}") from None
        if not private.is_private:
            raise ConfigurationError(f"token signing key {path} is not a private key")
        private.ensure_kid()  # a PEM file names no kid: it is the RFC 7638 thumbprint
        kid = private.kid
        if kid is None:  # ensure_kid() sets it; a key without one could not be published
            raise ConfigurationError(f"token signing key {path} has no key id")
        public = RSAKey.import_key(private.as_dict(private=False))
        return cls(private=private, kid=kid, public_set=KeySet([public, *_previous_keys(previous_public, kid)]))

    def jwks(self) -> dict[str, Any]:
        """The public JWKS (never a private member)."""
        return dict(self.public_set.as_dict(private=False))


def _previous_keys(path: Path | None, current_kid: str) -> list[RSAKey]:
    """Retired public keys from a JWKS file: RSA, public only, each with its thumbprint as kid."""
    if path is None:
        return []
    try:
        members = json.loads(path.read_text())["keys"]
        keys = [RSAKey.import_key(member) for member in members]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(f"previous token keys {path} are unreadable: {type(error).__name__}") from None
    if any(key.is_private for key in keys):
        raise ConfigurationError(f"previous token keys {path} hold a private key; publish public keys only")
    return [
        RSAKey.import_key(key.as_dict(private=False), {"kid": key.thumbprint(), "use": "sig", "alg": TOKEN_ALGORITHM})
        for key in keys
        if key.thumbprint() != current_kid
    ]
