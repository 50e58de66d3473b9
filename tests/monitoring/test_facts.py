"""Statistics rows: written once when a case's facts become final, anonymous, recorded, and kept by retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from hub.cases.retention import run_retention
from hub.crypto.models import CaseKey
from hub.monitoring import facts, report
from hub.monitoring.generate import generate
from hub.monitoring.models import MonitoringFact, MonitoringWritten
from hub.policy.register import get_register
from tests.monitoring.conftest import exchange_factory

REGION = "gooi-en-vechtstreek"


@pytest.fixture
def generated(app, session: Session, ctx, make_caller) -> int:
    exchange = exchange_factory(app)
    made = generate(
        session, ctx, make_caller, region=REGION, year=2026, count=40, small={"GM0376": 3}, exchange=exchange
    )
    facts.release(session, REGION, 2026)  # what publishing the year does first: every waiting batch moves
    session.commit()
    return made


def test_every_closed_case_wrote_one_case_group(session: Session, generated):
    """Each generated case closed and wrote its `case` group once, with one log record per group written."""
    closed = session.exec(select(Case).where(Case.state == "closed")).all()
    assert len(closed) == generated
    case_rows = session.exec(select(MonitoringFact).where(MonitoringFact.measure == "case")).all()
    assert len(case_rows) == generated
    groups = session.exec(select(MonitoringWritten)).all()
    records = session.exec(select(AuditRecord).where(AuditRecord.event_type == "statistics_written")).all()
    assert len(records) == len(groups) > generated  # evaluations as well
    assert {r.activity_id for r in records} == {"monitoring"}
    assert all(r.subject_pseudonym is None and not r.categories_released for r in records)


def test_answer_days_are_counted_per_partner_type(session: Session, generated):
    """Each answered request gave one answer_days row of its responder's type, in whole days (0 to 9 here)."""
    rows = session.exec(select(MonitoringFact).where(MonitoringFact.measure == "answer_days")).all()
    assert rows and {r.item for r in rows} == {"municipal_social", "probation"}
    assert all(r.number is not None and 0 <= r.number <= 9 for r in rows)


def test_rows_hold_no_identifier_date_or_free_text(session: Session, generated):
    """Every row is within the vocabulary: no case id, no pseudonym, no day, no text of a person."""
    rows = session.exec(select(MonitoringFact)).all()
    case_ids = {c.id for c in session.exec(select(Case)).all()}
    pseudonyms = {c.subject_pseudonym for c in session.exec(select(Case)).all()}
    for row in rows:
        facts.Fact(row.measure, row.value, row.item, row.number).check()
        assert row.year == 2026
        values = {row.region, row.municipality, row.measure, row.item, row.value}
        assert not values & (case_ids | pseudonyms)
    assert set(MonitoringFact.model_fields) == {
        "id",
        "region",
        "municipality",
        "year",
        "measure",
        "item",
        "value",
        "number",
    }


def test_free_text_is_refused():
    """A value outside the vocabulary cannot be written."""
    with pytest.raises(facts.InvalidFact):
        facts.Fact("consent", "Jan de Vries").check()
    with pytest.raises(facts.InvalidFact):
        facts.Fact("answer_days", item="police", number=-1).check()


def test_detention_bands():
    """Under 4 weeks, 1 to 6 months, longer, and not ended."""
    start = datetime(2026, 1, 1).date()
    assert facts.detention_band(start, start + timedelta(days=27)) == "under_4_weeks"
    assert facts.detention_band(start, start + timedelta(days=28)) == "1_to_6_months"
    assert facts.detention_band(start, start + timedelta(days=183)) == "1_to_6_months"
    assert facts.detention_band(start, start + timedelta(days=184)) == "longer"
    assert facts.detention_band(start, None) == "not_ended"


def test_retention_destroys_content_and_keeps_the_statistics(engine: Engine, session: Session, generated):
    """Crypto-shredding every case leaves the statistics rows and the monitor exactly as they were."""
    before_rows = sorted((r.id, r.measure, r.value, r.number) for r in session.exec(select(MonitoringFact)).all())
    before = report.build(report.live_figures(session, REGION, 2026), REGION, 2026)
    session.commit()  # retention runs its own unit of work per case
    destroyed = run_retention(engine, get_register(), now=datetime.now(UTC) + timedelta(days=3000))
    session.expire_all()
    assert destroyed and all(k.wrapped_key is None for k in session.exec(select(CaseKey)).all())
    after_rows = sorted((r.id, r.measure, r.value, r.number) for r in session.exec(select(MonitoringFact)).all())
    assert after_rows == before_rows
    assert report.build(report.live_figures(session, REGION, 2026), REGION, 2026) == before


def test_a_group_is_written_once(session: Session, generated):
    """Writing a group a second time writes nothing."""
    case = session.exec(select(Case)).first()
    assert case is not None
    assert facts.write_closed_case(session, case) is False


def test_the_small_municipality_is_suppressed(session: Session, generated):
    """Blaricum (GM0376) has 3 cases: its total is '< 5', and no total is left that gives it back."""
    monitor = report.build(report.live_figures(session, REGION, 2026), REGION, 2026)
    rows = {r.code: r for r in monitor.cases}
    assert rows["GM0376"].cells["total"].text == "< 5"
    shown = [r.cells["total"].value for code, r in rows.items() if code and not r.cells["total"].hidden]
    region = rows[""].cells["total"]
    hidden_totals = [code for code, r in rows.items() if r.cells["total"].hidden]
    assert region.hidden or len(hidden_totals) >= 2, (shown, region)
