"""Anonymous statistics rows, written when a case's facts become final (a recorded processing under `monitoring`).

Two fact groups per case, each written once, in the transaction of the step that makes it final:

- `evaluation` when the coordinator records the evaluation after the plan: per basic condition its status at
  the start of detention (DJI's information sheet) and after the plan;
- `case` when the case closes (after the handover is acknowledged, when detention ends with nothing to hand
  over, or when the coordinator closes it): the detention length band, consent, risk, outreach, the handover,
  DJI's 18b and BIJ notices, whether the origin was unknown at the start or disputed at some point, and the
  days each answered request took, per partner type.

A row is one counted fact (`measure`, `item`, `value` or `number`) with the region, the municipality of
origin and the year detention started: no identifier, no date finer than the year, no free text. Every
measure, item and value must be in `MEASURES` below, so free text cannot get in by mistake.

Rows are not linked to their case by the order they are written in either (second reader's finding): the
`statistics_written` log record names the case, so rows written one after another beside it in one
transaction could be tied back by their physical order (SQLite's rowid, PostgreSQL's heap). So a group's rows
first wait in `monitoring_pending`, and move to `monitoring_fact` in batches: all waiting rows of a group of
one municipality and year once BATCH cases have written them (in the transaction of the last), and whatever is
left when the year is published. Moved rows get new random keys and are written in the order of those keys.

A case whose municipality of origin was never determined (issue 16) is counted under `NO_ORIGIN` instead of a
CBS code: the monitor shows it as a row of its own for the region, suppressed like every other row.

Adding a count is two lines: a `Measure` in `MEASURES`, and the rows it gives in `closed_case_facts` (or a new
group with its own writer); the monitor shows it by a `Flag` in hub.monitoring.report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy import func
from sqlmodel import Session, col, select

from hub.audit import events
from hub.audit.trace import new_trace
from hub.cases.models import Case, CaseEvent, Origin
from hub.cases.schemas import BasicCondition, ConditionStatus
from hub.monitoring.models import MonitoringFact, MonitoringPending, MonitoringWritten
from hub.policy.register import get_register

log = structlog.get_logger(__name__)

ACTIVITY = "monitoring"
BANDS = ("under_4_weeks", "1_to_6_months", "longer", "not_ended")
PARTNER_TYPES = ("dji", "municipal_social", "municipal_security", "police", "probation")
CONDITIONS = tuple(c.value for c in BasicCondition)
STATUSES = tuple(s.value for s in ConditionStatus)
NO_ORIGIN = "none"  # the `municipality` of the rows of a case that closed without a municipality of origin
GROUPS = ("case", "evaluation")  # the fact groups; each holds one row whose measure is the group's name
BATCH = 5  # the cases whose rows of a group move to monitoring_fact together (see `release`)


@dataclass(frozen=True, slots=True)
class Measure:
    values: tuple[str, ...] = ()  # the values it may take (empty: it carries a number instead)
    items: tuple[str, ...] = ("",)  # what it is measured of ("" when it is about the case as a whole)
    number_max: int | None = None  # the largest number it may carry


MEASURES: dict[str, Measure] = {
    "case": Measure(("closed",)),
    "detention_length": Measure(BANDS),
    "consent": Measure(("yes", "no", "unknown")),
    "risk": Measure(("none", "signalled")),
    "outreach": Measure(("yes", "no")),
    "handover": Measure(("confirmed", "sent", "none")),
    "evaluation": Measure(("recorded",)),
    "condition_start": Measure(STATUSES, CONDITIONS),
    "condition_after": Measure(STATUSES, CONDITIONS),
    "answer_days": Measure((), PARTNER_TYPES, number_max=3650),
    "notice_18b": Measure(("yes", "no")),  # DJI sent a Pbw art. 18b notice for the case (hub.notices)
    "notice_bij": Measure(("yes", "no")),  # DJI sent a BIJ notice for the case
    "origin_start": Measure(("known", "unknown")),  # did DJI name the municipality of origin when it opened
    "origin_disputed": Measure(("yes", "no")),  # was the determined municipality contested at some point
}


class InvalidFact(ValueError):
    """A statistics row outside the vocabulary: nothing is written (a bug in the caller)."""


@dataclass(frozen=True, slots=True)
class Fact:
    measure: str
    value: str = ""
    item: str = ""
    number: int | None = None

    def check(self) -> None:
        measure = MEASURES.get(self.measure)
        if measure is None or self.item not in measure.items:
            raise InvalidFact(f"unknown measure or item: {self.measure}/{self.item}")
        if measure.number_max is None:
            if self.value not in measure.values or self.number is not None:
                raise InvalidFact(f"{self.measure}: value outside the vocabulary")
        elif self.value or self.number is None or not 0 <= self.number <= measure.number_max:
            raise InvalidFact(f"{self.measure}: a whole number from 0 to {measure.number_max}")


def detention_band(started: date, ended: date | None) -> str:
    """Under 4 weeks, 1 to 6 months (up to 183 days), longer; `not_ended` when the case closed first."""
    if ended is None:
        return "not_ended"
    days = (ended - started).days
    return "under_4_weeks" if days < 28 else "1_to_6_months" if days <= 183 else "longer"


def _event_types(session: Session, case_id: str) -> set[str]:
    rows = session.exec(select(CaseEvent.type).where(CaseEvent.case_id == case_id))
    return set(rows)


def _answer_days(session: Session, case_id: str) -> list[tuple[str, int]]:
    from hub.exchange.models import DataRequest  # the exchange's table, read only (no cycle with cases)

    rows = session.exec(
        select(DataRequest.responder_role, DataRequest.created_at, DataRequest.answered_at).where(
            DataRequest.case_id == case_id, col(DataRequest.answered_at).is_not(None)
        )
    )
    return [
        (role, max(0, (answered - created).days))
        for role, created, answered in rows
        if role in PARTNER_TYPES and answered is not None
    ]


def _notice_kinds(session: Session, case_id: str) -> set[str]:
    from hub.notices.models import RiskNotice  # the notices' table, read only (hub.notices imports hub.cases)

    return set(session.exec(select(RiskNotice.kind).where(RiskNotice.case_id == case_id)))


def closed_case_facts(session: Session, case: Case) -> list[Fact]:
    """The `case` group: how the case went, from its clear columns, its timeline and its requests."""
    types = _event_types(session, case.id)
    handover = "confirmed" if "handover_acknowledged" in types else "sent" if "handover_sent" in types else "none"
    kinds = _notice_kinds(session, case.id)
    facts = [
        Fact("case", "closed"),
        Fact("detention_length", detention_band(case.detention_started_on, case.detention_ended_on)),
        Fact("consent", case.consent),
        Fact("risk", case.risk),
        Fact("outreach", "yes" if "outreach_started" in types else "no"),
        Fact("handover", handover),
        Fact("notice_18b", "yes" if "18b" in kinds else "no"),
        Fact("notice_bij", "yes" if "bij" in kinds else "no"),
        # Only an unknown origin is ever determined (a notified one is settled), and only a determined one is
        # contested (hub.origin.service): so anything but `notified` was unknown when the case opened.
        Fact("origin_start", "known" if case.origin == Origin.notified.value else "unknown"),
        Fact("origin_disputed", "yes" if "origin_contested" in types else "no"),
    ]
    facts += [Fact("answer_days", item=role, number=days) for role, days in _answer_days(session, case.id)]
    return facts


def evaluation_facts(start: dict[str, Any], after: dict[str, str]) -> list[Fact]:
    """The `evaluation` group: each basic condition at the start (the information sheet's status, `unknown`
    when the sheet did not name it) and after the plan."""
    facts = [Fact("evaluation", "recorded")]
    for condition in CONDITIONS:
        began = (start.get(condition) or {}).get("status", "unknown")
        facts.append(Fact("condition_start", began if began in STATUSES else "unknown", item=condition))
        facts.append(Fact("condition_after", after.get(condition, "unknown"), item=condition))
    return facts


def already_written(session: Session, case_id: str, group: str) -> bool:
    return session.get(MonitoringWritten, (case_id, group)) is not None


def write(session: Session, case: Case, group: str, facts: Iterable[Fact]) -> bool:
    """Write the group's rows once, with one `statistics_written` record in the log (activity `monitoring`;
    no subject and no categories). False when the group was written before. Flushes, never commits.

    The rows wait in `monitoring_pending` for their batch (the group of the cases of the same municipality and
    year) and move to `monitoring_fact` once BATCH cases have written it: see `release`."""
    if group not in GROUPS:
        raise InvalidFact(f"unknown fact group: {group}")
    if already_written(session, case.id, group):
        return False
    rows = list(facts)
    for fact in rows:
        fact.check()
    if sum(fact.measure == group for fact in rows) != 1:
        raise InvalidFact(f"a {group} group holds exactly one {group} row (it counts the cases of a batch)")
    # never determined (issue 16): counted for the region under NO_ORIGIN, not left out
    municipality, year = case.municipality or NO_ORIGIN, case.detention_started_on.year
    for fact in rows:
        session.add(
            MonitoringPending(
                region=case.region,
                municipality=municipality,
                year=year,
                batch=group,
                measure=fact.measure,
                item=fact.item,
                value=fact.value,
                number=fact.number,
            )
        )
    session.add(MonitoringWritten(case_id=case.id, group=group))
    events.statistics_written(session, activity=get_register().get(ACTIVITY).ref, case_id=case.id, trace=new_trace())
    session.flush()
    log.info("monitoring.statistics_written", group=group, rows=len(rows))
    if _waiting(session, case.region, municipality, year, group) >= BATCH:
        release(session, case.region, year, municipality=municipality, group=group, at_least=BATCH)
    return True


def _waiting(session: Session, region: str, municipality: str, year: int, group: str) -> int:
    """How many cases' `group` rows wait in the batch (each group holds one row whose measure is its name)."""
    statement = select(func.count()).where(
        MonitoringPending.region == region,
        MonitoringPending.municipality == municipality,
        MonitoringPending.year == year,
        MonitoringPending.batch == group,
        MonitoringPending.measure == group,
    )
    return session.exec(statement).one()


def release(
    session: Session,
    region: str,
    year: int,
    *,
    municipality: str | None = None,
    group: str | None = None,
    at_least: int = 0,
) -> int:
    """Move the waiting rows of `region` and `year` (of one batch, when `municipality` and `group` are given) to
    `monitoring_fact`: each under a new random key, written in the order of those keys, so neither the order of
    the rows nor their keys says which case wrote which row; the waiting rows are deleted. Called when a batch
    is full (`write`, `at_least=BATCH`) and, for whatever is left, when the year is published
    (hub.monitoring.snapshot). Returns the number of rows moved. Flushes, never commits.

    The rows are taken by one DELETE ... RETURNING, so two transactions that release the same batch at once
    each move only the rows it deleted; when that leaves fewer than `at_least` cases (the other took the rest),
    they go back to wait rather than move as a batch of one."""
    table = MonitoringPending.__table__  # type: ignore[attr-defined]  # SQLModel's table
    condition = (table.c.region == region) & (table.c.year == year)
    if municipality is not None and group is not None:
        condition &= (table.c.municipality == municipality) & (table.c.batch == group)
    columns = (table.c.region, table.c.municipality, table.c.year, table.c.batch, table.c.measure)
    taken = session.execute(
        sa.delete(table).where(condition).returning(*columns, table.c.item, table.c.value, table.c.number)
    ).all()
    if sum(row.measure == row.batch for row in taken) < at_least:
        for row in taken:
            session.add(MonitoringPending(**row._asdict()))
        session.flush()
        return 0
    moved = [
        MonitoringFact(
            id=str(uuid.uuid4()),
            region=row.region,
            municipality=row.municipality,
            year=row.year,
            measure=row.measure,
            item=row.item,
            value=row.value,
            number=row.number,
        )
        for row in taken
    ]
    for fact in sorted(moved, key=lambda f: f.id):  # the order of random keys: not the cases', not the groups'
        session.add(fact)  # the unit of work inserts one table's new rows in the order they were added
    session.flush()
    if moved:
        log.info("monitoring.batch_released", rows=len(moved))
    return len(moved)


def write_closed_case(session: Session, case: Case) -> bool:
    return write(session, case, "case", closed_case_facts(session, case))
