"""Fixtures for the cases tests: the case context, DJI and coordinator callers, a notification factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from hub.auth.principal import Caller
from hub.cases import notifications
from hub.cases.schemas import DetentionStartedCreate
from hub.cases.service import CaseContext
from hub.config import Settings
from hub.crypto.envelope import Envelope
from hub.policy.register import get_register

DJI = "dji-pi-nieuwegein"
ZVH_GOOI = "zvh-gooi-en-vechtstreek"
ZVH_MAASTRICHT = "zvh-maastricht-heuvelland"
BSN = "111222333"
OTHER_BSN = "123456782"


def started_body(notification_id: str = "PI-NWG-1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "notification_id": notification_id,
        "subject": {"bsn": BSN, "name": "J. de Vries", "birth_date": "1990-04-12"},
        "prison": "PI Nieuwegein",
        "started_on": "2026-11-02",
        "expected_release_on": "2027-01-15",
        "municipality": "GM0402",
        "information_sheet": {
            "conditions": {
                "identity_document": {"status": "in_order"},
                "housing": {"status": "not_in_order", "help_question": "Zoekt woonruimte"},
            }
        },
    }
    body.update(changes)
    return body


@pytest.fixture
def dji_api(partner_client):
    """DJI Nieuwegein's partner client, acting as one of its employees."""
    return partner_client(DJI, actor="dji-medewerker-7")


@pytest.fixture
def zvh_api(partner_client):
    """The Gooi en Vechtstreek coordinator's partner client."""
    return partner_client(ZVH_GOOI, actor="regisseur-1")


@pytest.fixture
def ctx(settings: Settings) -> CaseContext:
    return CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
    )


@pytest.fixture
def dji(make_caller) -> Caller:
    return make_caller(DJI, actor="dji-medewerker-7")


@pytest.fixture
def coordinator(make_caller) -> Caller:
    return make_caller(ZVH_GOOI, actor="regisseur-1")


@pytest.fixture
def other_coordinator(make_caller) -> Caller:
    return make_caller(ZVH_MAASTRICHT, actor="regisseur-9")


@pytest.fixture
def open_case(session: Session, ctx: CaseContext, dji: Caller) -> Callable[..., str]:
    """Factory: open a case through DJI's notification; returns its id."""

    def make(notification_id: str = "PI-NWG-1", **changes: Any) -> str:
        data = DetentionStartedCreate.model_validate(started_body(notification_id, **changes))
        return notifications.detention_started(session, ctx, dji, data).result.case_id

    return make
