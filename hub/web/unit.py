"""The screens' one way to finish a unit of work that writes: run the service, then render the page.

The request's unit of work (hub.db.SessionDep) commits only after the route has returned its rendered
response, so a rendering failure rolls everything back, the disclosure-log record included, exactly as for
the API routes. This function keeps that order visible at every call site of the screens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Response
from sqlmodel import Session

T = TypeVar("T")


def commit_after_render(session: Session, work: Callable[[], T], render: Callable[[T], Response]) -> Response:
    """`render(work())`: the page is rendered to bytes before SessionDep commits `session`'s transaction."""
    del session  # the request's unit of work owns the commit
    return render(work())
