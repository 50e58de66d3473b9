"""The coordinator's own reads of case content go through a policy decision per category (finding H3)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select
from structlog.testing import capture_logs

from hub.audit.models import AuditRecord

from .conftest import BSN, started_body

CARE = {"status": "not_in_order", "help_question": "GGZ-behandeling loopt"}


def _open_with_care(dji_api) -> str:
    body = started_body()
    body["information_sheet"]["conditions"]["care"] = CARE
    response = dji_api.post("/v1/notifications/detention-started", json=body)
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def _weigh(zvh_api, case_id: str, consent: str) -> None:
    """Visit and weigh (risk signalled); without consent go on to outreach."""
    events = [
        {"type": "visit_recorded", "visited_on": "2026-11-03"},
        {"type": "weighing_recorded", "consent": consent, "risk": "signalled"},
    ]
    events += [{"type": "outreach_started"}] if consent == "no" else []
    for event in events:
        assert zvh_api.post(f"/v1/cases/{case_id}/events", json=event).status_code == 201
    expected = "outreach" if consent == "no" else "weighing"
    assert zvh_api.get(f"/v1/cases/{case_id}").json()["state"] == expected


def _records(engine, event_type: str) -> list[AuditRecord]:
    with Session(engine) as session:
        return list(session.exec(select(AuditRecord).where(AuditRecord.event_type == event_type)))


def _event(logs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [e for e in logs if e["event"] == name]
    assert len(found) == 1, [e["event"] for e in logs]
    return found[0]


def test_care_is_withheld_during_outreach_without_consent(dji_api, zvh_api, engine) -> None:
    """Outreach after consent "no": the sheet (care included) is refused by the policy; only the refusal is
    logged."""
    case_id = _open_with_care(dji_api)
    _weigh(zvh_api, case_id, "no")
    with capture_logs() as logs:
        response = zvh_api.get(f"/v1/cases/{case_id}/information-sheet")
    assert (response.status_code, response.json()["code"]) == (403, "read_refused")
    assert "GGZ" not in response.text and "woonruimte" not in response.text
    refused = _event(logs, "case.read_refused")
    assert refused["decision_id"] == response.json()["decision_id"]
    assert "care" in refused["withheld"] and refused["reasons"] == ["category_not_in_activity"]
    assert _records(engine, "data_read") == []
    [logged] = _records(engine, "request_refused")
    assert logged.decision_id == refused["decision_id"] and logged.categories_released == []
    assert "care" in logged.categories_withheld


def test_care_is_withheld_before_the_weighing_and_the_rest_released(dji_api, zvh_api, engine) -> None:
    """Consent not yet asked: care (special) is withheld, the other conditions released; both are recorded."""
    case_id = _open_with_care(dji_api)
    with capture_logs() as logs:
        sheet = zvh_api.get(f"/v1/cases/{case_id}/information-sheet").json()
    assert set(sheet["conditions"]) == {"housing", "identity_document"}
    [read] = _records(engine, "data_read")
    shown = _event(logs, "case.information_sheet_shown")
    assert shown["decision_id"] == read.decision_id and read.decision_id
    assert (shown["released"], shown["withheld"]) == (["housing", "identity_document"], ["care"])
    assert read.categories_withheld == ["care"]
    assert read.denial_reasons == {"care": "special_category_needs_consent"}
    assert read.activity_id == "reintegration"


def test_care_is_released_with_consent(dji_api, zvh_api, engine) -> None:
    """With consent (weighing) the whole sheet, care included, is released under re-integration."""
    case_id = _open_with_care(dji_api)
    _weigh(zvh_api, case_id, "yes")
    sheet = zvh_api.get(f"/v1/cases/{case_id}/information-sheet").json()
    assert sheet["conditions"]["care"] == CARE
    [read] = _records(engine, "data_read")
    assert "care" in read.categories_released and read.categories_withheld == []


def test_identity_during_outreach_is_read_under_risk_assessment(dji_api, zvh_api, engine) -> None:
    """Without consent but with a signalled risk, the policy (not Python) picks risk_assessment for identity."""
    case_id = _open_with_care(dji_api)
    _weigh(zvh_api, case_id, "no")
    with capture_logs() as logs:
        assert zvh_api.get(f"/v1/cases/{case_id}/identity").json()["bsn"] == BSN
    [shown] = _records(engine, "identity_shown")
    assert shown.activity_id == "risk_assessment"
    assert shown.decision_id and _event(logs, "case.identity_shown")["decision_id"] == shown.decision_id


@pytest.mark.parametrize("suffix", ["identity", "information-sheet"])
def test_closed_case_allows_nothing(suffix, dji_api, zvh_api, engine) -> None:
    """A closed case: the policy refuses (409 case_closed); nothing is shown, and the refusal is logged with
    the decision id."""
    case_id = _open_with_care(dji_api)
    dji_api.post(
        "/v1/notifications/detention-ended",
        json={
            "notification_id": "PI-NWG-2",
            "started_notification_id": "PI-NWG-1",
            "bsn": BSN,
            "ended_on": "2027-01-15",
        },
    )
    with capture_logs() as logs:
        response = zvh_api.get(f"/v1/cases/{case_id}/{suffix}")
    assert (response.status_code, response.json()["code"]) == (409, "case_closed")
    refused = _event(logs, "case.read_refused")
    assert refused["decision_id"] == response.json()["decision_id"] and refused["reasons"] == ["case_closed"]
    assert BSN not in response.text and "GGZ" not in response.text
    assert _records(engine, "identity_shown") == _records(engine, "data_read") == []
    [logged] = [r for r in _records(engine, "request_refused") if r.decision_id == refused["decision_id"]]
    assert set(logged.denial_reasons.values()) == {"case_closed"}
