"""The same DJI notification arriving twice at once opens one case; both callers get the same answer."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from hub.auth.principal import Caller
from hub.cases import notifications
from hub.cases.models import Case, DjiNotification
from hub.cases.schemas import DetentionStartedCreate
from hub.cases.service import CaseContext

from .conftest import started_body


def test_simultaneous_repeats_open_one_case(engine: Engine, ctx: CaseContext, dji: Caller) -> None:
    """Two threads send the same notification together: one case, one notification row, equal results."""
    data = DetentionStartedCreate.model_validate(started_body())
    barrier = threading.Barrier(2)
    outcomes: list[notifications.Outcome] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                outcomes.append(notifications.detention_started(session, ctx, dji, data))
                session.commit()  # as the request's unit of work does (hub.db)
        except BaseException as exc:  # reported below, so the test fails with the cause
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes[0].result == outcomes[1].result
    assert sorted(o.created for o in outcomes) == [False, True]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 1
        assert session.exec(select(func.count()).select_from(DjiNotification)).one() == 1
