"""Timestamps as the API shows them: always with their offset, as the OpenAPI `date-time` format (RFC 3339)
requires. Every stored time is UTC, but SQLite hands timestamps back without their zone (PostgreSQL keeps it),
so a response model that reads a row declares its times as `UtcDateTime`. Found by the schemathesis run
(tests/fuzz): on SQLite, cases, timelines and checkpoints answered `2026-11-22T21:45:10.503709`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a moment without a zone was written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
