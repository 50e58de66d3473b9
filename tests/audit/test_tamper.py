"""Tamper evidence beyond the last checkpoint (review H6): authenticated appends, a sealer that verifies before
it signs, and verification that fails on a too long or too old unsealed tail."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session
from structlog.testing import capture_logs

from hub.audit import mac
from hub.audit.canonical import record_hash
from hub.audit.checkpoints import seal
from hub.audit.errors import SealRefused
from hub.audit.export import export_log
from hub.audit.models import AuditCheckpoint, AuditRecord
from hub.audit.service import record
from hub.audit.verify import SealLimits, verify_database
from hub.audit.verify_export import verify_export
from hub.config import ConfigurationError, Settings
from tests.audit.conftest import ZVH_OIN, append, bypass_append_only

LIMITS = SealLimits(max_age=dt.timedelta(hours=2), max_unsealed=100)


def _forge_insert(engine, subject: str) -> int:
    """The attacker with DML rights (no key): a well-formed, correctly chained record by plain INSERT."""
    with Session(engine) as attacker:
        head = attacker.execute(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()
        forged = AuditRecord(
            **{
                **head.model_dump(),
                "seq": head.seq + 1,
                "record_id": "f" * 36,
                "event_type": "data_read",
                "to_actor": "innocent-employee",
                "prev_hash": head.hash,
                "mac": None,
            }
        )
        forged.hash = record_hash(forged.model_dump())
        attacker.add(forged)
        attacker.commit()
        return forged.seq


def _rewrite_tail(engine, from_seq: int) -> None:
    """The table owner: triggers off, change an actor at from_seq and rehash the chain after it."""
    bypass_append_only(engine)
    with Session(engine) as owner:
        rows = (
            owner.execute(select(AuditRecord).where(AuditRecord.seq >= from_seq).order_by(AuditRecord.seq))
            .scalars()
            .all()
        )
        prev = owner.execute(select(AuditRecord.hash).where(AuditRecord.seq == from_seq - 1)).scalar_one()
        updates = []
        for index, row in enumerate(rows):
            values = {**row.model_dump(), "prev_hash": prev}
            if index == 0:
                values["to_actor"] = "someone-else"
            prev = record_hash(values)
            updates.append({"seq": row.seq, "actor": values["to_actor"], "prev": values["prev_hash"], "hash": prev})
        owner.rollback()
    with engine.begin() as connection:
        for update in updates:
            connection.execute(
                text("UPDATE audit_record SET to_actor = :actor, prev_hash = :prev, hash = :hash WHERE seq = :seq"),
                update,
            )


def _checkpoints(engine) -> int:
    with Session(engine) as reader:
        return reader.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one()


def test_every_appended_record_carries_its_mac(session, subject, log_mac_key):
    """record() stores HMAC-SHA256(log MAC key, hash) beside the hash."""
    [entry] = append(session, subject, 1)
    assert entry.mac == mac.record_mac(log_mac_key, entry.hash) and len(entry.mac) == 64


def test_forged_insert_is_detected_with_the_mac_key(engine, session, subject, signer, log_mac_key):
    """A chained, well-formed record added by plain INSERT fails live verification with the key."""
    append(session, subject, 3)
    seal(session, signer)
    session.commit()
    forged = _forge_insert(engine, subject)
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, forged, "unauthenticated")
    assert verify_database(engine, signer.verifier).ok  # the public key alone cannot see it (documented)


def test_rehashed_tail_after_the_last_checkpoint_is_detected(engine, session, subject, signer, log_mac_key):
    """Records after the checkpoint changed and rehashed: the first changed one is named."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 3)
    _rewrite_tail(engine, 4)
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 4, "unauthenticated")


@pytest.mark.parametrize("attack", ["forged_insert", "rehashed_tail"])
def test_sealer_refuses_to_seal_a_tampered_tail(engine, session, subject, signer, log_mac_key, attack):
    """The sealer verifies the segment since the last checkpoint; tampered, it logs and signs nothing."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 3)
    bad = _forge_insert(engine, subject) if attack == "forged_insert" else (_rewrite_tail(engine, 4) or 4)
    with Session(engine) as sealer, capture_logs() as events, pytest.raises(SealRefused) as refused:
        seal(sealer, signer)
    assert refused.value.status == 409 and refused.value.code == "audit_seal_refused"
    assert {
        "event": "audit.seal_refused",
        "first_bad_seq": bad,
        "reason": "unauthenticated",
        "log_level": "error",
    } in events
    assert _checkpoints(engine) == 1
    assert not verify_database(engine, signer.verifier, mac_key=log_mac_key).ok


def test_sealer_refuses_when_the_sealed_head_was_rewritten(engine, session, subject, signer):
    """The record a checkpoint sealed no longer has the sealed hash: no new checkpoint is signed."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 1)
    bypass_append_only(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_record SET hash = :h WHERE seq = 2"), {"h": "e" * 64})
    with Session(engine) as sealer, pytest.raises(SealRefused):
        seal(sealer, signer)
    assert _checkpoints(engine) == 1


def test_sealer_seals_an_intact_tail(engine, session, subject, signer):
    """An untouched tail is verified and sealed as before."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 2)
    with Session(engine, expire_on_commit=False) as sealer:
        checkpoint = seal(sealer, signer)
        sealer.commit()
    assert checkpoint is not None and checkpoint.seq == 4 and _checkpoints(engine) == 2


def test_too_long_unsealed_tail_fails_verification(engine, session, subject, signer, log_mac_key):
    """More unsealed records than allowed: ok is false with a clear reason, the first unsealed one named."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 4)
    limits = SealLimits(max_age=dt.timedelta(hours=2), max_unsealed=3)
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key, limits=limits)
    assert (result.ok, result.reason, result.first_bad_seq, result.unsealed) == (False, "unsealed_tail_too_long", 3, 4)
    assert result.problems and verify_database(engine, signer.verifier, mac_key=log_mac_key, limits=LIMITS).ok


def test_stale_checkpoint_with_records_after_it_fails_verification(engine, session, subject, signer):
    """The newest checkpoint is older than allowed while records follow it: stale_seal."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 1)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    result = verify_database(engine, signer.verifier, limits=LIMITS, now=later)
    assert (result.ok, result.reason, result.first_bad_seq) == (False, "stale_seal", 3)
    sealed = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert verify_database(engine, signer.verifier, limits=LIMITS, now=sealed).ok


def test_an_old_but_fully_sealed_log_verifies(engine, session, subject, signer):
    """A quiet log (no records after the newest checkpoint) is fine however old the checkpoint."""
    append(session, subject, 2)
    seal(session, signer)
    session.commit()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert verify_database(engine, signer.verifier, limits=LIMITS, now=later).ok


def test_integrity_route_checks_macs(client, auth_headers, engine, session, subject, signer):
    """GET /v1/audit/integrity verifies with the hub's MAC key: a forged INSERT makes it report not ok."""
    append(session, subject, 2)
    forged = _forge_insert(engine, subject)
    body = client.get("/v1/audit/integrity", headers=auth_headers("fg-gooi-en-vechtstreek")).json()
    assert body["verification"]["ok"] is False
    assert (body["verification"]["first_bad_seq"], body["verification"]["reason"]) == (forged, "unauthenticated")


def test_export_refuses_to_seal_a_forged_tail(engine, session, subject, signer, log_mac_key, tmp_path):
    """An export seals first; a forged INSERT after the last checkpoint makes the seal, and so the export, refuse
    (issue 12 item 2: seal or refuse), and the export's records carry their MACs for --with-mac."""
    append(session, subject, 2)
    clean = tmp_path / "clean.jsonl"
    export_log(engine, signer, clean)
    assert verify_export(clean, signer.verifier, log_mac_key).ok
    assert all("mac" in json.loads(line) for line in clean.read_text().splitlines()[2:])
    _forge_insert(engine, subject)
    tampered = tmp_path / "tampered.jsonl"
    with pytest.raises(SealRefused):
        export_log(engine, signer, tampered)
    assert not tampered.exists()


def test_record_without_any_mac_key_is_written_unauthenticated_and_caught(
    engine, session, subject, signer, log_mac_key, monkeypatch
):
    """A process with no key still writes (and warns), and verification with the key names the record."""
    monkeypatch.setattr(mac, "current_key", lambda: None)
    entry = record(session, event_type="inspection", subject_pseudonym=None, to_oin=ZVH_OIN)
    session.commit()
    assert entry.mac is None
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key)
    assert (result.first_bad_seq, result.reason) == (entry.seq, "unauthenticated")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "missing settings.*HUB_LOG_MAC_KEY"),
        ("development", "HUB_LOG_MAC_KEY is a development secret"),
        ("c2hvcnQ=", "HUB_LOG_MAC_KEY must be exactly 32"),
        ("not base64!", "HUB_LOG_MAC_KEY is not valid base64"),
    ],
)
def test_log_mac_key_is_refused_when_missing_malformed_or_development(tmp_path, value, message):
    """Outside development HUB_LOG_MAC_KEY must be set, 32 bytes in base64, and not the development key."""
    if value == "development":
        value = Settings(env="dev", database_url="sqlite://").log_mac_key.get_secret_value()
    production = Settings(
        env="production",
        database_url="sqlite://",
        issuer="https://hub.example.nl",
        token_signing_key_file=tmp_path / "t.pem",
        log_signing_key_file=tmp_path / "l.pem",
        data_kek=base64.b64encode(b"k" * 32).decode(),
        log_mac_key=value,
        pseudonym_key=base64.b64encode(b"p" * 32).decode(),
    )
    with pytest.raises(ConfigurationError, match=message):
        production.check_safe()
    with pytest.raises(ConfigurationError):
        mac.load_key(production)
