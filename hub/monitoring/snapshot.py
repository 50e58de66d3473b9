"""A year's figures, frozen once the year is over: the only figures the monitor shows (second reader's finding).

Statistics rows are written when a case's facts become final, so figures computed live change with every case
that closes: an analyst who downloads the monitor just before and just after one case closes can subtract the
two and read that case's detention band and flags. So the monitor publishes a period once:

- while the year is running (detention started this year, or later) it shows no figures at all;
- the first time the monitor of a year is asked for after that year has ended, the region's figures are taken
  from the rows written until then and stored (`monitoring_snapshot`), in that request's transaction;
- from then on that snapshot is all anyone sees of that year. Rows written later for that year (a long
  detention that closes the year after) are not added to it: they would change a published figure.

Two views of a year therefore show either nothing (open) or the same frozen figures, and subtract to nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hub.monitoring.facts import release
from hub.monitoring.models import MonitoringFact, MonitoringSnapshot
from hub.monitoring.report import Figures, live_figures

log = structlog.get_logger(__name__)


def is_closed(year: int, today: date) -> bool:
    """Whether the period `year` is over (detention started in a year that has ended)."""
    return year < today.year


def published(session: Session, region: str, year: int, today: date) -> Figures | None:
    """The region's frozen figures for `year`; None while the year is still running. Takes the snapshot (and
    flushes it) the first time a closed year is asked for."""
    if not is_closed(year, today):
        return None
    stored = session.get(MonitoringSnapshot, (region, year))
    if stored is None:
        stored = _take(session, region, year, today)
    return Figures(
        counts=Counter({(m, measure, item, value): n for m, measure, item, value, n in stored.counts}),
        days={(m, partner): list(values) for m, partner, values in stored.days},
        taken_on=stored.taken_on,
    )


def _take(session: Session, region: str, year: int, today: date) -> MonitoringSnapshot:
    release(session, region, year)  # the batches not yet full (hub.monitoring.facts): all of the year counts
    figures = live_figures(session, region, year)
    snapshot = MonitoringSnapshot(
        region=region,
        year=year,
        taken_on=today,
        counts=[[*key, n] for key, n in sorted(figures.counts.items())],
        days=[[m, partner, sorted(values)] for (m, partner), values in sorted(figures.days.items())],
    )
    try:
        with session.begin_nested():  # two first views at once: the other one's snapshot stands
            session.add(snapshot)
    except IntegrityError:
        found = session.get(MonitoringSnapshot, (region, year))
        assert found is not None  # the other view's snapshot, committed
        return found
    log.info("monitoring.snapshot_taken", region=region, year=year)
    return snapshot


def years(session: Session, region: str, today: date) -> list[int]:
    """The closed years with statistics or a snapshot for the region, newest first."""
    found = set(session.exec(select(MonitoringFact.year).where(MonitoringFact.region == region).distinct()))
    found |= set(session.exec(select(MonitoringSnapshot.year).where(MonitoringSnapshot.region == region)))
    return sorted((y for y in found if is_closed(y, today)), reverse=True)
