"""Queries of the risk notices. No rules here: hub.notices.service decides who may see what."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from hub.cases.lifecycle import CaseEventType
from hub.cases.models import Case, CaseEvent, CaseState
from hub.notices.models import RiskNotice


def by_sender(session: Session, sender_oin: str, notice_id: str) -> RiskNotice | None:
    statement = select(RiskNotice).where(RiskNotice.sender_oin == sender_oin, RiskNotice.notice_id == notice_id)
    return session.exec(statement).first()


def get(session: Session, notice_id: str) -> RiskNotice | None:
    return session.get(RiskNotice, notice_id)


def open_case_of(session: Session, subject_pseudonym: str, region: str) -> Case | None:
    """The person's newest case in the region that is not closed, read under a row lock held until the
    transaction ends (case first, then its requests, as every change of a case). PostgreSQL checks `not closed`
    again once a transaction closing the case commits, so a notice arriving meanwhile opens a new case instead
    of being stored on the closed one."""
    statement = (
        select(Case)
        .where(
            Case.subject_pseudonym == subject_pseudonym,
            Case.region == region,
            Case.state != CaseState.closed.value,
        )
        .order_by(col(Case.created_at).desc(), col(Case.id).desc())
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def of_case(session: Session, case_id: str) -> list[RiskNotice]:
    statement = (
        select(RiskNotice)
        .where(RiskNotice.case_id == case_id)
        .order_by(col(RiskNotice.received_at).desc(), col(RiskNotice.id))
    )
    return list(session.exec(statement))


def for_municipality(municipality: str, *, mandated: bool) -> SelectOfScalar[RiskNotice]:
    return select(RiskNotice).where(RiskNotice.municipality == municipality, RiskNotice.mandated == mandated)


def signals_in_region(session: Session, region: str, limit: int) -> tuple[list[RiskNotice], int]:
    """The notices on the region's open cases, newest first (the work queue's signal), and how many in all."""
    base = (
        select(RiskNotice)
        .join(Case, col(Case.id) == col(RiskNotice.case_id))
        .where(Case.region == region, Case.state != CaseState.closed.value)
    )
    rows = list(session.exec(base.order_by(col(RiskNotice.received_at).desc(), col(RiskNotice.id)).limit(limit)))
    total = session.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    return rows, total


def last_risk_event(session: Session, case_id: str) -> CaseEvent | None:
    """The case's last event that set its risk: a weighing, or a notice delivered to the ZVH (mandated)."""
    statement = (
        select(CaseEvent)
        .where(
            CaseEvent.case_id == case_id,
            col(CaseEvent.type).in_([CaseEventType.weighing_recorded.value, CaseEventType.risk_notice_received.value]),
        )
        .order_by(col(CaseEvent.at).desc(), col(CaseEvent.id).desc())
    )
    for event in session.exec(statement):
        if (
            event.type == CaseEventType.weighing_recorded.value
            or event.payload.get("delivered_to") == "zvh_coordinator"
        ):
            return event
    return None
