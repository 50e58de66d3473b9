"""The privacy officer's reports over a period: disclosures and refusals, refusal reasons, unusual patterns.

- `disclosures`: per receiving partner, processing activity and month, the number of disclosures
  (data_released, handover, identity_shown) and of refusals (request_refused, data_withheld).
- `refusals`: per receiving partner, activity, category and reason code, how often it was refused.
- `unusual`: acting persons who read more distinct cases within one clock hour than
  settings.unusual_reads_per_hour, and reads outside settings.office_hours (Europe/Amsterdam, and weekends).

The "partner" is the organisation that received (or would have received) the data: `to_oin`. Months, hours
and office hours are in Europe/Amsterdam time. Every report covers only records of cases in the officer's
region (review finding H5) and is itself logged as an inspection, with its kind, period and region.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from hub.audit.canonical import format_time
from hub.audit.errors import InvalidPeriod
from hub.audit.models import AuditRecord
from hub.audit.repository import in_region
from hub.config import Settings
from hub.csvsafe import to_csv
from hub.timestamps import as_utc

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DISCLOSURE_EVENTS = ("data_released", "handover", "identity_shown")
REFUSAL_EVENTS = ("request_refused", "data_withheld")
READ_EVENTS = ("data_released", "data_read", "identity_shown")
MAX_PERIOD_DAYS = 400
KINDS = ("disclosures", "refusals", "unusual")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a report covers: a period, and only records of cases in the officer's region (H5)."""

    period_from: dt.datetime
    period_to: dt.datetime
    region: str


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    period_from: dt.datetime
    period_to: dt.datetime
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.kind,
            "period_from": self.period_from.isoformat(),
            "period_to": self.period_to.isoformat(),
            "rows": self.rows,
        }

    def as_csv(self) -> str:
        return to_csv(self.columns, self.rows)


def check_period(period_from: dt.datetime, period_to: dt.datetime) -> None:
    if period_from.tzinfo is None or period_to.tzinfo is None:
        raise InvalidPeriod(
            "Geef de periode op met tijdzone (bijvoorbeeld 2026-01-01T00:00:00+01:00).", field="period_from"
        )
    if not period_from < period_to <= period_from + dt.timedelta(days=MAX_PERIOD_DAYS):
        raise InvalidPeriod(
            f"De periode moet vóór haar einde beginnen en ten hoogste {MAX_PERIOD_DAYS} dagen omvatten.",
            field="period_to",
        )


def _rows(session: Session, scope: Scope, events: Iterable[str]):
    rec = AuditRecord
    return session.execute(
        select(
            col(rec.event_type),
            col(rec.event_time),
            col(rec.to_oin),
            col(rec.to_actor),
            col(rec.activity_id),
            col(rec.case_id),
            col(rec.categories_withheld),
            col(rec.denial_reasons),
        )
        .where(
            col(rec.event_time) >= scope.period_from,
            col(rec.event_time) < scope.period_to,
            col(rec.event_type).in_(tuple(events)),
            in_region(scope.region),
        )
        .order_by(col(rec.seq))
    ).all()


def _local(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment).astimezone(AMSTERDAM)


def disclosures(session: Session, scope: Scope, name: Callable[[str | None], str]) -> Report:
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for row in _rows(session, scope, DISCLOSURE_EVENTS + REFUSAL_EVENTS):
        key = (row.to_oin, row.activity_id, _local(row.event_time).strftime("%Y-%m"))
        counts[key]["disclosures" if row.event_type in DISCLOSURE_EVENTS else "refusals"] += 1
    rows = [
        {
            "partner_oin": oin,
            "partner": name(oin),
            "activity": activity or "",
            "month": month,
            "disclosures": c["disclosures"],
            "refusals": c["refusals"],
        }
        for (oin, activity, month), c in sorted(counts.items(), key=lambda i: tuple(map(str, i[0][::-1])))
    ]
    return Report(
        "disclosures",
        scope.period_from,
        scope.period_to,
        ("month", "partner_oin", "partner", "activity", "disclosures", "refusals"),
        rows,
    )


def refusals(session: Session, scope: Scope, name: Callable[[str | None], str]) -> Report:
    counts: Counter = Counter()
    for row in _rows(session, scope, REFUSAL_EVENTS):
        reasons = row.denial_reasons or {}
        for category in row.categories_withheld or list(reasons):
            counts[(row.to_oin, row.activity_id or "", category, reasons.get(category, "onbekend"))] += 1
    rows = [
        {
            "partner_oin": oin,
            "partner": name(oin),
            "activity": activity,
            "category": category,
            "reason": reason,
            "count": count,
        }
        for (oin, activity, category, reason), count in sorted(counts.items(), key=lambda i: str(i[0]))
    ]
    return Report(
        "refusals",
        scope.period_from,
        scope.period_to,
        ("partner_oin", "partner", "activity", "category", "reason", "count"),
        rows,
    )


def unusual(session: Session, scope: Scope, name: Callable[[str | None], str], settings: Settings) -> Report:
    per_hour: dict[tuple, set] = defaultdict(set)
    outside: Counter = Counter()
    start, end = settings.office_hours
    for row in _rows(session, scope, READ_EVENTS):
        local = _local(row.event_time)
        per_hour[(row.to_oin, row.to_actor, local.strftime("%Y-%m-%d %H:00"))].add(row.case_id)
        if local.weekday() >= 5 or not start <= local.hour < end:
            outside[(row.to_oin, row.to_actor, local.strftime("%Y-%m-%d"))] += 1
    rows = [
        _unusual_row(
            "veel_zaken_per_uur",
            oin,
            actor,
            when,
            len(cases),
            name,
            f"{len(cases)} verschillende zaken ingezien binnen één uur (drempel {settings.unusual_reads_per_hour})",
        )
        for (oin, actor, when), cases in sorted(per_hour.items(), key=lambda i: str(i[0]))
        if len(cases) > settings.unusual_reads_per_hour
    ]
    rows += [
        _unusual_row(
            "buiten_kantoortijden",
            oin,
            actor,
            day,
            count,
            name,
            f"{count} keer gegevens ingezien buiten kantoortijden ({start}:00-{end}:00, ma-vr)",
        )
        for (oin, actor, day), count in sorted(outside.items(), key=lambda i: str(i[0]))
    ]
    return Report(
        "unusual",
        scope.period_from,
        scope.period_to,
        ("pattern", "partner_oin", "partner", "actor", "when", "count", "explanation"),
        rows,
    )


def _unusual_row(
    pattern: str,
    oin: str | None,
    actor: str | None,
    when: str,
    count: int,
    name: Callable[[str | None], str],
    explanation: str,
) -> dict[str, Any]:
    return {
        "pattern": pattern,
        "partner_oin": oin,
        "partner": name(oin),
        "actor": actor,
        "when": when,
        "count": count,
        "explanation": explanation,
    }


def build(kind: str, session: Session, scope: Scope, name: Callable[[str | None], str], settings: Settings) -> Report:
    """The report of `kind` over the scope's period (validated first) and region."""
    check_period(scope.period_from, scope.period_to)
    if kind == "disclosures":
        return disclosures(session, scope, name)
    if kind == "refusals":
        return refusals(session, scope, name)
    return unusual(session, scope, name, settings)


def run_report(
    session: Session,
    caller,
    kind: str,
    period_from: dt.datetime,
    period_to: dt.datetime,
    *,
    name: Callable[[str | None], str],
    settings: Settings,
    trace,
) -> Report:
    """Build a report over the officer's region and log the inspection it is, with its filter (one commit)."""
    from hub.audit.inspection import officer_region, record_inspection

    scope = Scope(period_from, period_to, officer_region(caller))
    report = build(kind, session, scope, name, settings)
    record_inspection(
        session,
        caller,
        trace,
        query_filter={
            "report": kind,
            "period_from": format_time(period_from),
            "period_to": format_time(period_to),
            **({"region": scope.region} if scope.region else {}),
        },
    )
    session.flush()
    return report
