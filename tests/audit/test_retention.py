"""Retention: the oldest segment is pruned only behind a signed anchor, and verification starts there."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from hub.audit.checkpoints import seal
from hub.audit.errors import PruneRefused
from hub.audit.models import AuditCheckpoint, AuditRecord
from hub.audit.retention import prune
from hub.audit.verify import verify_database
from tests.audit.conftest import DJI_OIN, append, bypass_append_only


def _retention_now(settings, first_kept: AuditRecord) -> dt.datetime:
    """The moment at which every record before `first_kept` has passed the retention period."""
    recorded = first_kept.recorded_time
    recorded = recorded if recorded.tzinfo else recorded.replace(tzinfo=dt.UTC)
    return recorded + dt.timedelta(days=settings.log_retention_days)


def _seqs(engine) -> list[int]:
    with Session(engine) as reader:
        return list(reader.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars())


def test_prune_anchors_then_removes_the_old_segment(engine, session, subject, signer, settings):
    """Old records go behind a signed anchor, a log_pruned record follows, and verification starts there."""
    records = append(session, subject, 5)
    with Session(engine) as pruner:
        result = prune(pruner, signer, settings, now=_retention_now(settings, records[3]))
        pruner.commit()
    assert (result.anchor_seq, result.removed) == (3, 3)
    with Session(engine) as reader:
        anchor = reader.execute(select(AuditCheckpoint).where(AuditCheckpoint.kind == "anchor")).scalar_one()
        pruned = reader.get(AuditRecord, 6)
    assert _seqs(engine) == [4, 5, 6] and anchor.seq == 3 and anchor.head_hash == records[2].hash
    assert pruned.event_type == "log_pruned" and pruned.prev_hash == records[4].hash
    verification = verify_database(engine, signer.verifier)
    assert verification.ok and (verification.anchor_seq, verification.first_seq) == (3, 4)


def test_nothing_is_pruned_within_the_retention_period(engine, session, subject, signer, settings):
    """Records younger than the retention period stay; no anchor is written."""
    append(session, subject, 3)
    assert prune(session, signer, settings) is None
    session.commit()
    assert _seqs(engine) == [1, 2, 3]


def test_a_damaged_segment_is_not_pruned(engine, session, subject, signer, settings):
    """When the segment to prune does not verify, nothing is anchored or removed."""
    records = append(session, subject, 4)
    bypass_append_only(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_record SET to_oin = :oin WHERE seq = 2"), {"oin": DJI_OIN})
    with Session(engine) as pruner, pytest.raises(PruneRefused) as refused:
        prune(pruner, signer, settings, now=_retention_now(settings, records[3]))
    assert refused.value.extra["first_bad_seq"] == 2
    assert _seqs(engine) == [1, 2, 3, 4]


def test_a_forged_anchor_does_not_pass_verification(engine, session, subject, signer):
    """An attacker who writes an unsigned anchor and deletes below it is caught: verification fails at 1."""
    records = append(session, subject, 4)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_checkpoint (kind, seq, head_hash, signed_at, key_id, signature) "
                "VALUES ('anchor', 2, :hash, :now, :kid, :sig)"
            ),
            {"hash": records[1].hash, "now": dt.datetime.now(dt.UTC), "kid": signer.verifier.key_id, "sig": "A" * 86},
        )
        connection.execute(text("SELECT 1"))
    bypass_append_only(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_record WHERE seq <= 2"))
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 2, "checkpoint_signature")


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_postgres_needs_the_prune_setting_even_below_an_anchor(engine, session, subject, signer):
    """On PostgreSQL a DELETE below a signed anchor is still refused outside the prune function."""
    append(session, subject, 3)
    records = session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars().all()
    seal(session, signer, kind="anchor", seq=2, head_hash=records[1].hash)
    session.commit()
    with pytest.raises(Exception, match="append-only: DELETE"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_record WHERE seq = 1"))
    assert _seqs(engine) == [1, 2, 3]
