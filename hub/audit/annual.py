"""The privacy officer's annual report (Jaarverslag) over one calendar year in Europe/Amsterdam time.

It gathers what the screen (hub/web/officer.py), its PDF and CSV, and bench/audit.py show: the disclosures,
refusals and unusual-patterns reports (each recorded as an inspection, as the API's are), the officers'
inspections and access reports per month, every access request answered with how long it took, and the
retention actions. Only records of the officer's region, and of the region's officers, count.

How long an access request took: the officer gives the date the request came in when making the access
report; it is recorded in the access_report record's filter as `received_on` (a date, nothing personal).
The answer's date is the record's own time. Requests answered without that date show no duration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from hub.audit.inspection import officer_region
from hub.audit.models import AuditRecord
from hub.audit.oversight import oversight_per_month, retention_actions
from hub.audit.reports import AMSTERDAM, Scope, _local, check_period, run_report
from hub.audit.trace import new_trace
from hub.auth.principal import Caller
from hub.config import Settings

REPORTS = ("disclosures", "refusals", "unusual")
ANSWER_TERM_DAYS = 30  # AVG art. 12(3): without undue delay, within one month of receipt (extendable)


def year_period(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1, tzinfo=AMSTERDAM), dt.datetime(year + 1, 1, 1, tzinfo=AMSTERDAM)


@dataclass(frozen=True, slots=True)
class AnsweredRequest:
    """One access request answered: when it came in (when the officer recorded it) and when it was answered."""

    answered_on: dt.date
    received_on: dt.date | None

    @property
    def days(self) -> int | None:
        return None if self.received_on is None else (self.answered_on - self.received_on).days

    @property
    def within_term(self) -> bool | None:
        days = self.days
        return None if days is None else days <= ANSWER_TERM_DAYS


def answered_requests(session: Session, scope: Scope, officer_oins: Sequence[str]) -> list[AnsweredRequest]:
    """Every access report the region's officers made in the period, oldest first (index on event_time)."""
    check_period(scope.period_from, scope.period_to)
    rec = AuditRecord
    rows = session.execute(
        select(col(rec.event_time), col(rec.query_filter))
        .where(
            col(rec.event_time) >= scope.period_from,
            col(rec.event_time) < scope.period_to,
            col(rec.event_type) == "access_report",
            col(rec.to_oin).in_(tuple(officer_oins)),
        )
        .order_by(col(rec.seq))
    ).all()
    return [AnsweredRequest(_local(row.event_time).date(), _received_on(row.query_filter)) for row in rows]


def _received_on(query_filter: dict[str, str] | None) -> dt.date | None:
    text = (query_filter or {}).get("received_on")
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:  # written by the hub itself as ISO; anything else is shown as unknown
        return None


def annual_report(
    session: Session,
    caller: Caller,
    year: int,
    *,
    name: Callable[[str | None], str],
    officer_oins: Sequence[str],
    settings: Settings,
) -> dict[str, Any]:
    """The parts of the annual report; its three reports are logged as inspections in the session (one flush
    each), committed by the caller."""
    period_from, period_to = year_period(year)
    trace = new_trace()
    found: dict[str, Any] = {
        kind: run_report(session, caller, kind, period_from, period_to, name=name, settings=settings, trace=trace)
        for kind in REPORTS
    }
    scope = Scope(period_from, period_to, officer_region(caller))
    found["oversight"] = oversight_per_month(session, scope, officer_oins)
    found["access_requests"] = answered_requests(session, scope, officer_oins)
    found["retention"] = retention_actions(session, scope)
    return found
