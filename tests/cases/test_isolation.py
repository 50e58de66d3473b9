"""Isolation (OWASP API1): another region's coordinator sees nothing of a case, on every list and read."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case, CaseEvent

from .conftest import DJI, ZVH_GOOI, ZVH_MAASTRICHT, started_body

READS = ["", "/timeline", "/identity", "/information-sheet"]


@pytest.fixture
def case_id(partner_client) -> str:
    response = partner_client(DJI).post("/v1/notifications/detention-started", json=started_body())
    assert response.status_code == 201
    return response.json()["case_id"]


@pytest.fixture
def outsider(partner_client):
    return partner_client(ZVH_MAASTRICHT, actor="regisseur-9")


def test_other_region_list_is_empty(case_id, outsider, partner_client) -> None:
    """The Maastricht coordinator's list holds nothing of a Gooi en Vechtstreek case, whatever the filter."""
    assert outsider.get("/v1/cases").json()["items"] == []
    assert outsider.get("/v1/cases", params={"state": "notified"}).json()["items"] == []
    assert outsider.get("/v1/cases", params={"municipality": "GM0402"}).json()["items"] == []
    assert [c["id"] for c in partner_client(ZVH_GOOI).get("/v1/cases").json()["items"]] == [case_id]


@pytest.mark.parametrize("suffix", READS)
def test_other_region_read_is_404_like_unknown(case_id, outsider, engine, suffix) -> None:
    """Every read of another region's case is the same 404 as an unknown id, and nothing is logged."""
    theirs = outsider.get(f"/v1/cases/{case_id}{suffix}")
    unknown = outsider.get(f"/v1/cases/{uuid.uuid4()}{suffix}")
    assert theirs.status_code == unknown.status_code == 404

    def _shape(body: dict) -> dict:
        return {k: v for k, v in body.items() if k not in ("instance", "request_id")}

    assert _shape(theirs.json()) == _shape(unknown.json())
    with Session(engine) as session:
        shown = session.exec(select(AuditRecord).where(AuditRecord.event_type != "data_received")).all()
    assert shown == []


def test_other_region_cannot_step(case_id, outsider, engine) -> None:
    """A step on another region's case is a 404 and leaves the case and its timeline unchanged."""
    response = outsider.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"})
    assert response.status_code == 404
    with Session(engine) as session:
        assert session.get(Case, case_id).state == "notified"
        assert len(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()) == 1


@pytest.mark.parametrize("client_id", [DJI, "gm0402-social", "politie-midden-nederland", "fg-gooi-en-vechtstreek"])
def test_non_coordinators_cannot_read_cases(case_id, partner_client, client_id) -> None:
    """Only coordinators read cases: DJI, a municipality, the police and the privacy officer get 403."""
    api = partner_client(client_id)
    assert api.get("/v1/cases").status_code == 403
    assert api.get(f"/v1/cases/{case_id}/identity").status_code == 403
