"""Read models of the screens (the case board and the work queue): queries only, no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hub.cases.models import Case, CaseState
from hub.exchange.models import DataRequest, Handover

BOARD_PAGE = 100
QUEUE_LIMIT = 25
# The columns the board shows: no ciphertext is loaded.
BOARD_COLUMNS = (
    col(Case.id),
    col(Case.state),
    col(Case.municipality),
    col(Case.prison),
    col(Case.detention_started_on),
    col(Case.expected_release_on),
    col(Case.consent),
    col(Case.risk),
    col(Case.origin),
)


@dataclass(frozen=True, slots=True)
class BoardCase:
    id: str
    state: str
    municipality: str | None  # None while the origin is unknown (issue 16)
    prison: str
    detention_started_on: date
    expected_release_on: date | None
    consent: str
    risk: str
    origin: str  # notified | determined | unknown | disputed: the board says "(betwist)" while disputed


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
    statement = sa.select(*BOARD_COLUMNS).where(col(Case.region) == region)
    if state:
        statement = statement.where(col(Case.state) == state)
    elif not include_closed:
        statement = statement.where(col(Case.state) != CaseState.closed.value)
    if municipality:
        statement = statement.where(col(Case.municipality) == municipality)
    if reference:
        statement = statement.where(sa.func.upper(sa.func.substr(col(Case.id), 1, 8)) == reference.upper()[:8])
    total = session.execute(sa.select(sa.func.count()).select_from(statement.subquery())).scalar_one()
    pages = max(1, -(-total // BOARD_PAGE))
    page = min(max(page, 1), pages)
    statement = (
        statement.order_by(
            col(Case.expected_release_on).is_(None),
            col(Case.expected_release_on),
            col(Case.created_at),
            col(Case.id),
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
    overdue = sa.case((col(DataRequest.due_at) <= now, 1), else_=0)
    statement = (
        sa.select(col(DataRequest.case_id), sa.func.count(), sa.func.sum(overdue))
        .where(
            col(DataRequest.case_id).in_(case_ids),
            col(DataRequest.status) == "open",
            col(DataRequest.expires_at) > now,  # past expiry it is expired (DataRequest.status_at)
        )
        .group_by(col(DataRequest.case_id))
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
    in_region = sa.select(*BOARD_COLUMNS).where(col(Case.region) == region)
    new = _section(session, in_region.where(col(Case.state) == CaseState.notified.value).order_by(col(Case.created_at)))
    # Waiting for the weighing: visited or being screened, not yet weighed (a case in `weighing` has been weighed
    # and waits for its plan, outreach or closing; hub.cases.lifecycle).
    weighing = _section(
        session, in_region.where(col(Case.state) == CaseState.screening.value).order_by(col(Case.created_at))
    )
    releasing = _section(
        session,
        in_region.where(
            col(Case.state) != CaseState.closed.value,
            col(Case.expected_release_on) >= today,
            col(Case.expected_release_on) <= soon,
        ).order_by(col(Case.expected_release_on)),
    )
    overdue = _section(
        session,
        select(DataRequest)
        .join(Case, col(Case.id) == col(DataRequest.case_id))
        .where(
            col(Case.region) == region,
            col(DataRequest.requester_oin) == oin,
            col(DataRequest.status) == "open",
            col(DataRequest.due_at) <= now,
            col(DataRequest.expires_at) > now,
        )
        .order_by(col(DataRequest.due_at)),
    )
    # The one status (DataRequest.status_at) decides what is shown; the query above only narrows to it.
    overdue = Section([r for r in overdue.items if r.status_at(now).overdue], overdue.total)
    unconfirmed = _section(
        session,
        select(Handover)
        .join(Case, col(Case.id) == col(Handover.case_id))
        .where(col(Case.region) == region, col(Handover.status) == "sent")
        .order_by(col(Handover.created_at)),
    )
    return WorkQueue(new, weighing, overdue, releasing, unconfirmed)
