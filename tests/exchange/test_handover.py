"""The warm handover at release, and the police risk clarification that only a signalled risk allows."""

from __future__ import annotations

import pytest

from hub.cases.models import Case
from hub.exchange.models import Handover
from tests.exchange.conftest import BSN, OTHER_SOCIAL, POLICE, SECURITY, SOCIAL, ZVH, audit_events, counts

HOUSING = {"situation": "homeless", "at_risk_of_loss": False}
CLARIFICATION = {"level": "high", "explanation": "Dreiging richting ex-partner.", "valid_until": "2027-06-30"}


@pytest.fixture
def released_case(open_case, ask, hub):
    """A case whose housing answer from Hilversum's social domain was released to the coordinator."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing"]).json()["id"]
    hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    hub(ZVH).get(f"/v1/requests/{request_id}/answer")
    return case_id


def test_police_may_not_be_asked_before_a_risk_is_signalled(open_case, ask, hub):
    """Without a signalled risk the police request is refused with its Dutch reason and reaches no inbox."""
    case_id = open_case()
    body = ask(case_id, POLICE, ["risk_clarification"], activity="risk_assessment").json()
    assert body["status"] == "refused"
    assert body["categories"][0]["reason"] == "risk_not_signalled"
    assert body["categories"][0]["explanation"]
    assert hub(POLICE).get("/v1/inbox").json()["items"] == []


def test_police_clarification_after_a_signalled_risk(open_case, ask, hub, weigh):
    """Once the weighing signals a risk the police answer level, explanation and valid-until."""
    case_id = open_case()
    ask(case_id, SECURITY, ["risk_notices"], activity="risk_assessment")
    weigh(case_id, consent="no", risk="signalled")
    request_id = ask(case_id, POLICE, ["risk_clarification"], activity="risk_assessment").json()["id"]
    bad = hub(POLICE).post(
        f"/v1/inbox/{request_id}/answer",
        json={"values": {"risk_clarification": {"level": "extreme", "valid_until": "2027-06-30"}}},
    )
    assert bad.status_code == 422
    sent = hub(POLICE).post(f"/v1/inbox/{request_id}/answer", json={"values": {"risk_clarification": CLARIFICATION}})
    assert sent.status_code == 201, sent.text
    released = hub(ZVH).get(f"/v1/requests/{request_id}/answer").json()
    assert released["values"] == {"risk_clarification": CLARIFICATION}


def test_handover_before_release_is_refused_and_logged(released_case, hub, db, weigh):
    """Before detention ends the policy refuses the handover; the refusal is logged and nothing is sent."""
    weigh(released_case, consent="yes", risk="none")
    response = hub(ZVH).post(f"/v1/cases/{released_case}/handover")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "refused" and body["categories"] == []
    assert {r["reason"] for r in body["refused"]} == {"detention_not_ended"}
    assert hub(SOCIAL).get("/v1/handovers").json()["items"] == []
    refused = audit_events(db, event_type="request_refused", case_id=released_case, to_oin="00000009990000008000")
    assert sorted(r.categories_withheld[0] for r in refused) == sorted(r["category"] for r in body["refused"])
    assert "housing" in {r["category"] for r in body["refused"]}


def test_handover_at_release_reaches_the_municipality_which_closes_the_case(
    released_case, hub, db, weigh, plan, end_detention
):
    """After release Hilversum reads the plan and the released housing data, acknowledges, and the case closes."""
    weigh(released_case, consent="yes", risk="none")
    plan(released_case)
    end_detention(released_case)
    sent = hub(ZVH).post(f"/v1/cases/{released_case}/handover")
    assert sent.status_code == 201, sent.text
    handover_id = sent.json()["id"]
    assert sent.json()["status"] == "sent" and "plan" in sent.json()["categories"]
    listed = hub(SOCIAL).get("/v1/handovers").json()["items"]
    assert [item["id"] for item in listed] == [handover_id]
    content = hub(SOCIAL).get(f"/v1/handovers/{handover_id}").json()
    assert content["subject"]["bsn"] == BSN
    assert content["content"]["plan"]["actions"] == [{"domain": "housing", "action": "Onderdak bij vrijlating"}]
    acknowledged = hub(SOCIAL).post(f"/v1/handovers/{handover_id}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
    assert db.get(Case, released_case).state == "closed"
    handed = audit_events(db, event_type="handover", case_id=released_case)
    assert [r.categories_released for r in handed] == [sent.json()["categories"]]
    read = audit_events(db, event_type="data_released", case_id=released_case, to_oin="00000009990000008000")
    assert [r.categories_released for r in read] == [sent.json()["categories"]]


def test_other_municipality_sees_nothing_of_the_handover(released_case, hub, db, weigh, plan, end_detention):
    """Huizen's social domain: empty list, 404 on read and acknowledge, nothing written."""
    weigh(released_case, consent="yes", risk="none")
    plan(released_case)
    end_detention(released_case)
    handover_id = hub(ZVH).post(f"/v1/cases/{released_case}/handover").json()["id"]
    before = counts(db)
    other = hub(OTHER_SOCIAL)
    assert other.get("/v1/handovers").json()["items"] == []
    assert other.get(f"/v1/handovers/{handover_id}").status_code == 404
    assert other.post(f"/v1/handovers/{handover_id}/acknowledge").status_code == 404
    assert counts(db) == before
    assert db.get(Handover, handover_id).status == "sent"


def test_second_handover_is_refused(released_case, hub, db, weigh, plan, end_detention):
    """A case is handed over once: the second attempt gets 409 and stores nothing."""
    weigh(released_case, consent="yes", risk="none")
    plan(released_case)
    end_detention(released_case)
    assert hub(ZVH).post(f"/v1/cases/{released_case}/handover").status_code == 201
    before = counts(db)
    again = hub(ZVH).post(f"/v1/cases/{released_case}/handover")
    assert again.status_code == 409 and again.json()["code"] == "handover_refused"
    assert counts(db) == before
