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
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, case, cast, distinct, func, select
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


# Local-time buckets computed in SQL, so a report reads a few grouped rows, not every record of the period.
# PostgreSQL converts with its own zone data (AT TIME ZONE); SQLite has none, so the period is cut where the
# Amsterdam offset changes (whole hours: the zone moves at 01:00 UTC) and each part gets its offset as a
# strftime modifier. Both give the same wall-clock labels as Python's astimezone, a repeated autumn hour
# included (both of its UTC hours carry the same label, as they did when rows were grouped in Python).
FORMATS = {  # name: (SQLite strftime, PostgreSQL to_char)
    "hour": ("%Y-%m-%d %H:00", "YYYY-MM-DD HH24:00"),
}


def _offsets(period_from: dt.datetime, period_to: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """[(until, offset in hours)] covering the period: the Amsterdam offset and the UTC moment it ends."""
    moment = as_utc(period_from).replace(minute=0, second=0, microsecond=0)
    end = as_utc(period_to)
    parts: list[tuple[dt.datetime, int]] = []
    current = _offset_hours(moment)
    while moment < end:
        moment += dt.timedelta(hours=1)
        offset = _offset_hours(moment)
        if offset != current:
            parts.append((moment, current))
            current = offset
    parts.append((end + dt.timedelta(hours=1), current))
    return parts


def _offset_hours(moment: dt.datetime) -> int:
    delta = moment.astimezone(AMSTERDAM).utcoffset()
    assert delta is not None  # noqa: S101 - a zoneinfo zone always has an offset
    return int(delta.total_seconds() // 3600)


def _local_text(session: Session, scope: Scope, name: str):
    """The record's Europe/Amsterdam time as text in the format `name` (FORMATS), as a SQL expression."""
    moment = col(AuditRecord.event_time)
    lite, pg = FORMATS[name]
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(AMSTERDAM.key, moment), pg)
    parts = _offsets(scope.period_from, scope.period_to)
    modifier: Any = f"{parts[-1][1]:+d} hours"
    if len(parts) > 1:
        modifier = case(*((moment < until, f"{offset:+d} hours") for until, offset in parts[:-1]), else_=modifier)
    return func.strftime(lite, moment, modifier)


def _local_month(scope: Scope):
    """The record's Europe/Amsterdam month 'YYYY-MM' as a CASE over the months' first moments (in UTC), so no
    row needs a time conversion: exact on both databases, and cheap."""
    moment = col(AuditRecord.event_time)
    local = _local(scope.period_from)
    month = dt.datetime(local.year, local.month, 1, tzinfo=AMSTERDAM)
    whens = []
    while month < scope.period_to:
        following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=AMSTERDAM)
        whens.append((moment < following, month.strftime("%Y-%m")))
        month = following
    return case(*whens)


def _utc_hour(session: Session):
    """The record's UTC hour as text 'YYYY-MM-DD HH' (a cheap text cut on SQLite, which stores UTC text)."""
    moment = col(AuditRecord.event_time)
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM-DD HH24")
    return func.substr(moment, 1, 13)


def _local_hours(scope: Scope) -> dict[str, dt.datetime]:
    """{UTC hour 'YYYY-MM-DD HH': its Europe/Amsterdam wall-clock hour} over the period."""
    moment = as_utc(scope.period_from).replace(minute=0, second=0, microsecond=0)
    hours = {}
    while moment < scope.period_to:
        hours[moment.strftime("%Y-%m-%d %H")] = moment.astimezone(AMSTERDAM)
        moment += dt.timedelta(hours=1)
    return hours


def _in_scope(scope: Scope, events: Iterable[str]) -> tuple:
    rec = AuditRecord
    return (
        col(rec.event_time) >= scope.period_from,
        col(rec.event_time) < scope.period_to,
        col(rec.event_type).in_(tuple(events)),
        in_region(scope.region),
    )


def _local(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment).astimezone(AMSTERDAM)


def disclosures(session: Session, scope: Scope, name: Callable[[str | None], str]) -> Report:
    rec = AuditRecord
    month = _local_month(scope).label("month")
    disclosed = func.sum(case((col(rec.event_type).in_(DISCLOSURE_EVENTS), 1), else_=0))
    grouped = session.execute(
        select(col(rec.to_oin), col(rec.activity_id), month, disclosed.label("disclosures"), func.count().label("n"))
        .where(*_in_scope(scope, DISCLOSURE_EVENTS + REFUSAL_EVENTS))
        .group_by(col(rec.to_oin), col(rec.activity_id), month)
    ).all()
    counts = {(g.to_oin, g.activity_id, g.month): (int(g.disclosures), int(g.n) - int(g.disclosures)) for g in grouped}
    rows = [
        {
            "partner_oin": oin,
            "partner": name(oin),
            "activity": activity or "",
            "month": month,
            "disclosures": disclosed,
            "refusals": refused,
        }
        for (oin, activity, month), (disclosed, refused) in sorted(
            counts.items(), key=lambda i: tuple(map(str, i[0][::-1]))
        )
    ]
    return Report(
        "disclosures",
        scope.period_from,
        scope.period_to,
        ("month", "partner_oin", "partner", "activity", "disclosures", "refusals"),
        rows,
    )


def _json(value: Any) -> Any:
    """A JSON column grouped as its text (PostgreSQL's json has no equality), parsed back once per group."""
    return json.loads(value) if isinstance(value, str) else value


def refusals(session: Session, scope: Scope, name: Callable[[str | None], str]) -> Report:
    rec = AuditRecord
    withheld = cast(col(rec.categories_withheld), Text).label("withheld")
    reasons_text = cast(col(rec.denial_reasons), Text).label("reasons")
    grouped = session.execute(
        select(col(rec.to_oin), col(rec.activity_id), withheld, reasons_text, func.count().label("n"))
        .where(*_in_scope(scope, REFUSAL_EVENTS))
        .group_by(col(rec.to_oin), col(rec.activity_id), withheld, reasons_text)
    ).all()
    counts: Counter = Counter()
    for row in grouped:
        reasons = _json(row.reasons) or {}
        for category in _json(row.withheld) or list(reasons):
            counts[(row.to_oin, row.activity_id or "", category, reasons.get(category, "onbekend"))] += int(row.n)
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
    """Reads per acting person and local clock hour with more distinct cases than the threshold (grouped by
    the local hour's label, so the repeated autumn hour is one hour, as on the clock), and reads outside office
    hours per local day (grouped per UTC hour in SQL, each hour placed on the local clock here)."""
    rec = AuditRecord
    start, end = settings.office_hours
    who = (col(rec.to_oin), col(rec.to_actor))
    hour = _local_text(session, scope, "hour").label("hour")
    cases = func.count(distinct(col(rec.case_id)))
    busy = session.execute(
        select(*who, hour, cases.label("cases"))
        .where(*_in_scope(scope, READ_EVENTS))
        .group_by(*who, hour)
        .having(cases > settings.unusual_reads_per_hour)
    ).all()
    utc_hour = _utc_hour(session).label("utc_hour")
    per_hour = session.execute(
        select(*who, utc_hour, func.count().label("n")).where(*_in_scope(scope, READ_EVENTS)).group_by(*who, utc_hour)
    ).all()
    local_hours = _local_hours(scope)
    outside: Counter = Counter()
    for g in per_hour:
        local = local_hours[g.utc_hour]
        if local.weekday() >= 5 or not start <= local.hour < end:
            outside[(g.to_oin, g.to_actor, local.strftime("%Y-%m-%d"))] += int(g.n)
    rows = [
        _unusual_row(
            "veel_zaken_per_uur",
            oin,
            actor,
            when,
            cases,
            name,
            f"{cases} verschillende zaken ingezien binnen één uur (drempel {settings.unusual_reads_per_hour})",
        )
        for oin, actor, when, cases in sorted(
            ((b.to_oin, b.to_actor, b.hour, int(b.cases)) for b in busy), key=lambda b: str(b[:3])
        )
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
