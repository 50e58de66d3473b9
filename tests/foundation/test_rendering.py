"""hub.rendering (review L8): the response is rendered to bytes before the transaction commits, on the real
database. The work here stores a row the way a service stores its disclosure-log record: it adds it and
calls `session.commit()`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, event
from sqlmodel import Session

from hub.errors import Conflict, NotFound
from hub.idempotency import IdempotencyRecord, hold_commits
from hub.rendering import LoggedRefusal, ResponseNotRendered, render_then_commit
from tests.support.rendering import boom


class Receipt(BaseModel):
    key: str
    note: str


class RefusedAndLogged(LoggedRefusal, Conflict):
    code = "refused_and_logged"


def store(session: Session, key: str, then: BaseException | None = None) -> Callable[[], str]:
    """Work that writes a row and commits, as a service does; optionally raises afterwards."""

    def work() -> str:
        session.add(IdempotencyRecord(client_id="render-test", key=key, request_digest="0" * 64))
        session.commit()
        if then is not None:
            raise then
        return key

    return work


def stored(engine: Engine, key: str) -> bool:
    with Session(engine) as reader:
        return reader.get(IdempotencyRecord, ("render-test", key)) is not None


def test_the_response_is_rendered_before_the_commit(engine):
    """Shaping and serialising happen before the one real commit, and the bytes are those of the model."""
    order: list[str] = []
    with Session(engine, expire_on_commit=False) as session:
        event.listen(session, "after_commit", lambda _session: order.append("commit"))

        def shape(key: str) -> Receipt:
            order.append("shape")
            return Receipt(key=key, note="één")

        response = render_then_commit(
            session, store(session, "k1"), shape, status_code=201, headers={"Cache-Control": "no-store"}
        )
    assert order == ["shape", "commit"]
    assert (response.status_code, response.headers["cache-control"]) == (201, "no-store")
    assert response.body == Receipt(key="k1", note="één").model_dump_json().encode()
    assert stored(engine, "k1")


@pytest.mark.parametrize("failure", ["shaping", "serialisation"])
def test_a_render_failure_rolls_back_what_the_work_committed(engine, monkeypatch, failure):
    """Shaping or serialising fails: the work's row is gone and the failure is a 500 problem in Dutch."""

    def shape(key: str) -> Receipt:
        if failure == "shaping":
            raise KeyError(key)
        return Receipt(key=key, note="x")

    if failure == "serialisation":
        monkeypatch.setattr(Receipt, "model_dump_json", boom)
    with Session(engine, expire_on_commit=False) as session, pytest.raises(ResponseNotRendered) as raised:
        render_then_commit(session, store(session, "k2"), shape)
    assert (raised.value.status, raised.value.code) == (500, "response_not_rendered")
    assert raised.value.title == "Antwoord kon niet worden opgebouwd" and "k2" not in raised.value.detail
    assert not stored(engine, "k2")


def test_a_logged_refusal_commits_its_record(engine):
    """A refusal raised after its record was written keeps the record, as it would without the hold."""
    with Session(engine, expire_on_commit=False) as session, pytest.raises(RefusedAndLogged):
        render_then_commit(session, store(session, "k3", then=RefusedAndLogged("geweigerd")), lambda key: key)
    assert stored(engine, "k3")


def test_any_other_error_after_the_work_committed_keeps_nothing(engine):
    """An error that is not a logged refusal leaves nothing, even when the work had called commit()."""
    with Session(engine, expire_on_commit=False) as session, pytest.raises(NotFound):
        render_then_commit(session, store(session, "k4", then=NotFound("weg")), lambda key: key)
    assert not stored(engine, "k4")


def test_under_an_idempotency_hold_the_commit_stays_with_the_hold(engine):
    """With hub.idempotency's hold in place, the commit is that hold's flush: nothing is committed until the
    idempotent response is stored, and the hold is still in place afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        hold_commits(session)
        render_then_commit(session, store(session, "k5"), lambda key: Receipt(key=key, note="x"))
        session.commit()  # still the hold's flush
        session.rollback()
    assert not stored(engine, "k5")
