"""Retention: content expires per activity from the closing of the case, destroyed by deleting its key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from hub.audit.models import AuditRecord
from hub.auth.principal import Caller
from hub.cases import notifications
from hub.cases.models import Case
from hub.cases.retention import run_retention
from hub.cases.schemas import DetentionEndedCreate
from hub.cases.service import CaseContext, read_identity
from hub.crypto.envelope import ContentDestroyed
from hub.crypto.models import CaseKey

from .conftest import BSN


def _close(session: Session, ctx: CaseContext, dji: Caller) -> Case:
    notifications.detention_ended(
        session,
        ctx,
        dji,
        DetentionEndedCreate(
            notification_id="PI-NWG-2", started_notification_id="PI-NWG-1", bsn=BSN, ended_on="2027-01-15"
        ),
    )
    case = session.exec(select(Case)).one()
    assert case.state == "closed"
    return case


def _destroyed(session: Session) -> list[tuple[str, str]]:
    return sorted(
        (r.event_type, r.activity_id)
        for r in session.exec(select(AuditRecord).where(AuditRecord.event_type == "content_destroyed"))
    )


def test_each_activity_expires_on_its_own_date(
    engine: Engine, session: Session, ctx: CaseContext, dji: Caller, open_case
) -> None:
    """risk_assessment (365 days) goes first; reintegration and the case's own content after 730 days."""
    case_id = open_case()
    ctx.envelope.encrypt(session, case_id, "answer:1", b"risk", scope="risk_assessment")
    ctx.envelope.encrypt(session, case_id, "answer:2", b"housing", scope="reintegration")
    session.commit()
    closed_at = _close(session, ctx, dji).closed_at
    session.commit()  # the job runs in units of work of its own (on SQLite an open transaction holds the lock)

    assert run_retention(engine, ctx.register, now=closed_at + timedelta(days=364)) == []
    first = run_retention(engine, ctx.register, now=closed_at + timedelta(days=366))
    assert [(d.scope, d.retention_days) for d in first] == [("risk_assessment", 365)]
    assert _destroyed(session) == [("content_destroyed", "risk_assessment")]
    assert read_identity(session, ctx, session.get(Case, case_id)).bsn == BSN
    session.rollback()

    second = run_retention(engine, ctx.register, now=closed_at + timedelta(days=731))
    assert sorted(d.scope for d in second) == ["case", "reintegration"]
    case = session.get(Case, case_id, populate_existing=True)
    assert case.content_destroyed_at is not None
    assert all(k.wrapped_key is None for k in session.exec(select(CaseKey).where(CaseKey.case_id == case_id)))
    with pytest.raises(ContentDestroyed):
        read_identity(session, ctx, case)
    assert len(_destroyed(session)) == 3


def test_open_cases_are_kept(engine: Engine, session: Session, ctx: CaseContext, open_case) -> None:
    """Retention counts from closing: an open case keeps its content however old it is."""
    case_id = open_case()
    case = session.get(Case, case_id)
    session.commit()
    assert run_retention(engine, ctx.register, now=case.created_at + timedelta(days=5000)) == []
    assert read_identity(session, ctx, case).bsn == BSN


def test_cli_runs_retention(database_url: str, monkeypatch) -> None:
    """`hub retention run` runs the job against the configured database and reports the count."""
    from hub.cli import app
    from hub.config import get_settings

    monkeypatch.setenv("HUB_ENV", "dev")
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["retention", "run"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "retention: 0 key(s) destroyed" in result.output
