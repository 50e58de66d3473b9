"""hub.db's unit of work (review L8): one transaction per request, committed only once the response has been
rendered to bytes, on the real database. The routes here store a row the way a service stores its
disclosure-log record: they add it to the request's session and never commit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, field_serializer
from sqlalchemy import Engine, event, exc
from sqlmodel import Session

from hub.db import SessionDep
from hub.errors import Conflict, LoggedRefusal, NotFound, install_error_handlers
from hub.idempotency import IdempotencyRecord
from tests.support.rendering import assert_not_rendered

ORDER: list[str] = []


class Receipt(BaseModel):
    key: str

    @field_serializer("key")
    def _rendered(self, key: str) -> str:  # FastAPI serialises the response model: note when
        ORDER.append("render")
        return key


class RefusedAndLogged(LoggedRefusal, Conflict):
    code = "refused_and_logged"


def _store(session: SessionDep, key: str) -> None:
    session.add(IdempotencyRecord(client_id="uow-test", key=key, request_digest="0" * 64))
    session.flush()


def build(engine: Engine) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    install_error_handlers(app)

    @app.post("/stored/{key}", status_code=201, response_model=Receipt)
    def stored(key: str, session: SessionDep) -> Receipt:
        _store(session, key)
        return Receipt(key=key)

    @app.post("/refused/{key}")
    def refused(key: str, session: SessionDep) -> None:
        _store(session, key)
        raise RefusedAndLogged("geweigerd en vastgelegd")

    @app.post("/not-found/{key}")
    def not_found(key: str, session: SessionDep) -> None:
        _store(session, key)
        raise NotFound("weg")

    @app.post("/unrenderable/{key}", response_model=Receipt)
    def unrenderable(key: str, session: SessionDep) -> dict[str, str]:
        _store(session, key)
        return {"no_key": key}  # the response model cannot be built from this

    return app


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    ORDER.clear()
    with TestClient(build(engine), raise_server_exceptions=False) as test_client:
        yield test_client


def stored(engine: Engine, key: str) -> bool:
    with Session(engine) as reader:
        return reader.get(IdempotencyRecord, ("uow-test", key)) is not None


@pytest.fixture
def commits(engine: Engine) -> Iterator[None]:
    """Note every commit of a session on this engine in ORDER."""

    def noted(_session: Session) -> None:
        ORDER.append("commit")

    event.listen(Session, "after_commit", noted)
    yield
    event.remove(Session, "after_commit", noted)


def test_the_response_is_rendered_before_the_commit(client, engine, commits):
    """The route's model is serialised before the one commit, and the client gets those bytes."""
    response = client.post("/stored/k1")
    assert (response.status_code, response.json()) == (201, {"key": "k1"})
    assert ORDER == ["render", "commit"]
    assert stored(engine, "k1")


def test_a_render_failure_rolls_back_the_work(client, engine):
    """The response model cannot be built: the work's row is gone and the client gets the 500 problem."""
    response = client.post("/unrenderable/k2")
    assert_not_rendered(response, "no_key")
    assert not stored(engine, "k2")


def test_a_logged_refusal_commits_its_record(client, engine):
    """A LoggedRefusal: the record written before it commits, and the client gets the refusal."""
    response = client.post("/refused/k3")
    assert (response.status_code, response.json()["code"]) == (409, "refused_and_logged")
    assert stored(engine, "k3")


def test_any_other_refusal_keeps_nothing(client, engine):
    """A problem that is not a logged refusal rolls back what the work wrote."""
    response = client.post("/not-found/k4")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not stored(engine, "k4")


def test_a_failing_commit_sends_nothing_but_a_503(client, engine):
    """The commit fails after the response was rendered: the client gets 503 database_unavailable, not the
    rendered response, and nothing is stored."""

    def fail(_session: Session) -> None:
        raise exc.OperationalError("COMMIT", None, sqlite3.OperationalError("disk I/O error"))

    event.listen(Session, "before_commit", fail)
    try:
        response = client.post("/stored/k5")
    finally:
        event.remove(Session, "before_commit", fail)
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")
    assert "key" not in response.json()
    assert not stored(engine, "k5")
