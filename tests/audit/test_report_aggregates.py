"""The reports group in SQL (local months, days and hours computed by the database) and must give exactly what
counting the records one by one in Python gives: the reference below is that row-by-row count, as the reports
did it before. The log covers both daylight-saving changes, the repeated autumn hour, weekends and nights,
refusals with reasons, another region's case and a NULL activity, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from hub.audit import reports
from hub.audit.models import AuditRecord
from hub.audit.repository import in_region
from tests.audit.conftest import GV, MH, ZVH_OIN, append, utc

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OTHER_OIN = "00000009990000001000"


def _seed(session: Session, subject: str) -> None:
    moments = [
        utc(2025, 1, 4, 10),  # a Saturday
        utc(2025, 3, 30, 0, 30),  # just before the spring change (01:00 UTC)
        utc(2025, 3, 30, 1, 30),
        utc(2025, 6, 30, 21, 59),  # 23:59 local: still June, outside office hours
        utc(2025, 6, 30, 22, 1),  # 00:01 local: July
        utc(2025, 10, 26, 0, 30),  # 02:30 local, first time
        utc(2025, 10, 26, 1, 30),  # 02:30 local, second time
        utc(2025, 10, 26, 1, 40),
        utc(2025, 12, 31, 22, 30),  # 23:30 local on 31 December
        utc(2025, 11, 5, 9),  # a Wednesday, office hours
    ]
    for i, moment in enumerate(moments):
        for case, actor in ((f"case-{i}", "coord-3"), (f"case-{i + 20}", "coord-4")):
            append(session, subject, event_time=moment, case_id=case, to_actor=actor)
        append(
            session,
            subject,
            event_type="request_refused",
            event_time=moment + dt.timedelta(minutes=5),
            case_id=f"case-{i}",
            categories_released=[],
            categories_withheld=["care", "debts"][: 1 + i % 2],
            denial_reasons={"care": "no_consent", "debts": "not_needed"} if i % 3 else {"care": "no_consent"},
        )
        append(session, subject, event_type="data_read", event_time=moment, case_id=f"case-{i + 40}", to_oin=OTHER_OIN)
    append(session, subject, event_time=utc(2025, 10, 26, 1, 45), case_id="case-mh", region=MH)
    append(session, subject, event_time=utc(2025, 5, 1, 3), case_id="case-x", decision=None)  # no activity


def _reference_rows(session: Session, scope: reports.Scope, events) -> list:
    rec = AuditRecord
    return session.execute(
        select(rec).where(
            col(rec.event_time) >= scope.period_from,
            col(rec.event_time) < scope.period_to,
            col(rec.event_type).in_(tuple(events)),
            in_region(scope.region),
        )
    ).scalars()


def _reference(session: Session, scope: reports.Scope, settings) -> dict[str, list]:
    """The reports counted row by row in Python (Europe/Amsterdam by zoneinfo)."""
    local = lambda moment: moment.astimezone(AMSTERDAM)  # noqa: E731
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for r in _reference_rows(session, scope, reports.DISCLOSURE_EVENTS + reports.REFUSAL_EVENTS):
        kind = "disclosures" if r.event_type in reports.DISCLOSURE_EVENTS else "refusals"
        counts[(r.to_oin, r.activity_id, local(r.event_time).strftime("%Y-%m"))][kind] += 1
    disclosures = [
        (oin, activity or "", month, c["disclosures"], c["refusals"])
        for (oin, activity, month), c in sorted(counts.items(), key=lambda i: tuple(map(str, i[0][::-1])))
    ]
    refused: Counter = Counter()
    for r in _reference_rows(session, scope, reports.REFUSAL_EVENTS):
        reasons = r.denial_reasons or {}
        for category in r.categories_withheld or list(reasons):
            refused[(r.to_oin, r.activity_id or "", category, reasons.get(category, "onbekend"))] += 1
    per_hour: dict[tuple, set] = defaultdict(set)
    outside: Counter = Counter()
    start, end = settings.office_hours
    for r in _reference_rows(session, scope, reports.READ_EVENTS):
        moment = local(r.event_time)
        per_hour[(r.to_oin, r.to_actor, moment.strftime("%Y-%m-%d %H:00"))].add(r.case_id)
        if moment.weekday() >= 5 or not start <= moment.hour < end:
            outside[(r.to_oin, r.to_actor, moment.strftime("%Y-%m-%d"))] += 1
    busy = [(*k, len(v)) for k, v in sorted(per_hour.items(), key=lambda i: str(i[0]))]
    return {
        "disclosures": disclosures,
        "refusals": [(*k, n) for k, n in sorted(refused.items(), key=lambda i: str(i[0]))],
        "unusual": [row for row in busy if row[3] > settings.unusual_reads_per_hour]
        + [(*k, n) for k, n in sorted(outside.items(), key=lambda i: str(i[0]))],
    }


def test_grouped_reports_equal_the_row_by_row_count(session, subject, settings):
    _seed(session, subject)
    settings = settings.model_copy(update={"unusual_reads_per_hour": 2})
    scope = reports.Scope(dt.datetime(2025, 1, 1, tzinfo=AMSTERDAM), dt.datetime(2026, 1, 1, tzinfo=AMSTERDAM), GV)
    name = str
    found = {
        "disclosures": [
            (r["partner_oin"], r["activity"], r["month"], r["disclosures"], r["refusals"])
            for r in reports.disclosures(session, scope, name).rows
        ],
        "refusals": [
            (r["partner_oin"], r["activity"], r["category"], r["reason"], r["count"])
            for r in reports.refusals(session, scope, name).rows
        ],
        "unusual": [
            (r["partner_oin"], r["actor"], r["when"], r["count"])
            for r in reports.unusual(session, scope, name, settings).rows
        ],
    }
    expected = _reference(session, scope, settings)
    assert found == expected
    # the cases the seed was made for: both sides of each change, the repeated hour as one local hour
    months = {row[2] for row in found["disclosures"]}
    assert {"2025-01", "2025-03", "2025-06", "2025-07", "2025-10", "2025-11", "2025-12"} <= months
    assert (ZVH_OIN, "coord-3", "2025-10-26 02:00", 3) in found["unusual"]  # 3 cases in the hour lived twice
    assert (ZVH_OIN, "coord-3", "2025-01-04", 1) in found["unusual"]  # a Saturday in office hours
    assert not any(row[2] == "2025-11-05" for row in found["unusual"])  # a Wednesday at 10:00
    assert {r[1] for r in found["disclosures"]} >= {"", "reintegration"}  # a NULL activity, and a known one
