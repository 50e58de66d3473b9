"""The screens' one way to finish a unit of work that writes: run the service, render the page to bytes, then
commit. A rendering failure rolls everything back, the disclosure-log record included.

Today it is hub.rendering.render_then_commit. When the request's session dependency commits after rendering
(issue 10), this function becomes `return render(work())` and nothing else in hub/web changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Response
from sqlmodel import Session

from hub.rendering import render_then_commit

T = TypeVar("T")


def commit_after_render(session: Session, work: Callable[[], T], render: Callable[[T], Response]) -> Response:
    return render_then_commit(session, work, render)
