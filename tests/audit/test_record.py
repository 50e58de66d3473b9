"""record(): the only way into the disclosure log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from hub.audit.canonical import GENESIS_HASH, SUBJECT_ID_TYPE, record_hash
from hub.audit.errors import AuditWriteFailed
from hub.audit.models import AuditRecord
from hub.audit.service import InvalidAuditRecord, record
from hub.audit.trace import TraceContext
from hub.audit.verify import verify_database
from hub.db import make_engine
from tests.audit.conftest import DEMO_BSN, ZVH_OIN, append
from tests.support.policy_standins import Activity, Decision


def _count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()


def test_record_holds_every_field_and_chains(session, subject):
    """Two records: the second's prev_hash is the first's hash, and each hash is over its canonical JSON."""
    first, second = append(session, subject, 2)
    stored = session.get(AuditRecord, 2)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and stored.prev_hash == first.hash
    assert stored.hash == record_hash(stored.model_dump())
    assert stored.subject_pseudonym == subject and stored.subject_id_type == SUBJECT_ID_TYPE
    assert stored.activity_id == "reintegration" and stored.activity_version == "1.0.0"
    assert stored.legal_basis.startswith("Pbw art. 18a") and stored.retention_days == 730
    assert stored.confidentiality == "vertrouwelijk" and stored.decision_id == "dec-1"
    assert stored.categories_released == ["housing", "income"] and stored.categories_withheld == ["care"]
    assert stored.denial_reasons == {"care": "no_consent"} and stored.to_oin == ZVH_OIN


def test_record_takes_the_callers_trace(session, subject):
    """The trace id, span id and the partner's parent span land in the record."""
    trace = TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "a3ce929d0e0e4736")
    entry = record(session, event_type="data_read", subject_pseudonym=subject, trace=trace)
    assert (entry.trace_id, entry.span_id, entry.parent_span_id) == (
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
        "a3ce929d0e0e4736",
    )


def test_event_time_with_an_offset_is_stored_in_utc(engine, session, subject, signer):
    """An event time given as 21:00+01:00 is kept as 20:00 UTC, and the chain still verifies."""
    amsterdam = dt.timezone(dt.timedelta(hours=1))
    entry = record(
        session,
        event_type="data_read",
        subject_pseudonym=subject,
        event_time=dt.datetime(2026, 11, 22, 21, 0, tzinfo=amsterdam),
    )
    session.commit()
    assert verify_database(engine, signer.verifier).ok
    stored = session.get(AuditRecord, entry.seq)  # read back from the database (record() inserts with Core)
    assert (stored.event_time.hour, stored.event_time.minute) == (20, 0)


def test_record_runs_in_the_callers_transaction(session, subject):
    """A rolled-back disclosure leaves no record: record() flushes, never commits."""
    record(session, event_type="data_released", subject_pseudonym=subject)
    session.rollback()
    assert _count(session) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"event_type": "data_leaked"}, "unknown event_type"),
        ({"subject_pseudonym": DEMO_BSN}, "never a BSN"),
        ({"subject_pseudonym": None}, "exactly one data subject"),
        ({"from_oin": "12345"}, "from_oin"),
        ({"from_oin": "0" * 20 + "\n"}, "from_oin"),
        ({"subject_pseudonym": "a" * 64 + "\n"}, "subject_pseudonym"),
        ({"to_actor": "a\nforged line"}, "to_actor"),
        ({"categories_released": ["housing", "DROP TABLE"]}, "categories_released"),
        ({"denial_reasons": {"care": "no consent; see BSN 999993653"}}, "denial_reasons"),
        ({"case_id": "../../etc"}, "case_id"),
        ({"decision": Decision(policy_revision="sha256:" + "a" * 100)}, "policy_revision is longer"),
        ({"activity": Activity(name="x" * 201)}, "purpose is longer"),
    ],
)
def test_record_refuses_malformed_fields(session, subject, overrides, message):
    """A malformed field raises before anything is written."""
    fields = {"event_type": "data_released", "subject_pseudonym": subject, **overrides}
    with pytest.raises(InvalidAuditRecord, match=message):
        record(session, **fields)
    session.rollback()
    assert _count(session) == 0


def test_record_fails_closed_when_the_log_cannot_be_written(tmp_path, subject):
    """Without a writable log table the write raises AuditWriteFailed (503), so the caller releases nothing."""
    engine = make_engine(f"sqlite:///{tmp_path / 'unmigrated.db'}")
    with Session(engine) as session, pytest.raises(AuditWriteFailed) as caught:
        record(session, event_type="data_released", subject_pseudonym=subject)
    assert caught.value.status == 503 and caught.value.code == "audit_unavailable"
    engine.dispose()
