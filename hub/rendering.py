"""Responses rendered before the transaction that logs them commits (security review L8).

A route that discloses personal data (or refuses to) writes its disclosure-log record in the request's
transaction. The response must be built and serialised, down to the bytes that will be sent, BEFORE that
transaction commits: otherwise a rendering error would leave a record of a disclosure that never reached
anyone (and a 500 after the record). `render_then_commit(session, work, shape)` does it in one place:

- `work()` (the route's one service call) runs with the session's `commit()` held: it only flushes;
- `shape(result)` builds the response model (or a rendered `Response`), which is serialised to bytes;
- only then does the transaction commit, and those bytes are what the client gets.

When something fails:

- `work()` raises a `LoggedRefusal` (the service wrote the refusal's record on purpose): the record commits and
  the refusal is raised, as without the hold;
- `work()` raises anything else: nothing commits and the error is raised as before;
- shaping or serialising fails: everything rolls back (no record says anything was disclosed) and the client
  gets a 500 problem `response_not_rendered` that carries no content; the log line names the error type only.

Under an `Idempotency-Key` (hub.idempotency) the service's commits are already held until the response is
stored: the commit here is then that hold's flush, and the stored response is these same bytes. A `LoggedRefusal` under
that hold commits when hub.idempotency lets go of the key (its record is kept, the key is not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import structlog
from fastapi import Response
from pydantic import BaseModel
from sqlmodel import Session

from hub.errors import HubError

log = structlog.get_logger(__name__)

T = TypeVar("T")


class ResponseNotRendered(HubError):
    """The response could not be built; the transaction (with its log records) was rolled back."""

    status, code, title = 500, "response_not_rendered", "Antwoord kon niet worden opgebouwd"


class LoggedRefusal(HubError):
    """A refusal raised after its disclosure-log record was written: the record is part of the answer, so the
    transaction commits before the refusal is rendered. Subclass it together with the problem's own class."""


class _HeldCommits:
    """While held, `session.commit()` only flushes; `commit`/`release` restore the commit that was there
    before (the real one, or hub.idempotency's own hold)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.outer = session.__dict__.get("commit")
        session.commit = session.flush  # type: ignore[method-assign]

    def release(self) -> None:
        if self.outer is None:
            self.session.__dict__.pop("commit", None)
        else:
            self.session.commit = self.outer  # type: ignore[method-assign]

    def commit(self) -> None:
        self.release()
        self.session.commit()


def json_response(model: BaseModel, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """The model serialised now, as FastAPI would serialise a route's response model (by alias, JSON)."""
    return Response(
        content=model.model_dump_json(by_alias=True),
        status_code=status_code,
        media_type="application/json",
        headers=dict(headers) if headers else None,
    )


def render_then_commit(
    session: Session,
    work: Callable[[], T],
    shape: Callable[[T], BaseModel | Response],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Run `work` with its commits held, render `shape(result)` to bytes, then commit; see the module doc.

    `shape` returns the route's response model (serialised with `status_code` and `headers`) or a `Response`
    it rendered itself (a CSV, a status that depends on the result)."""
    held = _HeldCommits(session)
    try:
        result = work()
    except LoggedRefusal:
        held.commit()
        raise
    except BaseException:
        held.release()
        raise
    try:
        shaped = shape(result)
        response = (
            shaped if isinstance(shaped, Response) else json_response(shaped, status_code=status_code, headers=headers)
        )
    except Exception as exc:
        held.release()
        session.rollback()
        log.error("response.not_rendered", error_type=type(exc).__name__)
        raise ResponseNotRendered(
            "Het antwoord kon niet worden opgebouwd; er is niets verstrekt en niets "
            "vastgelegd. Probeer het opnieuw of meld het bij de beheerder."
        ) from None
    held.commit()
    return response
