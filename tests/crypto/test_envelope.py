"""Envelope encryption: AES-256-GCM under per-case data keys wrapped by the KEK; crypto-shredding."""

from __future__ import annotations

import base64
import os
from datetime import date

import pytest
from sqlmodel import Session, select

from hub.cases.models import Case
from hub.crypto.envelope import ContentDestroyed, Envelope, EnvelopeError, destroy_key, live_keys
from hub.crypto.models import CaseKey

KEK = os.urandom(32)


def _case(session: Session) -> str:
    case = Case(
        region="gooi-en-vechtstreek",
        municipality="GM0402",
        subject_pseudonym="a" * 64,
        prison="PI Nieuwegein",
        detention_started_on=date(2026, 11, 2),
        started_notification_id="n-1",
    )
    session.add(case)
    session.commit()
    return case.id


def test_round_trip_and_key_row(session: Session) -> None:
    """Encrypt then decrypt returns the plaintext; the data key is stored wrapped, never in the clear."""
    envelope = Envelope(KEK)
    case_id = _case(session)
    ciphertext = envelope.encrypt(session, case_id, "identity", b"geheim 111222333")
    session.commit()
    assert b"111222333" not in ciphertext
    assert envelope.decrypt(session, case_id, "identity", ciphertext) == b"geheim 111222333"
    key = session.exec(select(CaseKey).where(CaseKey.case_id == case_id)).one()
    assert key.scope == "case" and key.kek_id == envelope.kek_id
    assert key.wrapped_key is not None and len(key.wrapped_key) == 12 + 32 + 16


def test_scopes_have_their_own_keys(session: Session) -> None:
    """Each scope (activity) gets its own data key for the same case."""
    envelope = Envelope(KEK)
    case_id = _case(session)
    envelope.encrypt(session, case_id, "answer:1", b"x", scope="reintegration")
    envelope.encrypt(session, case_id, "identity", b"y")
    assert sorted(k.scope for k in live_keys(session, case_id)) == ["case", "reintegration"]


@pytest.mark.parametrize(
    ("case_change", "purpose", "scope"),
    [
        (True, "identity", "case"),
        (False, "plan", "case"),
        (False, "identity", "reintegration"),
    ],
)
def test_ciphertext_is_bound_to_case_purpose_and_scope(
    session: Session, case_change: bool, purpose: str, scope: str
) -> None:
    """A ciphertext moved to another case, purpose or scope does not decrypt."""
    envelope = Envelope(KEK)
    case_id = _case(session)
    other = _case(session)
    envelope.encrypt(session, other, "identity", b"other")
    envelope.encrypt(session, case_id, "identity", b"z", scope="reintegration")
    ciphertext = envelope.encrypt(session, case_id, "identity", b"secret")
    with pytest.raises(EnvelopeError):
        envelope.decrypt(session, other if case_change else case_id, purpose, ciphertext, scope=scope)


def test_tampered_ciphertext_is_refused(session: Session) -> None:
    """Flipping one bit of the ciphertext makes decryption fail (GCM tag)."""
    envelope = Envelope(KEK)
    case_id = _case(session)
    ciphertext = bytearray(envelope.encrypt(session, case_id, "identity", b"secret"))
    ciphertext[-1] ^= 1
    with pytest.raises(EnvelopeError):
        envelope.decrypt(session, case_id, "identity", bytes(ciphertext))


def test_wrong_kek_cannot_unwrap(session: Session) -> None:
    """Another key-encryption key cannot unwrap the data key."""
    case_id = _case(session)
    ciphertext = Envelope(KEK).encrypt(session, case_id, "identity", b"secret")
    with pytest.raises(EnvelopeError):
        Envelope(os.urandom(32)).decrypt(session, case_id, "identity", ciphertext)


def test_destroyed_key_makes_content_unreadable(session: Session) -> None:
    """After the key is destroyed, decrypt raises ContentDestroyed and new content is refused too."""
    envelope = Envelope(KEK)
    case_id = _case(session)
    ciphertext = envelope.encrypt(session, case_id, "identity", b"secret")
    key = session.get(CaseKey, (case_id, "case"))
    destroy_key(session, key)
    session.commit()
    stored = session.get(CaseKey, (case_id, "case"), populate_existing=True)
    assert stored.wrapped_key is None and stored.destroyed_at is not None
    with pytest.raises(ContentDestroyed) as refused:
        envelope.decrypt(session, case_id, "identity", ciphertext)
    assert refused.value.status == 410
    with pytest.raises(ContentDestroyed):
        envelope.encrypt(session, case_id, "identity", b"new")


def test_kek_must_be_32_bytes() -> None:
    """A key-encryption key of the wrong length is refused at construction."""
    with pytest.raises(ValueError, match="32 bytes"):
        Envelope(base64.b64decode(base64.b64encode(os.urandom(16))))
