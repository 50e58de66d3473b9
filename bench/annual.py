"""The annual report (Jaarverslag, hub.audit.annual) over a growing log, for bench/audit.py --annual.

The first size's records all fall in the year asked (ANNUAL_YEAR), in a mix like the hub's: releases,
reads, refusals with reasons, identities shown, handovers, inspections and access reports by the region's
officer, content destroyed; half in cases of the officer's region, half in another region's. Every record
after that falls in the next year. The report for ANNUAL_YEAR must then give the same figures at every size,
and take the same time: its cost should depend on the year asked, not on the log's length.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session

from bench.prefill import OINS, REGION, fill_cases, fill_log
from hub.audit.access import organisation_namer
from hub.audit.annual import annual_report
from hub.auth.principal import Caller
from hub.config import Settings

ANNUAL_YEAR = 2025
CASES = 5000
OFFICER = OINS[3]
TARGET_S = 2.0


def _mix(seq: int) -> dict[str, Any]:
    """Event type and its fields for one record, by seq % 100 (a deterministic mix)."""
    slot = seq % 100
    if slot < 60:
        return {}  # data_released
    if slot < 70:
        withheld = ["debts", "care"][slot % 2]
        return {
            "event_type": "request_refused",
            "categories_released": [],
            "categories_withheld": [withheld],
            "denial_reasons": {withheld: "requester_not_coordinator"},
        }
    if slot < 85:
        return {"event_type": "data_read"}
    if slot < 90:
        return {"event_type": "identity_shown", "categories_released": []}
    if slot < 94:
        return {"event_type": "handover"}
    if slot < 95:
        return {"event_type": "data_withheld", "categories_released": [], "categories_withheld": ["care"]}
    if slot < 98:
        officer = {"to_oin": OFFICER, "from_oin": None, "case_id": None, "activity_id": None, "to_actor": "fg-1"}
        if slot == 97:
            received = (dt.date(ANNUAL_YEAR, 1, 1) + dt.timedelta(days=seq % 300)).isoformat()
            return {**officer, "event_type": "access_report", "query_filter": {"received_on": received}}
        return {**officer, "event_type": "inspection", "subject_pseudonym": None, "subject_id_type": None}
    if slot < 99:
        return {"event_type": "content_destroyed", "categories_released": []}
    return {"event_type": "request_decided"}


def fields_for(year_records: int):
    """Records 1..year_records spread over ANNUAL_YEAR (UTC, inside the Amsterdam year); later ones in the
    year after, one a second."""
    start = dt.datetime(ANNUAL_YEAR, 1, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=363) / year_records
    after = dt.datetime(ANNUAL_YEAR + 1, 1, 2, tzinfo=dt.UTC)

    def fields(seq: int) -> dict[str, Any]:
        moment = start + step * seq if seq <= year_records else after + dt.timedelta(seconds=seq - year_records)
        return {"event_time": moment, "case_id": f"case-{seq % CASES}", **_mix(seq)}

    return fields


def _fingerprint(found: dict[str, Any]) -> tuple:
    """What the report found, to compare across sizes: rows and totals of each part."""
    disclosures = found["disclosures"].rows
    return (
        len(disclosures),
        sum(r["disclosures"] for r in disclosures),
        sum(r["refusals"] for r in disclosures),
        sum(r["count"] for r in found["refusals"].rows),
        len(found["unusual"].rows),
        sum(sum(c.values()) for c in found["oversight"].values()),
        len(found["access_requests"]),
        tuple(sorted(found["retention"].items())),
    )


def _backend_cpu(session: Session) -> float:
    """CPU seconds used so far by this session's PostgreSQL backend, when the server runs on this machine (its
    /proc entry is readable); 0 on SQLite, whose work is done in this process and counted by process_time."""
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def annual_seconds(engine: Engine, caller: Caller, settings: Settings, repeats: int) -> tuple[float, float, tuple]:
    """Median wall time and CPU time (this process, and the PostgreSQL backend when local) of the whole annual
    report, its three logged inspections committed; and what it found."""
    name = organisation_namer(None)
    walls, cpus, found = [], [], {}
    for _ in range(repeats):
        with Session(engine) as session:
            backend = _backend_cpu(session)
            session.commit()
            cpu, began = time.process_time(), time.perf_counter()
            found = annual_report(session, caller, ANNUAL_YEAR, name=name, officer_oins=[OFFICER], settings=settings)
            session.commit()
            walls.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu + _backend_cpu(session) - backend)
    return statistics.median(walls), statistics.median(cpus), _fingerprint(found)


def annual_bench(
    engine: Engine, caller: Caller, settings: Settings, sizes: list[int], mac_key: bytes, backend: str, repeats: int
) -> None:
    fill_cases(engine, CASES, regions=(REGION, "elders"))
    fields = fields_for(sizes[0])
    first: tuple[float, float, tuple] | None = None
    for size in sizes:
        began = time.perf_counter()
        fill_log(engine, size, mac_key, fields)
        filled = time.perf_counter() - began
        seconds, cpu, found = annual_seconds(engine, caller, settings, repeats)
        verdict = "met" if seconds < TARGET_S else "NOT met"
        ratio, same = "", ""
        if first is not None:
            ratio = f"; ratio to {sizes[0]:,} records: wall {seconds / first[0]:.2f}, CPU {cpu / first[1]:.2f}"
            same = "; same figures" if found == first[2] else f"; FIGURES DIFFER {found}"
        print(
            f"[{backend}] {size:>9,} records ({sizes[0]:,} in {ANNUAL_YEAR}): annual report median {seconds:.3f} s "
            f"(CPU {cpu:.3f} s) over {repeats} runs (target < {TARGET_S:g} s: {verdict}){ratio}{same}; "
            f"load {os.getloadavg()[0]:.2f}; filled in {filled:.0f} s"
        )
        first = first or (seconds, cpu, found)
    assert first is not None  # noqa: S101
    print(f"[{backend}] figures for {ANNUAL_YEAR}: {first[2]}")
