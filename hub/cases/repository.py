"""Queries of the cases capability. No rules here: the services decide what a caller may see."""

from __future__ import annotations

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from hub.cases.models import Case, CaseEvent, DjiNotification


def get(session: Session, case_id: str, *, lock: bool = False) -> Case | None:
    """The case; `lock`: read again under a row lock held until the transaction ends, even when this session
    read it before (PostgreSQL; SQLite's write transactions are serial already)."""
    if lock:
        return session.get(Case, case_id, with_for_update=True, populate_existing=True)
    return session.get(Case, case_id)


def in_region(region: str, *, state: str | None = None, municipality: str | None = None) -> SelectOfScalar[Case]:
    statement = select(Case).where(Case.region == region)
    if state is not None:
        statement = statement.where(Case.state == state)
    if municipality is not None:
        statement = statement.where(Case.municipality == municipality)
    return statement


def related_ids(session: Session, case: Case) -> list[str]:
    """Other detentions of the same person in the same region, oldest first."""
    statement = (
        select(Case.id)
        .where(Case.subject_pseudonym == case.subject_pseudonym, Case.region == case.region, Case.id != case.id)
        .order_by(col(Case.created_at), col(Case.id))
    )
    return list(session.exec(statement))


def timeline(case_id: str) -> SelectOfScalar[CaseEvent]:
    return select(CaseEvent).where(CaseEvent.case_id == case_id)


def notification(session: Session, sender_oin: str, notification_id: str) -> DjiNotification | None:
    return session.get(DjiNotification, (sender_oin, notification_id))


def case_started_by(
    session: Session, notification_id: str, subject_pseudonym: str, *, lock: bool = False
) -> Case | None:
    """The case opened by a detention_started notification with this id, for this person (any PI); `lock`: as
    in `get`."""
    statement = (
        select(Case)
        .join(DjiNotification, col(DjiNotification.case_id) == col(Case.id))
        .where(
            DjiNotification.notification_id == notification_id,
            DjiNotification.kind == "detention_started",
            Case.subject_pseudonym == subject_pseudonym,
        )
    )
    if lock:
        statement = statement.with_for_update(of=Case).execution_options(populate_existing=True)
    return session.exec(statement).first()


def closed_with_live_keys(session: Session) -> list[Case]:
    """Closed cases whose content is not yet (fully) destroyed."""
    statement = select(Case).where(col(Case.closed_at).is_not(None), col(Case.content_destroyed_at).is_(None))
    return list(session.exec(statement))
