"""Helpers for the tests of hub.rendering (review L8): break a response's rendering at the outer edge, and
check the problem document the partner gets instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from hub.audit.models import AuditRecord

NOT_RENDERED = ("response_not_rendered", "Antwoord kon niet worden opgebouwd")


def boom(*_args: Any, **_kwargs: Any) -> Any:
    """Stands in for a shaping function or a model's serialisation that fails."""
    raise RuntimeError("rendering failed")


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
