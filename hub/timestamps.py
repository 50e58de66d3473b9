"""Timestamps as the API shows them: always with their offset, as the OpenAPI `date-time` format (RFC 3339)
requires. Every stored time is UTC, but SQLite hands timestamps back without their zone (PostgreSQL keeps it),
so a response model that reads a row declares its times as `UtcDateTime`. Found by the schemathesis run
(tests/fuzz): on SQLite, cases, timelines and checkpoints answered `2026-11-22T21:45:10.503709`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator


def utcnow() -> datetime:
    """Now, in UTC (the default of every stored time)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a moment without a zone was written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


class UtcTimestamp(sa.TypeDecorator[datetime]):
    """A timestamp column that always comes back with its zone, in UTC: `DateTime(timezone=True)` in the
    database (the migrations declare it so), but SQLite drops the zone on the way back, so each row would
    otherwise need its own "make it UTC" step. A zoneless value written is taken as UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime  # hub.pagination types a cursor's values by their column

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None
