"""Helpers for the tests of rendering before commit (review L8, hub.db's unit of work): break a response's
rendering at the outer edge, and check the problem document the partner gets instead."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi._compat.v2 import ModelField
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, exc, func
from sqlmodel import Session, select

from hub.audit.models import AuditRecord

NOT_RENDERED = ("response_not_rendered", "Antwoord kon niet worden opgebouwd")
SERIALISATION = "serialisation"  # break_at(..., Model, SERIALISATION): FastAPI's serialisation of Model fails


def boom(*_args: Any, **_kwargs: Any) -> Any:
    """Stands in for a shaping function or a model's serialisation that fails."""
    raise RuntimeError("rendering failed")


def break_at(patched: pytest.MonkeyPatch, target: Any, name: str) -> None:
    """Make the response fail at one outer edge: `target.name` (a shaping function) raises, or, with
    `name=SERIALISATION`, FastAPI's serialisation of a response model of class `target` raises (the route has
    returned; only the bytes are still to be made)."""
    if name != SERIALISATION:
        patched.setattr(target, name, boom)
        return
    for method in ("serialize", "serialize_json"):
        original = getattr(ModelField, method)

        def failing(self: ModelField, value: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if isinstance(value, target):
                boom()
            return _original(self, value, *args, **kwargs)

        patched.setattr(ModelField, method, failing)


def partner_view(app: Any) -> Iterator[TestClient]:
    """A test client that shows what a partner sees: a server error is a response, not an exception raised
    in the test (so the old order, record committed and then a 500, is visible as such)."""
    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as test_client:
        yield test_client


def assert_not_rendered(response: httpx.Response, *content: str) -> None:
    """A 500 problem `response_not_rendered` with its Dutch title, carrying none of `content`."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["code"], body["title"]) == NOT_RENDERED
    for text in content:
        assert text not in response.text


def records_since(engine: Engine, seq: int) -> list[str]:
    """The event types of the log records written after `seq`, in order."""
    with Session(engine) as session:
        rows = session.exec(select(AuditRecord).where(AuditRecord.seq > seq).order_by(AuditRecord.seq))
        return [r.event_type for r in rows]


def last_seq(engine: Engine) -> int:
    """The sequence number of the newest log record (0 on an empty log)."""
    with Session(engine) as session:
        return session.exec(select(func.coalesce(func.max(AuditRecord.seq), 0))).one()


@contextmanager
def render_and_commit_order(patched: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Notes, in order, each time FastAPI serialises a response model ("render") and each time a session
    commits its transaction ("commit"), while the block runs."""
    order: list[str] = []
    for method in ("serialize", "serialize_json"):
        original = getattr(ModelField, method)

        def noting(self: ModelField, value: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            order.append("render")
            return _original(self, value, *args, **kwargs)

        patched.setattr(ModelField, method, noting)

    def committed(session: Session) -> None:
        # The outermost transaction, not a savepoint's release; and not the background sealer's round, which
        # asyncio.to_thread runs in the loop's default executor (threads "asyncio_N") and which can land
        # inside the block (seen once on PostgreSQL: ['commit', 'render', 'commit']).
        background = threading.current_thread().name.startswith("asyncio_")
        if not session.in_nested_transaction() and not background:
            order.append("commit")

    event.listen(Session, "after_commit", committed)
    try:
        yield order
    finally:
        event.remove(Session, "after_commit", committed)


@contextmanager
def failing_commits() -> Iterator[None]:
    """Every commit fails as it would when the database goes away at that moment (hub.errors: a 503)."""

    def fail(_session: Session) -> None:
        raise exc.OperationalError("COMMIT", None, sqlite3.OperationalError("disk I/O error"))

    event.listen(Session, "before_commit", fail)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", fail)
