"""The hub's Ed25519 log key: signs checkpoints; its public half verifies them, online or offline.

A checkpoint signs the RFC 8785 canonical JSON of {format, kind, seq, head_hash, signed_at, key_id}; an export's
header signs {kind: "export", format, exported_at, last_seq, key_id}.
The key id is the RFC 7638 JWK thumbprint of the public key.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.jwk import OKPKey

from hub.audit.canonical import FORMAT, canonical_bytes, format_time
from hub.audit.witness import WitnessStore
from hub.config import ConfigurationError, Settings


def checkpoint_payload(kind: str, seq: int, head_hash: str, signed_at: dt.datetime | str, key_id: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return canonical_bytes(
        {
            "format": FORMAT,
            "kind": kind,
            "seq": seq,
            "head_hash": head_hash,
            "signed_at": format_time(signed_at),
            "key_id": key_id,
        }
    )


def export_header_payload(header: dict[str, Any]) -> bytes:
    """The exact bytes an export header's signature covers: its last sequence number above all, so that an
    export cut short (records and checkpoints dropped, `last_seq` set back) no longer verifies."""
    return canonical_bytes(
        {
            "kind": "export",
            "format": header["format"],
            "exported_at": header["exported_at"],
            "last_seq": header["last_seq"],
            "key_id": header["key_id"],
        }
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class LogVerifier:
    """The public log key: checks checkpoint signatures. `retired` are the keys the hub signed with before a
    rotation (HUB_LOG_PREVIOUS_PUBLIC_KEYS_FILE): a checkpoint, stored or witnessed, verifies with the key its
    `key_id` names when that key is the current one or one of these; an unknown key id fails."""

    public_key: Ed25519PublicKey
    retired: tuple[LogVerifier, ...] = ()
    _by_key_id: dict[str, LogVerifier] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        known = {older.key_id: older for older in self.retired}
        object.__setattr__(self, "_by_key_id", {**known, self.key_id: self})

    def key_for(self, key_id: object) -> LogVerifier | None:
        """The known key with this key id (the current one or a retired one), else None."""
        return self._by_key_id.get(key_id) if isinstance(key_id, str) else None

    def verify_checkpoint(self, checkpoint: Mapping[str, Any]) -> bool:
        """True when a checkpoint (a row's fields, an export line, a witness file) is signed by the key its
        key_id names, and the hub knows that key."""
        try:
            key = self.key_for(checkpoint["key_id"])
            if key is None or type(checkpoint["seq"]) is not int:
                return False
            payload = checkpoint_payload(
                checkpoint["kind"],
                checkpoint["seq"],
                checkpoint["head_hash"],
                checkpoint["signed_at"],
                checkpoint["key_id"],
            )
            return key.verify(checkpoint["signature"], payload)
        except (KeyError, TypeError, ValueError):
            return False

    def retired_after_current(self, checkpoints: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
        """The first checkpoint (by position) signed by a retired key beyond the first one the current key signed,
        else None. After a rotation the hub signs only with the current key, so such a checkpoint was made with a
        key that was retired (perhaps because it leaked); it may not vouch for records beyond that position."""
        signed = [cp for cp in checkpoints if type(cp.get("seq")) is int]
        current = [cp["seq"] for cp in signed if cp.get("key_id") == self.key_id]
        if not current:
            return None
        late = [cp for cp in signed if cp.get("key_id") != self.key_id and cp["seq"] > min(current)]
        return min(late, key=lambda cp: cp["seq"]) if late else None

    @property
    def jwks(self) -> list[dict[str, Any]]:
        """The current key's JWK first, then the retired ones (for `from_jwks` in another process)."""
        return [self.jwk, *(older.jwk for older in self.retired)]

    @classmethod
    def from_jwks(cls, jwks: list[dict[str, Any]]) -> LogVerifier:
        current, *older = jwks
        return cls(cls.from_jwk(current).public_key, tuple(cls.from_jwk(jwk) for jwk in older))

    @property
    def jwk(self) -> dict[str, Any]:
        pem = self.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        key = OKPKey.import_key(pem)
        return {**key.as_dict(private=False), "kid": key.thumbprint(), "alg": "EdDSA", "use": "sig"}

    @property
    def key_id(self) -> str:
        return self.jwk["kid"]

    def verify(self, signature: str, payload: bytes) -> bool:
        try:
            self.public_key.verify(_b64url_decode(signature), payload)
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> LogVerifier:
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" in jwk:
            raise ValueError("the log key must be a public Ed25519 JWK (kty OKP, crv Ed25519)")
        return cls(Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"])))


@dataclass(frozen=True, slots=True)
class LogSigner:
    """The private log key, and the witness store every checkpoint it seals is also written to."""

    private_key: Ed25519PrivateKey
    verifier: LogVerifier
    witness: WitnessStore | None = None

    def sign(self, payload: bytes) -> str:
        return _b64url(self.private_key.sign(payload))


def load_signer(settings: Settings) -> LogSigner:
    """Load the Ed25519 log key named by the settings; refuse a missing or unsuitable key."""
    path = settings.log_signing_key_file
    if path is None:
        raise ConfigurationError("HUB_LOG_SIGNING_KEY_FILE is not set: the disclosure log cannot be sealed")
    if settings.env != "dev":
        settings.check_safe()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"HUB_LOG_SIGNING_KEY_FILE cannot be read as a PEM private key ({path})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError("HUB_LOG_SIGNING_KEY_FILE must hold an Ed25519 private key")
    witness = WitnessStore(settings.log_witness_dir) if settings.log_witness_dir is not None else None
    return LogSigner(key, LogVerifier(key.public_key(), _retired_keys(settings)), witness)


def _retired_keys(settings: Settings) -> tuple[LogVerifier, ...]:
    """The log keys of before a rotation (a JWKS of public Ed25519 keys); none when the setting is not set."""
    path = settings.log_previous_public_keys_file
    if path is None:
        return ()
    try:
        return tuple(LogVerifier.from_jwk(jwk) for jwk in json.loads(path.read_text(encoding="utf-8"))["keys"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"HUB_LOG_PREVIOUS_PUBLIC_KEYS_FILE must be a JWKS of public Ed25519 keys ({path})"
        ) from exc
