"""Statistics rows reach `monitoring_fact` in batches of several cases, in the order of fresh random keys
(second reader's finding: a case's rows written one after another beside its `statistics_written` record, which
names the case, could be tied back to it by their physical order). Through the real services and database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from hub.monitoring import facts, snapshot
from hub.monitoring.models import MonitoringFact, MonitoringPending, MonitoringSnapshot

REGION, BLARICUM, YEAR = "gooi-en-vechtstreek", "GM0376", 2025


def _closed_cases(session: Session, count: int, municipality: str = BLARICUM) -> list[str]:
    """`count` closed cases of `municipality`, detention started in YEAR, each writing its `case` group."""
    ids = []
    for n in range(count):
        case = Case(
            region=REGION,
            municipality=municipality,
            subject_pseudonym=f"{municipality}-{n}".ljust(64, "0"),
            state="closed",
            prison="PI Nieuwegein",
            detention_started_on=date(YEAR, 1 + n, 10),
            detention_ended_on=date(YEAR, 1 + n, 20),
            started_notification_id=f"PI-NWG-BATCH-{municipality}-{n}",
            closed_at=datetime.now(UTC),
        )
        session.add(case)
        session.flush()
        assert facts.write_closed_case(session, case) is True
        ids.append(case.id)
    session.commit()
    return ids


def _count(session: Session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _physical_order(session: Session) -> list[str]:
    """The fact rows' keys in the order they were written: SQLite's rowid, PostgreSQL's heap position."""
    position = "rowid" if session.get_bind().dialect.name == "sqlite" else "ctid"
    return list(session.execute(sa.text(f"SELECT id FROM monitoring_fact ORDER BY {position}")).scalars())  # noqa: S608  # a fixed column name


def test_rows_wait_until_five_cases_then_move_together_in_random_key_order(session: Session):
    """Four closed cases of Blaricum: their rows wait, none is a fact. The fifth: all five cases' rows move at
    once, written in the order of their new random keys, and nothing of the batch waits any more."""
    _closed_cases(session, facts.BATCH - 1)
    assert _count(session, MonitoringFact) == 0
    assert _count(session, MonitoringPending, MonitoringPending.measure == "case") == facts.BATCH - 1
    written = _count(session, AuditRecord, AuditRecord.event_type == "statistics_written")

    _closed_cases(session, 1)  # the fifth, in a transaction of its own

    assert _count(session, MonitoringPending) == 0
    assert _count(session, MonitoringFact, MonitoringFact.measure == "case") == facts.BATCH
    assert _count(session, AuditRecord, AuditRecord.event_type == "statistics_written") == written + 1
    order = _physical_order(session)
    assert order == sorted(order) and len(order) == _count(session, MonitoringFact)
    assert "month" not in MonitoringFact.model_fields  # no municipality-month to single a case out either


def test_a_batch_that_another_release_emptied_goes_back_to_wait(session: Session):
    """A release that takes fewer cases than it needs (another transaction moved the rest) puts them back."""
    _closed_cases(session, 2)
    waiting = _count(session, MonitoringPending)
    assert facts.release(session, REGION, YEAR, municipality=BLARICUM, group="case", at_least=facts.BATCH) == 0
    session.commit()
    assert (_count(session, MonitoringPending), _count(session, MonitoringFact)) == (waiting, 0)


def test_publishing_the_year_moves_what_is_left_and_counts_it(session: Session):
    """Three cases of Blaricum never fill a batch: the year's snapshot moves them first and counts all three."""
    _closed_cases(session, 3)
    figures = snapshot.published(session, REGION, YEAR, date(YEAR + 1, 1, 2))
    session.commit()
    assert figures is not None and figures.counts[(BLARICUM, "case", "", "closed")] == 3
    assert _count(session, MonitoringPending, col(MonitoringPending.year) == YEAR) == 0
    assert session.get(MonitoringSnapshot, (REGION, YEAR)) is not None
