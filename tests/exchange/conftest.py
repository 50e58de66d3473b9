"""Fixtures for the exchange tests: cases opened through the cases capability's own services, partners that
call the exchange over HTTP with real tokens, a movable clock, and a look into the disclosure log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases import notifications
from hub.cases import service as cases
from hub.cases.models import Case
from hub.cases.schemas import (
    DetentionEndedCreate,
    DetentionStartedCreate,
    PlanRecorded,
    ScreeningStarted,
    WeighingRecorded,
)
from hub.config import Settings
from hub.crypto.envelope import Envelope
from hub.exchange.dependencies import get_clock
from hub.exchange.models import Answer, DataRequest, Handover
from hub.policy.register import get_register

DJI = "dji-pi-nieuwegein"
ZVH = "zvh-gooi-en-vechtstreek"
ZVH_MAASTRICHT = "zvh-maastricht-heuvelland"
SOCIAL = "gm0402-social"
SECURITY = "gm0402-security"
OTHER_SOCIAL = "gm0406-social"  # Huizen, same region
POLICE = "politie-midden-nederland"
PROBATION = "reclassering-nederland"
PRIVACY_OFFICER = "fg-gooi-en-vechtstreek"
BSN = "111222333"


@pytest.fixture
def case_ctx(settings: Settings, app) -> cases.CaseContext:
    """The case context the cases routes get: the app's follower decides open requests again on a change."""
    return cases.CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
        follow=app.state.case_follower,
    )


@pytest.fixture
def open_case(engine: Engine, case_ctx, make_caller) -> Callable[..., str]:
    """Factory: DJI's detention_started notification for a resident of `municipality`; returns the case id."""
    counter = iter(range(1, 1000))

    def make(municipality: str = "GM0402", bsn: str = BSN) -> str:
        body = DetentionStartedCreate.model_validate(
            {
                "notification_id": f"PI-NWG-T{next(counter)}",
                "subject": {"bsn": bsn, "name": "J. de Vries", "birth_date": "1990-04-12"},
                "prison": "PI Nieuwegein",
                "started_on": "2026-11-02",
                "expected_release_on": "2027-01-15",
                "municipality": municipality,
                "information_sheet": {"conditions": {"housing": {"status": "not_in_order"}}},
            }
        )
        with Session(engine, expire_on_commit=False) as session, session.begin():
            outcome = notifications.detention_started(session, case_ctx, make_caller(DJI), body)
            return outcome.result.case_id

    return make


@pytest.fixture
def weigh(engine: Engine, case_ctx, make_caller) -> Callable[..., None]:
    """Factory: the coordinator records a weighing (consent, risk) on a case."""

    def record(case_id: str, consent: str = "yes", risk: str = "none") -> None:
        event = WeighingRecorded(type="weighing_recorded", consent=consent, risk=risk)
        with Session(engine, expire_on_commit=False) as session, session.begin():
            case = cases.get_case(session, case_id)
            if case is not None and case.state == "notified":
                cases.record_event(
                    session, case_ctx, make_caller(ZVH), case_id, ScreeningStarted(type="screening_started")
                )
            cases.record_event(session, case_ctx, make_caller(ZVH), case_id, event)

    return record


@pytest.fixture
def plan(engine: Engine, case_ctx, make_caller) -> Callable[[str], None]:
    def record(case_id: str) -> None:
        event = PlanRecorded.model_validate(
            {
                "type": "plan_recorded",
                "plan": {
                    "agreed_on": "2026-11-20",
                    "actions": [{"domain": "housing", "action": "Onderdak bij vrijlating"}],
                },
            }
        )
        with Session(engine, expire_on_commit=False) as session, session.begin():
            cases.record_event(session, case_ctx, make_caller(ZVH), case_id, event)

    return record


@pytest.fixture
def end_detention(engine: Engine, case_ctx, make_caller) -> Callable[[str], None]:
    def end(case_id: str) -> None:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            case = session.get(Case, case_id)
            assert case is not None
            body = DetentionEndedCreate(
                notification_id=f"END-{case.started_notification_id}",
                started_notification_id=case.started_notification_id,
                bsn=BSN,
                ended_on=date(2026, 12, 1),
            )
            notifications.detention_ended(session, case_ctx, make_caller(DJI), body)

    return end


@pytest.fixture
def hub(partner_client) -> Callable[[str], Any]:
    """Factory: the HubClient of a partner (cached per partner within a test)."""
    clients: dict[str, Any] = {}

    def get(client_id: str):
        if client_id not in clients:
            clients[client_id] = partner_client(client_id, actor=f"{client_id}-medewerker")
        return clients[client_id]

    return get


@pytest.fixture
def ask(hub) -> Callable[..., Any]:
    """Factory: the Gooi coordinator asks `responder` for `categories`; returns the HTTP response."""

    def make(
        case_id: str,
        responder: str,
        categories: list[str],
        activity: str = "reintegration",
        requester: str = ZVH,
        **kwargs: Any,
    ):
        body = {"responder": responder, "activity": activity, "categories": categories}
        return hub(requester).post(f"/v1/cases/{case_id}/requests", json=body, **kwargs)

    return make


@pytest.fixture
def clock(app) -> Iterator[Callable[[timedelta], None]]:
    """Move the exchange's clock forward: `clock(timedelta(days=11))`."""
    offset = [timedelta(0)]
    app.dependency_overrides[get_clock] = lambda: lambda: datetime.now(UTC) + offset[0]

    def move(by: timedelta) -> None:
        offset[0] = by

    yield move
    app.dependency_overrides.pop(get_clock, None)


class Peek:
    """Looks into the database between HTTP calls, each look in its own short transaction.

    (On SQLite every transaction takes the write lock up front, so a session left open would block the app.)
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, model: type, key: Any) -> Any:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(model, key)

    def all(self, statement: Any) -> list[Any]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.exec(statement).all())


@pytest.fixture
def db(engine: Engine) -> Peek:
    return Peek(engine)


def audit_events(db: Peek, **where: Any) -> list[AuditRecord]:
    statement = select(AuditRecord).order_by(AuditRecord.seq)
    for name, value in where.items():
        statement = statement.where(getattr(AuditRecord, name) == value)
    return db.all(statement)


def counts(db: Peek) -> dict[str, int]:
    """Rows in the exchange's tables and the disclosure log: a refusal must change none of them."""
    return {
        model.__name__: db.all(select(func.count()).select_from(model))[0]
        for model in (DataRequest, Answer, Handover, AuditRecord)
    }
