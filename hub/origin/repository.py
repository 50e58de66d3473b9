"""Queries of the municipality of origin (hub.origin.service). No rules here."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from hub.cases.lifecycle import CaseEventType
from hub.cases.models import Case, CaseEvent


def determination(session: Session, public_id: str) -> CaseEvent | None:
    """The timeline event of a coordinator's determination, by its public id."""
    statement = select(CaseEvent).where(
        CaseEvent.public_id == public_id, CaseEvent.type == CaseEventType.origin_determined.value
    )
    return session.exec(statement).first()


def contested_by(session: Session, case_id: str, organisation_oin: str) -> bool:
    """Whether this organisation already contested the origin of this case."""
    statement = select(CaseEvent.id).where(
        CaseEvent.case_id == case_id,
        CaseEvent.type == CaseEventType.origin_contested.value,
        CaseEvent.organisation_oin == organisation_oin,
    )
    return session.exec(statement).first() is not None


def determined_for(session: Session, region: str, municipality: str) -> list[tuple[Case, CaseEvent]]:
    """Open cases of `region` whose current determination names `municipality`, with that determination;
    newest first."""
    statement = (
        select(Case, CaseEvent)
        .join(CaseEvent, col(CaseEvent.public_id) == col(Case.origin_determination_id))
        .where(Case.region == region, Case.municipality == municipality, col(Case.closed_at).is_(None))
        .order_by(col(CaseEvent.at).desc(), col(CaseEvent.public_id))
    )
    return [(case, event) for case, event in session.exec(statement)]


def origin_open_before(session: Session, region: str, since: datetime) -> list[Case]:
    """Open cases of `region` without an undisputed municipality of origin since `since` or earlier, oldest
    first."""
    statement = (
        select(Case)
        .where(
            Case.region == region,
            col(Case.closed_at).is_(None),
            col(Case.origin_open_since).is_not(None),
            col(Case.origin_open_since) <= since,
        )
        .order_by(col(Case.origin_open_since), col(Case.id))
    )
    return list(session.exec(statement))
