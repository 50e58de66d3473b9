"""Table models of monitoring: anonymous statistics rows, and which of a case's fact groups were written.

`monitoring_fact` holds no identifier of a case or a person, no date finer than the year and no free text:
every `measure`, `item` and `value` comes from the closed vocabulary in hub.monitoring.facts. Its key is a
random UUID and it has no timestamp, so neither the key nor a time orders a row back to the case that made it;
rows arrive in batches of several cases, in the order of their random keys (`monitoring_pending` holds them
until then), so neither does the order they were written in. It is not linked to `case` and has no data key,
so retention (hub.cases.retention) never touches it.

`monitoring_written` remembers, per case, which fact groups were written (so a group is counted once). It
points at the case, never at a statistics row.

`monitoring_snapshot` holds a region's figures for a year, frozen once that year is over: what the monitor shows.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class FactBase(SQLModel):
    """One counted fact: `measure` (+ `item`) had `value` (or the whole number `number`) for one case."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    region: str = Field(max_length=64)
    municipality: str = Field(max_length=6)  # CBS code: the municipality of origin
    year: int  # the year detention started; no month, no day
    measure: str = Field(max_length=40)
    item: str = Field(default="", max_length=40)
    value: str = Field(default="", max_length=40)
    number: int | None = None


class MonitoringFact(FactBase, table=True):
    """A counted fact in the statistics the monitor reads (arrived in a batch)."""

    __tablename__ = "monitoring_fact"
    __table_args__ = (sa.Index("ix_monitoring_fact_region_year", "region", "year", "measure"),)


class MonitoringPending(FactBase, table=True):
    """A statistics row waiting for its batch: the rows of one fact group (`batch`) of the cases of one
    municipality and year move to `monitoring_fact` together once BATCH cases have written them, or when the
    year is published (hub.monitoring.facts.release)."""

    __tablename__ = "monitoring_pending"
    __table_args__ = (sa.Index("ix_monitoring_pending_batch", "region", "municipality", "year", "batch"),)

    batch: str = Field(max_length=32)  # the fact group: `case` or `evaluation`


class MonitoringWritten(SQLModel, table=True):
    """The fact group `group` of case `case_id` is in the statistics (it is written once)."""

    __tablename__ = "monitoring_written"

    case_id: str = Field(foreign_key="case.id", primary_key=True, max_length=36)
    group: str = Field(primary_key=True, max_length=32)


class MonitoringSnapshot(SQLModel, table=True):
    """A year's figures of a region, frozen once the year is over (hub.monitoring.snapshot): the monitor shows
    only these, so two views at different moments show the same figures and subtract to nothing."""

    __tablename__ = "monitoring_snapshot"

    region: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    taken_on: date  # the day it was frozen (the first view after the year ended)
    # [[municipality, measure, item, value, rows]]: the counted rows
    counts: list[list[Any]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    # [[municipality, partner type, [days, ...]]]: the days each answer took
    days: list[list[Any]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
