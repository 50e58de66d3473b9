"""Read models of the screens (the case board and the work queue): queries only, no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.cases.models import Case, CaseState
from hub.exchange.models import DataRequest, Handover

BOARD_PAGE = 100
QUEUE_LIMIT = 25
# The columns the board shows: no ciphertext is loaded.
BOARD_COLUMNS = (
    Case.id,
    Case.state,
    Case.municipality,
    Case.prison,
    Case.detention_started_on,
    Case.expected_release_on,
    Case.consent,
    Case.risk,
)


@dataclass(frozen=True, slots=True)
class BoardCase:
    id: str
    state: str
    municipality: str
    prison: str
    detention_started_on: date
    expected_release_on: date | None
    consent: str
    risk: str


@dataclass(frozen=True, slots=True)
class BoardRow:
    case: BoardCase
    open_requests: int
    overdue_requests: int


@dataclass(frozen=True, slots=True)
class Board:
    rows: list[BoardRow]
    total: int
    page: int
    pages: int


def short_reference(case_id: str) -> str:
    """A short human case reference (the first 8 characters of the case id, upper case)."""
    return case_id.replace("-", "")[:8].upper()


def case_board(
    session: Session,
    region: str,
    now: datetime,
    *,
    state: str | None = None,
    municipality: str | None = None,
    reference: str | None = None,
    include_closed: bool = False,
    page: int = 1,
) -> Board:
    """The region's cases, soonest expected release first (unknown release last), with open/overdue counts,
    one page of BOARD_PAGE at a time."""
    statement = sa.select(*BOARD_COLUMNS).where(Case.region == region)
    if state:
        statement = statement.where(Case.state == state)
    elif not include_closed:
        statement = statement.where(Case.state != CaseState.closed.value)
    if municipality:
        statement = statement.where(Case.municipality == municipality)
    if reference:
        statement = statement.where(sa.func.upper(sa.func.substr(Case.id, 1, 8)) == reference.upper()[:8])
    total = session.execute(sa.select(sa.func.count()).select_from(statement.subquery())).scalar_one()
    pages = max(1, -(-total // BOARD_PAGE))
    page = min(max(page, 1), pages)
    statement = (
        statement.order_by(
            Case.expected_release_on.is_(None),  # type: ignore[union-attr]
            Case.expected_release_on,
            Case.created_at,
            Case.id,
        )
        .offset((page - 1) * BOARD_PAGE)
        .limit(BOARD_PAGE)
    )
    cases = [BoardCase(*row) for row in session.execute(statement)]
    counts = _request_counts(session, [c.id for c in cases], now)
    return Board([BoardRow(c, *counts.get(c.id, (0, 0))) for c in cases], total, page, pages)


def _request_counts(session: Session, case_ids: list[str], now: datetime) -> dict[str, tuple[int, int]]:
    if not case_ids:
        return {}
    overdue = sa.case((DataRequest.due_at <= now, 1), else_=0)  # type: ignore[arg-type]
    statement = (
        sa.select(DataRequest.case_id, sa.func.count(), sa.func.sum(overdue))
        .where(
            DataRequest.case_id.in_(case_ids),  # type: ignore[attr-defined]
            DataRequest.status == "open",
            DataRequest.expires_at > now,  # type: ignore[arg-type]  # past expiry it is expired (status_at)
        )
        .group_by(DataRequest.case_id)
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in session.execute(statement)}


@dataclass(frozen=True, slots=True)
class Section:
    """The first QUEUE_LIMIT items of a work-queue section, and how many there are in all."""

    items: list
    total: int


@dataclass(frozen=True, slots=True)
class WorkQueue:
    new: Section
    weighing: Section
    overdue: Section
    releasing: Section
    unconfirmed: Section


def _section(session: Session, statement) -> Section:
    total = session.execute(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    return Section(list(session.exec(statement.limit(QUEUE_LIMIT))), total)


def work_queue(session: Session, region: str, oin: str, now: datetime, today: date, soon: date) -> WorkQueue:
    """Signalering: new notifications, cases waiting for the weighing, overdue requests (open, past their due
    date, not yet expired: DataRequest.status_at), release within the week, handovers not yet confirmed."""
    in_region = sa.select(*BOARD_COLUMNS).where(Case.region == region)
    new = _section(session, in_region.where(Case.state == CaseState.notified.value).order_by(Case.created_at))
    weighing = _section(session, in_region.where(Case.state == CaseState.weighing.value).order_by(Case.created_at))
    releasing = _section(
        session,
        in_region.where(
            Case.state != CaseState.closed.value,
            Case.expected_release_on >= today,  # type: ignore[operator]
            Case.expected_release_on <= soon,  # type: ignore[operator]
        ).order_by(Case.expected_release_on),
    )
    overdue = _section(
        session,
        select(DataRequest)
        .join(Case, Case.id == DataRequest.case_id)  # type: ignore[arg-type]
        .where(
            Case.region == region,
            DataRequest.requester_oin == oin,
            DataRequest.status == "open",
            DataRequest.due_at <= now,  # type: ignore[arg-type]
            DataRequest.expires_at > now,  # type: ignore[arg-type]
        )
        .order_by(DataRequest.due_at),
    )
    # The one status (DataRequest.status_at) decides what is shown; the query above only narrows to it.
    overdue = Section([r for r in overdue.items if r.status_at(now).overdue], overdue.total)
    unconfirmed = _section(
        session,
        select(Handover)
        .join(Case, Case.id == Handover.case_id)  # type: ignore[arg-type]
        .where(Case.region == region, Handover.status == "sent")
        .order_by(Handover.created_at),
    )
    return WorkQueue(new, weighing, overdue, releasing, unconfirmed)
