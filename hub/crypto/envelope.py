"""Envelope encryption of case content: AES-256-GCM under per-case data keys, wrapped by the KEK.

Every case has one data key per scope (hub.crypto.models.CaseKey): "case" for its own content and one per
processing activity for content exchanged under it. Each data key is wrapped (AES-256-GCM) by the
key-encryption key `settings.data_kek`; the associated data binds the wrapped key to its case and scope,
and every ciphertext to its case, scope and purpose, so a ciphertext copied to another case or column does
not decrypt. Destroying a data key (retention) makes its content unreadable for good: crypto-shredding.

Ciphertext layout: version byte 0x01 | 12-byte nonce | AES-GCM ciphertext and tag.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Depends, Request
from sqlmodel import Session, col, select

from hub.config import Settings
from hub.crypto.models import CASE_SCOPE, CaseKey
from hub.db import insert_or_existing
from hub.errors import HubError

log = structlog.get_logger(__name__)

_VERSION = b"\x01"
_NONCE_BYTES = 12


class ContentDestroyed(HubError):
    """The content's data key was destroyed under the retention rules; it can never be read again."""

    status, code, title = 410, "content_destroyed", "Inhoud vernietigd"


class EnvelopeError(RuntimeError):
    """A ciphertext or wrapped key does not decrypt: altered, moved to another case or purpose, or wrong KEK."""


class Envelope:
    """Encrypts and decrypts case content. Runs in the caller's session and transaction; never commits."""

    def __init__(self, kek: bytes) -> None:
        if len(kek) != 32:
            raise ValueError("the key-encryption key must be 32 bytes (AES-256)")
        self._kek = AESGCM(kek)
        self.kek_id = hashlib.sha256(b"dt-hub kek id" + kek).hexdigest()[:16]

    @classmethod
    def from_settings(cls, settings: Settings) -> Envelope:
        """The envelope of the settings' KEK, built once per process (it holds no per-request state)."""
        if settings.data_kek is None:
            raise ValueError("HUB_DATA_KEK is not set")
        return _envelope_for(settings.data_kek.get_secret_value())

    # -- data keys ---------------------------------------------------------------------------------

    def _wrap(self, case_id: str, scope: str, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._kek.encrypt(nonce, data_key, _key_aad(case_id, scope))

    def _unwrap(self, key: CaseKey) -> bytes:
        assert key.wrapped_key is not None
        nonce, body = key.wrapped_key[:_NONCE_BYTES], key.wrapped_key[_NONCE_BYTES:]
        try:
            return self._kek.decrypt(nonce, body, _key_aad(key.case_id, key.scope))
        except InvalidTag as exc:
            raise EnvelopeError(f"data key of case {key.case_id} ({key.scope}) does not unwrap") from exc

    def ensure_key(self, session: Session, case_id: str, scope: str = CASE_SCOPE) -> CaseKey:
        """The case's key for `scope`, created when missing. Refuses when it was destroyed."""
        key = _held(session, case_id, scope)
        if key is None:
            # One statement, no read first: INSERT ... ON CONFLICT DO UPDATE (a no-op) RETURNING gives the new key
            # or the one that exists (created earlier, or by a concurrent writer first). Pending ORM rows (a new
            # case) go first: foreign key.
            session.flush()
            key = _insert_or_existing(session, self._new_key(case_id, scope))
        if key.wrapped_key is None:
            raise ContentDestroyed(
                "De inhoud van deze casus is volgens de bewaartermijn vernietigd.", case_id=case_id, scope=scope
            )
        _hold(session, key)
        return key

    def new_case_key(self, session: Session, case_id: str, scope: str = CASE_SCOPE) -> CaseKey:
        """A fresh data key for a case this transaction creates, held for the transaction without a read (no
        other transaction can hold a key of a case that does not exist yet), so the case's content can be
        encrypted before the case row is written. The caller adds it to the session after the case's row."""
        session.connection()  # the transaction the key is held for (begun here when nothing ran yet)
        key = self._new_key(case_id, scope)
        _hold(session, key)
        return key

    def _new_key(self, case_id: str, scope: str) -> CaseKey:
        data_key = AESGCM.generate_key(bit_length=256)
        return CaseKey(
            case_id=case_id, scope=scope, kek_id=self.kek_id, wrapped_key=self._wrap(case_id, scope, data_key)
        )

    def _data_key(self, session: Session, case_id: str, scope: str, *, create: bool) -> AESGCM:
        if create:
            key = self.ensure_key(session, case_id, scope)
        else:
            found = _held(session, case_id, scope) or session.get(CaseKey, (case_id, scope))
            if found is None:
                raise EnvelopeError(f"case {case_id} has no data key for scope {scope}")
            key = found
            if key.wrapped_key is None:
                raise ContentDestroyed(
                    "De inhoud van deze casus is volgens de bewaartermijn vernietigd.",
                    case_id=case_id,
                    scope=scope,
                )
            _hold(session, key)
        return AESGCM(self._unwrap(key))

    # -- content -----------------------------------------------------------------------------------

    def encrypt(self, session: Session, case_id: str, purpose: str, plaintext: bytes, scope: str = CASE_SCOPE) -> bytes:
        """Encrypt `plaintext` for `case_id` and `purpose` under the case's key for `scope`."""
        aead = self._data_key(session, case_id, scope, create=True)
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + aead.encrypt(nonce, plaintext, _content_aad(case_id, scope, purpose))

    def decrypt(
        self, session: Session, case_id: str, purpose: str, ciphertext: bytes, scope: str = CASE_SCOPE
    ) -> bytes:
        """Decrypt; raises ContentDestroyed after retention, EnvelopeError when it does not belong here."""
        aead = self._data_key(session, case_id, scope, create=False)
        if ciphertext[:1] != _VERSION or len(ciphertext) < 1 + _NONCE_BYTES + 16:
            raise EnvelopeError("unknown ciphertext format")
        nonce, body = ciphertext[1 : 1 + _NONCE_BYTES], ciphertext[1 + _NONCE_BYTES :]
        try:
            return aead.decrypt(nonce, body, _content_aad(case_id, scope, purpose))
        except InvalidTag as exc:
            raise EnvelopeError(f"ciphertext does not decrypt for case {case_id} ({scope}/{purpose})") from exc

    def encrypt_json(self, session: Session, case_id: str, purpose: str, value: Any, scope: str = CASE_SCOPE) -> bytes:
        data = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()
        return self.encrypt(session, case_id, purpose, data, scope)

    def decrypt_json(
        self, session: Session, case_id: str, purpose: str, ciphertext: bytes, scope: str = CASE_SCOPE
    ) -> Any:
        return json.loads(self.decrypt(session, case_id, purpose, ciphertext, scope))


@lru_cache(maxsize=4)
def _envelope_for(kek_base64: str) -> Envelope:
    return Envelope(base64.b64decode(kek_base64, validate=True))


def live_keys(session: Session, case_id: str) -> list[CaseKey]:
    """The case's keys that still exist (not yet destroyed)."""
    statement = select(CaseKey).where(col(CaseKey.case_id) == case_id, col(CaseKey.wrapped_key).is_not(None))
    return list(session.exec(statement))


def destroy_key(session: Session, key: CaseKey, now: datetime | None = None) -> None:
    """Delete the wrapped data key: everything encrypted under it becomes unreadable. Never commits."""
    session.info.pop(_HELD, None)
    key.wrapped_key = None
    key.destroyed_at = now or datetime.now(UTC)
    session.add(key)
    session.flush()
    log.info("crypto.key_destroyed", case_id=key.case_id, scope=key.scope)


# The live keys a transaction has read or created, held for the rest of that transaction (and that savepoint
# level): SQLAlchemy's identity map is weak, so without this a second encryption or decryption in the same
# request read the key again. Another transaction, a savepoint, or a destroyed key starts afresh.
_HELD = "hub.crypto.held_keys"


def _held(session: Session, case_id: str, scope: str) -> CaseKey | None:
    held = session.info.get(_HELD)
    if held is None or held[0] is not session.get_transaction() or held[1] is not session.get_nested_transaction():
        return None
    return held[2].get((case_id, scope))


def _hold(session: Session, key: CaseKey) -> None:
    held = session.info.get(_HELD)
    transaction, nested = session.get_transaction(), session.get_nested_transaction()
    if transaction is None:
        return
    if held is None or held[0] is not transaction or held[1] is not nested:
        keys: dict[tuple[str, str], CaseKey] = {}
        held = session.info[_HELD] = (transaction, nested, keys)
    held[2][(key.case_id, key.scope)] = key


def _insert_or_existing(session: Session, key: CaseKey) -> CaseKey:
    """`key` stored, or the key of its case and scope that exists (destroyed or not), as the row holds it."""
    values = {
        "case_id": key.case_id,
        "scope": key.scope,
        "wrapped_key": key.wrapped_key,
        "kek_id": key.kek_id,
        "created_at": key.created_at,
        "destroyed_at": None,
    }
    row = insert_or_existing(session, CaseKey, values, ["case_id", "scope"], unchanged="kek_id")
    if row.wrapped_key == key.wrapped_key:  # (a fresh random wrap: equal only when this call stored it)
        return key
    return CaseKey(**row._mapping)  # the key that existed (destroyed or not), as its row holds it now


def _key_aad(case_id: str, scope: str) -> bytes:
    return f"dt-hub:case-key:v1:{case_id}:{scope}".encode()


def _content_aad(case_id: str, scope: str, purpose: str) -> bytes:
    return f"dt-hub:content:v1:{case_id}:{scope}:{purpose}".encode()


async def get_envelope(request: Request) -> Envelope:
    # async: pure and quick, so FastAPI runs it on the event loop instead of handing it to a worker thread
    return Envelope.from_settings(request.app.state.settings)


EnvelopeDep = Annotated[Envelope, Depends(get_envelope)]
