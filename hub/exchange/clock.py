"""The exchange's clock, a named dependency so that tests move time instead of waiting for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def get_clock() -> Clock:
    """Override with `app.dependency_overrides[get_clock]` to run the exchange at another moment."""
    return system_clock


ClockDep = Annotated[Clock, Depends(get_clock)]


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
