"""Server-side sessions of people (table web_session): the cookie holds a random token, the row its hash.

Every request that carries the cookie reads the row in a short transaction of its own, before the route
touches the request's unit of work: an ended or idle row signs the person out on every replica at once.
`request.session` (Starlette's, which authlib's client uses for state, nonce and the PKCE verifier) is the
row's `data`; `save` writes it back. Nothing here is personal data of a detainee.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
import structlog
from fastapi import Depends, Request, Response

from hub.db import unit_of_work
from hub.web.models import WebSession

log = structlog.get_logger(__name__)

SIGNED_IN = "person"
# The idle clock moves at most this often: most page loads then read the row without writing it.
TOUCH_EVERY = timedelta(seconds=30)
# Rows (ended, idle or abandoned sign-in attempts) are deleted a day after they were last seen.
KEEP_ROWS = timedelta(days=1)  # key in the session data: {"client_id", "employee_id", "name"}


def cookie_name(request: Request) -> str:
    # `__Host-` binds the cookie to this host over https, path /, no Domain; plain http in development can't.
    return "hub_session" if request.app.state.settings.env == "dev" else "__Host-hub_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class WebState:
    """The person's session as this request found it."""

    token: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expired: bool = False  # the cookie named a session that has ended (idle or logged out)
    last_seen_at: datetime | None = None

    @property
    def person(self) -> dict[str, str] | None:
        return self.data.get(SIGNED_IN)

    @property
    def reference(self) -> str:
        """A non-secret reference to the session (the first characters of its row id), for the Caller."""
        return f"web:{_hash(self.token)[:16]}" if self.token else "web:none"


def load(request: Request, *, touch: bool = True) -> WebState:
    """Read the session named by the cookie; an idle one is ended here. Sets `request.session`."""
    cached = request.scope.get("hub.web_state")
    if cached is not None:
        return cached
    settings = request.app.state.settings
    state = WebState()
    token = request.cookies.get(cookie_name(request))
    if token and 20 <= len(token) <= 100:
        now = datetime.now(UTC)
        idle = timedelta(seconds=settings.web_idle_timeout_seconds)
        idle_ended = False
        with unit_of_work(request.app.state.engine) as db:
            row = db.get(WebSession, _hash(token))
            if row is not None and row.ended_at is None and row.last_seen_at + idle < now:
                row.ended_at = now
                db.add(row)
                idle_ended = state.expired = True
            elif row is not None and row.ended_at is None:
                state.token, state.data = token, dict(row.data)
                if touch and row.last_seen_at + TOUCH_EVERY <= now:
                    row.last_seen_at = now
                    db.add(row)
                state.last_seen_at = row.last_seen_at
            elif row is not None:
                state.expired = True
        if idle_ended:
            log.info("web.session_idle_ended")
    request.scope["session"] = dict(state.data)
    request.scope["hub.web_state"] = state
    return state


def touch(request: Request, state: WebState) -> None:
    """Move the idle clock now (the "Ingelogd blijven" button), whatever TOUCH_EVERY says."""
    if state.token is None:
        return
    now = datetime.now(UTC)
    with unit_of_work(request.app.state.engine) as db:
        row = db.get(WebSession, _hash(state.token))
        if row is not None and row.ended_at is None:
            row.last_seen_at = now
            db.add(row)
            state.last_seen_at = now


def seconds_left(request: Request, state: WebState) -> int:
    """Seconds until the server ends this session when nothing happens (the idle warning counts from this)."""
    idle = request.app.state.settings.web_idle_timeout_seconds
    if state.last_seen_at is None:
        return idle
    return max(0, int(idle - (datetime.now(UTC) - state.last_seen_at).total_seconds()))


def save(request: Request, response: Response, state: WebState, *, new_token: bool = False) -> None:
    """Write `request.session` back to the row; a new token (and row) at sign-in, against session fixation."""
    data = dict(request.scope.get("session") or {})
    now = datetime.now(UTC)
    with unit_of_work(request.app.state.engine) as db:
        if state.token is not None and new_token:
            old = db.get(WebSession, _hash(state.token))
            if old is not None:
                old.ended_at = now
                db.add(old)
            state.token = None
        if state.token is None:
            # A new row (a sign-in or an attempt): old rows go first, so unauthenticated attempts cannot pile up.
            db.execute(
                sa.delete(WebSession).where(WebSession.last_seen_at < now - KEEP_ROWS),  # type: ignore[arg-type]
                execution_options={"synchronize_session": False},
            )
            state.token = secrets.token_urlsafe(32)
            db.add(WebSession(id=_hash(state.token), data=data, created_at=now, last_seen_at=now))
        else:
            row = db.get(WebSession, _hash(state.token))
            if row is None or row.ended_at is not None:
                row = WebSession(id=_hash(state.token), data=data, created_at=now, last_seen_at=now)
            row.data, row.last_seen_at = data, now
            db.add(row)
    state.data = data
    _set_cookie(request, response, state.token)


def end(request: Request, response: Response, state: WebState) -> None:
    """Log out: the row ends (on every replica) and the cookie is cleared."""
    if state.token is not None:
        with unit_of_work(request.app.state.engine) as db:
            row = db.get(WebSession, _hash(state.token))
            if row is not None and row.ended_at is None:
                row.ended_at = datetime.now(UTC)
                db.add(row)
    state.token, state.data = None, {}
    forget(request, response)


def forget(request: Request, response: Response) -> None:
    """Clear the cookie in the browser (the row is not touched)."""
    response.delete_cookie(cookie_name(request), path="/")


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request),
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.env != "dev",
        path="/",
    )


def web_state(request: Request) -> WebState:
    return load(request)


WebStateDep = Annotated[WebState, Depends(web_state)]
