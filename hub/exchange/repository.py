"""Queries of the exchange. Every query that lists or reads is scoped to the organisation asking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from hub.cases.models import Case
from hub.crypto.models import CaseKey
from hub.exchange.models import Answer, DataRequest, Handover


def request_for_responder(session: Session, request_id: str, responder_oin: str) -> DataRequest | None:
    """A request, only when it is addressed to this organisation and something was allowed to reach it."""
    return session.exec(select(DataRequest).where(*_addressed_to(request_id, responder_oin))).first()


def locked_request_with_case_for_responder(
    session: Session, request_id: str, responder_oin: str
) -> tuple[DataRequest, Case] | None:
    """`request_for_responder` with its case, in one statement that locks both rows until the transaction ends
    (an answer against a concurrent change of the case and re-decision of the request). The case is locked
    too, and first (the order in which a change of the case takes them: hub.exchange.service.follow), so that
    PostgreSQL, after waiting for a concurrent change of either row, returns both as they are now; with only
    the request locked it would return the joined case row as first read. `FOR NO KEY UPDATE`: rows that refer
    to the case (its events, other requests) can still be inserted meanwhile. SQLite holds the write lock from
    BEGIN IMMEDIATE. The loaded objects are refreshed, also when the session had read them before the lock."""
    statement = (
        select(DataRequest, Case)
        .where(*_addressed_to(request_id, responder_oin))
        .join(Case, col(Case.id) == col(DataRequest.case_id))
        .with_for_update(of=[Case, DataRequest], key_share=True)
        .execution_options(populate_existing=True)
    )
    row = session.exec(statement).first()
    return None if row is None else (row[0], row[1])


def _addressed_to(request_id: str, responder_oin: str) -> tuple[Any, ...]:
    """The request, when addressed to this organisation and something was allowed to reach it."""
    return (
        DataRequest.id == request_id,
        DataRequest.responder_oin == responder_oin,
        DataRequest.status != "refused",
    )


def answered_request_for_requester(
    session: Session, request_id: str, requester_oin: str
) -> tuple[DataRequest, Case, Answer | None, CaseKey | None] | None:
    """`request_for_requester` with its case, its answer (if any) and the case's data key of the request's
    activity (if any), in one statement: the answer read needs all four. The caller keeps the key referenced
    for the rest of the request, so the envelope finds it in the session instead of reading it again."""
    statement = (
        select(DataRequest, Case, Answer, CaseKey)
        .join(Case, col(Case.id) == col(DataRequest.case_id))
        .outerjoin(Answer, col(Answer.request_id) == col(DataRequest.id))
        .outerjoin(
            CaseKey,
            (col(CaseKey.case_id) == col(DataRequest.case_id)) & (col(CaseKey.scope) == col(DataRequest.activity_id)),
        )
        .where(DataRequest.id == request_id, DataRequest.requester_oin == requester_oin)
    )
    row = session.exec(statement).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def request_for_requester(session: Session, request_id: str, requester_oin: str) -> DataRequest | None:
    """A request, only for the organisation that made it."""
    statement = select(DataRequest).where(DataRequest.id == request_id, DataRequest.requester_oin == requester_oin)
    return session.exec(statement).first()


def inbox_query(
    responder_oin: str, *, now: datetime, activity: str | None, overdue: bool | None
) -> SelectOfScalar[DataRequest]:
    """The organisation's open, unexpired requests on cases that are not closed (filtered; hub.pagination
    orders and pages them)."""
    statement = (
        select(DataRequest)
        .join(Case, col(Case.id) == col(DataRequest.case_id))
        .where(
            DataRequest.responder_oin == responder_oin,
            DataRequest.status == "open",
            col(DataRequest.expires_at) > now,
            Case.state != "closed",
        )
    )
    if activity:
        statement = statement.where(DataRequest.activity_id == activity)
    if overdue is not None:
        due = col(DataRequest.due_at)
        statement = statement.where(due <= now if overdue else due > now)
    return statement


def case_requests_query(
    case_id: str, requester_oin: str, *, status: str | None, now: datetime
) -> SelectOfScalar[DataRequest]:
    """The requester's requests on a case, filtered on the status everybody sees (DataRequest.status_at): an
    open request past its expiry counts as expired before the job stores it."""
    statement = select(DataRequest).where(DataRequest.case_id == case_id, DataRequest.requester_oin == requester_oin)
    unexpired = col(DataRequest.expires_at) > now
    if status == "open":
        statement = statement.where(DataRequest.status == "open", unexpired)
    elif status == "expired":
        statement = statement.where(
            (col(DataRequest.status) == "expired") | ((col(DataRequest.status) == "open") & ~unexpired)
        )
    elif status:
        statement = statement.where(DataRequest.status == status)
    return statement


PAGE_KEY = (col(DataRequest.created_at), col(DataRequest.id))
HANDOVER_PAGE_KEY = (col(Handover.created_at), col(Handover.id))


def answer_of(session: Session, request_id: str) -> Answer | None:
    return session.exec(select(Answer).where(Answer.request_id == request_id)).first()


def answers_of_case(session: Session, case_id: str) -> list[tuple[DataRequest, Answer]]:
    statement = (
        select(DataRequest, Answer)
        .join(Answer, col(Answer.request_id) == col(DataRequest.id))
        .where(DataRequest.case_id == case_id)
        .order_by(col(Answer.created_at))
    )
    return [(request, answer) for request, answer in session.exec(statement).all()]


def open_requests_of_case(session: Session, case_id: str, *, lock: bool = False) -> list[DataRequest]:
    """The case's open requests, oldest first; `lock`: row locks until the transaction ends (PostgreSQL; SQLite
    holds the write lock already), so a concurrent answer waits and then finds the request as decided again."""
    statement = (
        select(DataRequest)
        .where(DataRequest.case_id == case_id, DataRequest.status == "open")
        .order_by(col(DataRequest.created_at), col(DataRequest.id))
    )
    if lock:
        statement = statement.with_for_update()
    return list(session.exec(statement).all())


def expired_open_requests(session: Session, now: datetime) -> list[DataRequest]:
    return list(
        session.exec(select(DataRequest).where(DataRequest.status == "open", col(DataRequest.expires_at) <= now)).all()
    )


def live_handover_of_case(session: Session, case_id: str) -> Handover | None:
    """The case's handover that reached the municipality (a refused attempt does not count)."""
    return session.exec(select(Handover).where(Handover.case_id == case_id, Handover.status != "refused")).first()


def handover_for_recipient(session: Session, handover_id: str, recipient_oin: str) -> Handover | None:
    return session.exec(
        select(Handover).where(
            Handover.id == handover_id, Handover.recipient_oin == recipient_oin, Handover.status != "refused"
        )
    ).first()


def handovers_query(recipient_oin: str, *, status: str | None) -> SelectOfScalar[Handover]:
    statement = select(Handover).where(Handover.recipient_oin == recipient_oin, Handover.status != "refused")
    if status:
        statement = statement.where(Handover.status == status)
    return statement
