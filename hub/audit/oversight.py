"""The privacy officers' own traces in the log: how many inspections and access reports the officers of a
region made per month (Europe/Amsterdam). Those records carry no case, so they are found by the officers'
OINs (the receiving organisation of an inspection), not by the case's region. Counts only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import Session, col

from hub.audit.models import AuditRecord
from hub.audit.reports import Scope, _local, check_period
from hub.audit.repository import in_region

OVERSIGHT_EVENTS = ("inspection", "access_report")


def oversight_per_month(session: Session, scope: Scope, officer_oins: Sequence[str]) -> dict[str, Counter]:
    """{month 'YYYY-MM': Counter(inspection=n, access_report=m)} over the scope's period."""
    check_period(scope.period_from, scope.period_to)
    rec = AuditRecord
    rows = session.execute(
        select(col(rec.event_type), col(rec.event_time)).where(
            col(rec.event_time) >= scope.period_from,
            col(rec.event_time) < scope.period_to,
            col(rec.event_type).in_(OVERSIGHT_EVENTS),
            col(rec.to_oin).in_(tuple(officer_oins)),
        )
    ).all()
    months: dict[str, Counter] = {}
    for row in rows:
        months.setdefault(_local(row.event_time).strftime("%Y-%m"), Counter())[row.event_type] += 1
    return dict(sorted(months.items()))


def retention_actions(session: Session, scope: Scope) -> dict[str, int]:
    """How often content keys were destroyed (in cases of the region) and the log pruned (one national log)."""
    check_period(scope.period_from, scope.period_to)
    rec = AuditRecord
    in_period = (col(rec.event_time) >= scope.period_from, col(rec.event_time) < scope.period_to)
    destroyed = session.execute(
        select(func.count()).where(*in_period, col(rec.event_type) == "content_destroyed", in_region(scope.region))
    ).scalar_one()
    pruned = session.execute(select(func.count()).where(*in_period, col(rec.event_type) == "log_pruned")).scalar_one()
    return {"content_destroyed": destroyed, "log_pruned": pruned}
