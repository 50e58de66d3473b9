"""The coordinator's evaluation after the plan: through the API and the screen, a timeline event, written once
into the statistics with the information sheet's start status beside it."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.cases.schemas import BasicCondition
from hub.monitoring.models import MonitoringPending
from tests.cases.conftest import started_body
from tests.web.conftest import SAME_ORIGIN, form_key

DJI, ZVH = "dji-pi-nieuwegein", "zvh-gooi-en-vechtstreek"
AFTER = {c.value: "in_order" for c in BasicCondition}


def _case_in_plan(partner_client, notification_id: str) -> str:
    case_id = partner_client(DJI).post("/v1/notifications/detention-started", json=started_body(notification_id))
    case_id = case_id.json()["case_id"]
    zvh = partner_client(ZVH)
    for event in (
        {"type": "screening_started"},
        {"type": "weighing_recorded", "consent": "yes", "risk": "none"},
        {
            "type": "plan_recorded",
            "plan": {"agreed_on": "2026-11-20", "actions": [{"domain": "housing", "action": "x"}]},
        },
    ):
        assert zvh.post(f"/v1/cases/{case_id}/events", json=event).status_code == 201
    return case_id


def _facts(app, measure: str) -> list[MonitoringPending]:
    """The statistics rows written, waiting for their batch (one case never fills one: test_batches.py)."""
    with Session(app.state.engine) as db:
        return list(db.exec(select(MonitoringPending).where(MonitoringPending.measure == measure)).all())


def test_the_api_records_an_evaluation_once(app, partner_client):
    """201 and a timeline event the first time, with the sheet's start status in the statistics; 409 after."""
    case_id = _case_in_plan(partner_client, "PI-NWG-EVAL-1")
    zvh = partner_client(ZVH)
    event = {"type": "evaluation_recorded", "conditions": AFTER}
    assert zvh.post(f"/v1/cases/{case_id}/events", json=event).status_code == 201
    timeline = zvh.get(f"/v1/cases/{case_id}/timeline").json()
    assert "evaluation_recorded" in [e["type"] for e in timeline["items"]]
    start = {f.item: f.value for f in _facts(app, "condition_start")}
    assert start["housing"] == "not_in_order" and start["identity_document"] == "in_order"
    assert start["care"] == "unknown"  # not on the information sheet
    assert {f.value for f in _facts(app, "condition_after")} == {"in_order"}
    again = zvh.post(f"/v1/cases/{case_id}/events", json=event)
    assert again.status_code == 409 and again.json()["code"] == "evaluation_already_recorded"
    assert len(_facts(app, "evaluation")) == 1


def test_an_incomplete_evaluation_is_refused(app, partner_client):
    """Every basic condition must be given: 422, nothing written."""
    case_id = _case_in_plan(partner_client, "PI-NWG-EVAL-2")
    partial = {"type": "evaluation_recorded", "conditions": {"housing": "in_order"}}
    refused = partner_client(ZVH).post(f"/v1/cases/{case_id}/events", json=partial)
    assert refused.status_code == 422
    assert _facts(app, "evaluation") == []


def test_the_plan_screen_asks_for_the_evaluation(app, client, sign_in, partner_client):
    """The case page offers the evaluation in plan; the step form records it."""
    case_id = _case_in_plan(partner_client, "PI-NWG-EVAL-3")
    sign_in(ZVH)
    assert "Evaluatie vastleggen" in client.get(f"/casussen/{case_id}").text
    page = client.get(f"/casussen/{case_id}/stap/evaluation_recorded").text
    form = {f"status.{c}": v for c, v in AFTER.items()}
    incomplete = client.post(
        f"/casussen/{case_id}/stap",
        data={"type": "evaluation_recorded", "status.housing": "in_order", "form_key": form_key(page)},
        headers=SAME_ORIGIN,
    )
    assert incomplete.status_code == 422 and "Kies voor elke basisvoorwaarde" in incomplete.text
    sent = client.post(
        f"/casussen/{case_id}/stap",
        data={"type": "evaluation_recorded", **form, "form_key": form_key(page)},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert len(_facts(app, "evaluation")) == 1
