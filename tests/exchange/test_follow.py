"""Open requests follow their case (issue 17): a change of consent, risk or state, or the end of detention,
decides every open request on the case again, in the transaction of the change, with the real engine. Each
test checks what the coordinator sees (the request and the case's list), what the responder sees (the inbox
and the request opened), and the disclosure log. SQLite and PostgreSQL (the `database_url` fixture)."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.auth.registry import load_registry
from hub.cases.models import Case, CaseEvent, Consent, Risk
from hub.cases.notifications import detention_ended as detention_ended_now
from hub.cases.schemas import DetentionEndedCreate, WeighingRecorded
from hub.cases.service import record_event
from hub.consistency import check_disclosures
from hub.exchange.models import Answer, DataRequest
from hub.notices.models import RiskNotice
from hub.policy.pdp import EmbeddedPDP
from tests.exchange.conftest import (
    BSN,
    DJI,
    OTHER_SOCIAL,
    POLICE,
    SECURITY,
    SOCIAL,
    ZVH,
    ZVH_MAASTRICHT,
    audit_events,
    counts,
)

HOUSING = {"situation": "with_family_or_friends", "at_risk_of_loss": True}
INCOME = {"source": "none", "application_needed": True}
UNDEFINED = "package dt.request\n\nimport rego.v1\n\nnothing_here := true\n"


def step(hub, case_id: str, **event: Any):
    """The coordinator's step through the API (POST /v1/cases/{id}/events): the app's own wiring follows."""
    response = hub(ZVH).post(f"/v1/cases/{case_id}/events", json=event)
    assert response.status_code == 201, response.text
    return response


def weighing(hub, case_id: str, consent: str, risk: str = "none"):
    """The weighing (after the screening step, when the case is still only notified)."""
    states = {r["id"]: r["state"] for r in hub(ZVH).get("/v1/cases").json()["items"]}
    if states[case_id] == "notified":
        step(hub, case_id, type="screening_started")
    return step(hub, case_id, type="weighing_recorded", consent=consent, risk=risk)


def detention_ended(hub, db, case_id: str):
    """DJI's notification through the API."""
    case = db.get(Case, case_id)
    body = {
        "notification_id": f"END-{case.started_notification_id}",
        "started_notification_id": case.started_notification_id,
        "bsn": BSN,
        "ended_on": date(2026, 12, 1).isoformat(),
    }
    response = hub(DJI).post("/v1/notifications/detention-ended", json=body)
    assert response.status_code == 200, response.text
    return response


def asked(ask, case_id: str, responder: str, categories: list[str], **kwargs: Any) -> str:
    response = ask(case_id, responder, categories, **kwargs)
    assert response.status_code == 201 and response.json()["status"] == "open", response.text
    return response.json()["id"]


def redecisions(db, request_id: str) -> list[AuditRecord]:
    return audit_events(db, event_type="request_redecided", data_request_id=request_id)


def assert_withdrawn(hub, db, case_id: str, request_id: str, responder: str, reason: str) -> dict:
    """Both sides see `withdrawn` with the same reason and explanation; it left the inbox; it cannot be opened
    or answered (nothing written); its last re-decision is logged with the decision id the request shows."""
    mine = hub(ZVH).get(f"/v1/requests/{request_id}").json()
    assert (mine["status"], mine["status_reason"], mine["overdue"]) == ("withdrawn", reason, False)
    explanation = mine["status_explanation"]
    assert explanation and explanation.endswith(".")
    withdrawn = {c["category"]: c["reason"] for c in mine["categories"] if c["outcome"] == "withdrawn"}
    assert withdrawn and set(withdrawn.values()) == {reason}
    assert not [c for c in mine["categories"] if c["outcome"] == "allowed"]
    listed = {r["id"]: r for r in hub(ZVH).get(f"/v1/cases/{case_id}/requests").json()["items"]}
    assert (listed[request_id]["status"], listed[request_id]["status_reason"]) == ("withdrawn", reason)
    only_withdrawn = hub(ZVH).get(f"/v1/cases/{case_id}/requests", params={"status": "withdrawn"}).json()["items"]
    assert request_id in [r["id"] for r in only_withdrawn]
    only_open = hub(ZVH).get(f"/v1/cases/{case_id}/requests", params={"status": "open"}).json()["items"]
    assert request_id not in [r["id"] for r in only_open]

    assert request_id not in [i["id"] for i in hub(responder).get("/v1/inbox").json()["items"]]
    before = counts(db)
    opened = hub(responder).get(f"/v1/inbox/{request_id}")
    assert opened.status_code == 409
    body = opened.json()
    assert (body["code"], body["request_status"], body["reason"]) == ("request_not_open", "withdrawn", reason)
    assert body["data_request_id"] == request_id and explanation in body["detail"]
    assert BSN not in opened.text
    values = {c: HOUSING if c == "housing" else INCOME for c in withdrawn if c in ("housing", "income")}
    sent = hub(responder).post(f"/v1/inbox/{request_id}/answer", json={"values": values or {"housing": HOUSING}})
    assert (sent.status_code, sent.json()["reason"]) == (409, reason)
    assert counts(db) == before  # neither the look nor the answer wrote anything

    last = redecisions(db, request_id)[-1]
    stored = db.get(DataRequest, request_id)
    assert last.decision_id == mine["redecision_id"] == stored.redecision_id
    assert last.categories_released == [] and last.categories_withheld == sorted(withdrawn)
    assert last.denial_reasons == withdrawn
    assert (last.from_oin, last.to_oin) == (stored.requester_oin, stored.responder_oin)
    assert stored.status == "withdrawn" and stored.categories_allowed == []
    assert check_disclosures(db.engine) == []
    return mine


def assert_still_open(hub, db, request_id: str, responder: str, kept: list[str]) -> AuditRecord:
    """Both sides see `open` with these categories; the inbox lists it; the re-decision is logged."""
    mine = hub(ZVH).get(f"/v1/requests/{request_id}").json()
    assert (mine["status"], mine["status_reason"]) == ("open", None)
    assert sorted(c["category"] for c in mine["categories"] if c["outcome"] == "allowed") == sorted(kept)
    inbox = {i["id"]: i for i in hub(responder).get("/v1/inbox").json()["items"]}
    assert inbox[request_id]["status"] == "open" and sorted(inbox[request_id]["categories"]) == sorted(kept)
    last = redecisions(db, request_id)[-1]
    assert last.decision_id == mine["redecision_id"]
    assert last.categories_released == kept
    return last


# -- consent -------------------------------------------------------------------------------------------


def test_consent_refused_at_the_weighing_withdraws_the_open_request(open_case, ask, hub, db):
    """Consent `no` at the weighing: the request for housing and income is withdrawn (no_consent), in the
    weighing's own transaction; the original decision's records stay as they were."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    original = [r.event_type for r in audit_events(db, data_request_id=request_id)]
    weighing(hub, case_id, consent="no")
    mine = assert_withdrawn(hub, db, case_id, request_id, SOCIAL, "no_consent")
    assert "toestemming" in mine["status_explanation"]
    assert mine["decision_id"] != mine["redecision_id"]  # the request's own decision is kept beside it
    events = [r.event_type for r in audit_events(db, data_request_id=request_id)]
    assert events == [*original, "request_redecided"]
    [weighed] = db.all(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "weighing_recorded"))
    assert db.get(DataRequest, request_id).redecided_at is not None and weighed.to_state == "weighing"


def test_consent_given_decides_again_and_keeps_the_request(open_case, ask, hub, db):
    """Consent `yes`: the request is decided again (logged with its decision id) and stays open as it was."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    weighing(hub, case_id, consent="yes")
    record = assert_still_open(hub, db, request_id, SOCIAL, ["housing", "income"])
    assert record.categories_withheld == [] and record.denial_reasons == {}
    assert db.get(DataRequest, request_id).categories_withdrawn == {}


def test_an_answer_the_policy_no_longer_allows_is_refused_not_spent(open_case, ask, hub, db):
    """The case changed without the request following it (a change from before this hub version, or a
    policy reload): the answer is 409 answer_refused naming the policy's reason; nothing is stored or logged
    and the request stays open, so it is answered once the case allows it again."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    with Session(db.engine) as session:
        case = session.get(Case, case_id)
        case.consent = "no"
        session.add(case)
        session.commit()
    before, row = counts(db), db.get(DataRequest, request_id).model_dump()
    refused = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert refused.status_code == 409
    body = refused.json()
    assert (body["code"], body["reason"], body["data_request_id"]) == ("answer_refused", "no_consent", request_id)
    assert counts(db) == before
    assert db.get(DataRequest, request_id).model_dump() == row and row["status"] == "open"  # as it was
    assert db.all(select(Answer)) == []
    with Session(db.engine) as session:
        case = session.get(Case, case_id)
        case.consent = "unknown"
        session.add(case)
        session.commit()
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert sent.status_code == 201 and sent.json()["released"] == ["housing"]


def test_consent_unknown_again_before_the_weighing_ends_withdraws_only_care(open_case, ask, hub, db):
    """The shipped policy, partly: the weighing first records consent `yes`, then `unknown` again (still in the
    weighing). Housing and income may still be asked before the weighing ends; care, a special category,
    needs consent: it alone is withdrawn (special_category_needs_consent) and the request stays open without it."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes")
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income", "care"])
    weighing(hub, case_id, consent="unknown")
    record = assert_still_open(hub, db, request_id, SOCIAL, ["housing", "income"])
    assert record.categories_withheld == ["care"]
    assert record.denial_reasons == {"care": "special_category_needs_consent"}
    mine = hub(ZVH).get(f"/v1/requests/{request_id}").json()
    [care] = [c for c in mine["categories"] if c["category"] == "care"]
    assert (care["outcome"], care["reason"]) == ("withdrawn", "special_category_needs_consent")
    assert care["explanation"] == db.get(DataRequest, request_id).categories_withdrawn["care"]["explanation"]
    opened = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
    assert opened.status_code == 200 and opened.json()["categories"] == ["housing", "income"]
    before = counts(db)
    only_care = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"care": {"in_care": True}}})
    assert (only_care.status_code, only_care.json()["reason"]) == (409, "special_category_needs_consent")
    assert counts(db) == before and db.get(DataRequest, request_id).status == "open"

    # An answer with care too: care is withheld with the withdrawal's reason and explanation (not as a category
    # the request never allowed), for the responder, in the log, and for the coordinator who reads the answer.
    values = {"housing": HOUSING, "care": {"in_care": True}}
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": values})
    assert sent.status_code == 201 and sent.json()["released"] == ["housing"], sent.text
    withheld = [(w["category"], w["reason"], w["explanation"]) for w in sent.json()["withheld"]]
    assert withheld == [("care", "special_category_needs_consent", care["explanation"])]
    [logged] = audit_events(db, event_type="data_withheld", data_request_id=request_id)
    assert logged.denial_reasons == {"care": "special_category_needs_consent"}
    read = hub(ZVH).get(f"/v1/requests/{request_id}/answer").json()
    assert [(w["category"], w["reason"], w["explanation"]) for w in read["withheld"]] == withheld
    assert check_disclosures(db.engine) == []


# -- risk ----------------------------------------------------------------------------------------------


def test_risk_no_longer_signalled_withdraws_the_police_request(open_case, ask, hub, db):
    """The police are asked only while a safety risk is signalled: a weighing without risk withdraws the
    request (risk_not_signalled)."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes", risk="signalled")
    request_id = asked(ask, case_id, POLICE, ["risk_clarification"], activity="risk_assessment")
    weighing(hub, case_id, consent="yes", risk="none")
    assert_withdrawn(hub, db, case_id, request_id, POLICE, "risk_not_signalled")


def test_a_risk_notice_signalling_the_risk_decides_open_requests_again(open_case, ask, hub, db):
    """DJI's mandated risk notice makes the case's risk `signalled` (a change of risk outside the weighing): the
    open request is decided again in the notice's transaction, logged, and stays open as it was."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    notice = {
        "notice_id": "PI-NWG-18B-F1",
        "kind": "18b",
        "bsn": BSN,
        "municipality": "GM0402",  # Hilversum mandated the ZVH (partners/registry)
        "issued_on": "2026-12-01",
        "text": "Zorg over recidive na de vrijlating.",
    }
    sent = hub(DJI).post("/v1/notifications/risk-notice", json=notice)
    assert sent.status_code == 201, sent.text
    assert db.get(Case, case_id).risk == "signalled"
    record = assert_still_open(hub, db, request_id, SOCIAL, ["housing", "income"])
    assert record.categories_withheld == [] and len(redecisions(db, request_id)) == 1


@pytest.fixture
def income_needs_risk(app, settings, tmp_path) -> None:
    """The real engine on policy data in which `income` may be asked only while a risk is signalled, so
    that one change of the case withdraws part of a request (the shipped catalogue has no such pair)."""
    target = tmp_path / "policies"
    shutil.copytree(Path(settings.policies_dir), target)
    catalogue = target / "dt" / "catalogue" / "data.json"
    data = json.loads(catalogue.read_text())
    data["categories"]["income"]["requires_signalled_risk"] = True
    catalogue.write_text(json.dumps(data))
    for test_file in (target / "dt").glob("*_test.rego"):
        test_file.unlink()
    app.state.pdp = EmbeddedPDP(target)


def test_a_partly_allowed_request_keeps_only_those_categories(income_needs_risk, open_case, ask, hub, db):
    """Risk gone: income is withdrawn (risk_not_signalled), housing is kept; the request stays open with
    housing only, on both sides, and an answer with income releases housing only."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes", risk="signalled")
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    weighing(hub, case_id, consent="yes", risk="none")
    record = assert_still_open(hub, db, request_id, SOCIAL, ["housing"])
    assert record.categories_withheld == ["income"] and record.denial_reasons == {"income": "risk_not_signalled"}
    mine = hub(ZVH).get(f"/v1/requests/{request_id}").json()
    [income] = [c for c in mine["categories"] if c["category"] == "income"]
    assert (income["outcome"], income["reason"]) == ("withdrawn", "risk_not_signalled") and income["explanation"]
    opened = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
    assert opened.status_code == 200 and opened.json()["categories"] == ["housing"]
    before = counts(db)
    only_income = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"income": INCOME}})
    assert only_income.status_code == 409  # refused, not spent: nothing of it may be released
    assert (only_income.json()["code"], only_income.json()["reason"]) == ("answer_refused", "risk_not_signalled")
    assert counts(db) == before and db.get(DataRequest, request_id).status == "open"
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING, "income": INCOME}})
    assert sent.status_code == 201 and sent.json()["released"] == ["housing"]
    assert [w["category"] for w in sent.json()["withheld"]] == ["income"]
    assert check_disclosures(db.engine) == []


# -- state ---------------------------------------------------------------------------------------------


def test_outreach_withdraws_what_waited_for_consent_and_keeps_the_risk_assessment(open_case, ask, hub, db):
    """Before the weighing ends, consent `unknown` lets enrichment run; outreach (a state change, consent
    still unknown) withdraws it (no_consent), while the risk assessment of the same case stays open."""
    case_id = open_case()
    weighing(hub, case_id, consent="unknown", risk="signalled")
    enrichment = asked(ask, case_id, SOCIAL, ["housing"])
    risk = asked(ask, case_id, SECURITY, ["risk_notices"], activity="risk_assessment")
    step(hub, case_id, type="outreach_started")
    assert_withdrawn(hub, db, case_id, enrichment, SOCIAL, "no_consent")
    assert_still_open(hub, db, risk, SECURITY, ["risk_notices"])


def test_the_case_closing_at_the_handover_withdraws_what_was_not_answered(open_case, ask, hub, db, plan):
    """The municipality acknowledges the handover and the case closes: a request still open is withdrawn
    with the policy's case_closed."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes")
    plan(case_id)
    request_id = asked(ask, case_id, SOCIAL, ["income"])
    detention_ended(hub, db, case_id)
    handover = hub(ZVH).post(f"/v1/cases/{case_id}/handover")
    assert handover.status_code == 201, handover.text
    acknowledged = hub(SOCIAL).post(f"/v1/handovers/{handover.json()['id']}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    assert db.get(Case, case_id).state == "closed"
    assert_withdrawn(hub, db, case_id, request_id, SOCIAL, "case_closed")


def test_the_coordinator_closing_a_handed_over_case_withdraws_open_requests(open_case, ask, hub, db, plan):
    """The coordinator closes a handed-over case: its open requests are withdrawn (case_closed)."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes")
    plan(case_id)
    detention_ended(hub, db, case_id)
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    step(hub, case_id, type="case_closed", reason="handover_not_possible")
    assert_withdrawn(hub, db, case_id, request_id, SOCIAL, "case_closed")


# -- detention end -------------------------------------------------------------------------------------


def test_detention_ending_without_consent_withdraws_the_open_request(open_case, ask, hub, db):
    """Detention ends before anyone consented: the case closes and the open request is withdrawn
    (case_closed), in the notification's transaction."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    assert detention_ended(hub, db, case_id).json()["state"] == "closed"
    assert_withdrawn(hub, db, case_id, request_id, SOCIAL, "case_closed")


def test_detention_ending_with_consent_keeps_the_open_request(open_case, ask, hub, db, plan):
    """Detention ends with consent: the case is handed over and the request, decided again, stays open."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes")
    plan(case_id)
    request_id = asked(ask, case_id, SOCIAL, ["housing", "income"])
    assert detention_ended(hub, db, case_id).json()["state"] == "handed_over"
    record = assert_still_open(hub, db, request_id, SOCIAL, ["housing", "income"])
    assert record.categories_withheld == []


# -- the municipality of origin (issue 16) ---------------------------------------------------------------


def unknown_origin_case(hub) -> str:
    """DJI does not know the municipality: the case opens in the prison's region, its origin unknown."""
    body = {
        "notification_id": "PI-NWG-FO1",
        "subject": {"bsn": BSN, "name": "P. Jansen", "birth_date": "1985-02-01"},
        "prison": "PI Nieuwegein",
        "started_on": "2026-11-02",
        "expected_release_on": "2027-01-15",
        "municipality": None,
        "information_sheet": {"conditions": {"housing": {"status": "not_in_order"}}},
    }
    response = hub(DJI).post("/v1/notifications/detention-started", json=body)
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def determined(hub, case_id: str, municipality: str, reason: str) -> None:
    response = hub(ZVH).post(f"/v1/cases/{case_id}/origin", json={"municipality": municipality, "reason": reason})
    assert response.status_code == 201, response.text


def test_the_origin_contested_withdraws_the_request_to_that_municipality(ask, hub, db):
    """Hilversum determined, asked, then contested by Hilversum: its open request is withdrawn (origin_disputed) in
    the contest's transaction, on both sides, out of its inbox, logged; the request to DJI is decided again and
    stays open."""
    case_id = unknown_origin_case(hub)
    determined(hub, case_id, "GM0402", "last_address")
    to_social = asked(ask, case_id, SOCIAL, ["housing", "income"])
    to_dji = asked(ask, case_id, DJI, ["detention"])
    [determination] = hub(SOCIAL).get("/v1/origin-determinations").json()
    contested = hub(SOCIAL).post(
        f"/v1/origin-determinations/{determination['id']}/contest", json={"reason": "registered_elsewhere"}
    )
    assert contested.status_code == 201, contested.text
    mine = assert_withdrawn(hub, db, case_id, to_social, SOCIAL, "origin_disputed")
    assert "herkomst" in mine["status_explanation"]
    assert_still_open(hub, db, to_dji, DJI, ["detention"])
    [record] = redecisions(db, to_social)
    [contest] = audit_events(db, event_type="origin_contested", case_id=case_id)
    assert record.trace_id == contest.trace_id  # one call, one transaction: the contest and the withdrawal


def test_a_change_of_municipality_decides_again_and_never_moves_a_request(ask, hub, db):
    """Contested, the coordinator determines Huizen: the request to DJI is decided again (a second record) and
    stays open; the request to Hilversum, withdrawn at the contest, stays withdrawn and addressed to Hilversum
    (not decided again, not moved); asked again it goes to Hilversum, and the policy refuses it."""
    case_id = unknown_origin_case(hub)
    determined(hub, case_id, "GM0402", "last_address")
    to_social = asked(ask, case_id, SOCIAL, ["housing"])
    to_dji = asked(ask, case_id, DJI, ["detention"])
    [determination] = hub(SOCIAL).get("/v1/origin-determinations").json()
    assert (
        hub(SOCIAL)
        .post(f"/v1/origin-determinations/{determination['id']}/contest", json={"reason": "registered_elsewhere"})
        .status_code
        == 201
    )
    determined(hub, case_id, "GM0406", "brp_registration")
    assert len(redecisions(db, to_dji)) == 2
    assert_still_open(hub, db, to_dji, DJI, ["detention"])
    assert len(redecisions(db, to_social)) == 1
    assert_withdrawn(hub, db, case_id, to_social, SOCIAL, "origin_disputed")
    renewed = hub(ZVH).post(f"/v1/requests/{to_social}/renew")
    assert renewed.status_code == 201, renewed.text
    assert (renewed.json()["status"], renewed.json()["responder"]["oin"]) == (
        "refused",
        db.get(DataRequest, to_social).responder_oin,
    )
    assert [c["reason"] for c in renewed.json()["categories"]] == ["not_municipality_of_origin"]
    assert ask(case_id, OTHER_SOCIAL, ["housing"]).json()["status"] == "open"


# -- one status ------------------------------------------------------------------------------------------


def test_one_status_for_every_view_and_list(open_case, ask, hub, db, clock, settings):
    """Open, past its due date, past its expiry (before the job stores it): the coordinator's request, the
    case's list and its status filters, the responder's inbox and its overdue filter, and opening the request
    all say the same (DataRequest.status_at)."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])

    def seen() -> tuple:
        mine = hub(ZVH).get(f"/v1/requests/{request_id}").json()
        listed = {r["id"]: r for r in hub(ZVH).get(f"/v1/cases/{case_id}/requests").json()["items"]}[request_id]
        filtered = {
            status: request_id
            in [
                r["id"]
                for r in hub(ZVH).get(f"/v1/cases/{case_id}/requests", params={"status": status}).json()["items"]
            ]
            for status in ("open", "expired")
        }
        inbox = {i["id"]: i for i in hub(SOCIAL).get("/v1/inbox").json()["items"]}
        overdue = [i["id"] for i in hub(SOCIAL).get("/v1/inbox", params={"overdue": "true"}).json()["items"]]
        opened = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
        responder = opened.json()["status"] if opened.status_code == 200 else opened.json()["request_status"]
        assert (mine["status"], mine["overdue"]) == (listed["status"], listed["overdue"])
        assert (request_id in inbox) == (mine["status"] == "open") == filtered["open"]
        assert filtered["expired"] == (mine["status"] == "expired")
        assert (request_id in overdue) == mine["overdue"]
        assert responder == mine["status"]
        return mine["status"], mine["overdue"]

    assert seen() == ("open", False)
    clock(timedelta(days=settings.request_due_days, hours=1))
    assert seen() == ("open", True)
    clock(timedelta(days=2 * settings.request_due_days, hours=1))
    assert seen() == ("expired", False)
    assert db.get(DataRequest, request_id).status == "open"  # the job has not run: the status is computed


# -- the policy cannot decide ----------------------------------------------------------------------------


def test_a_change_the_policy_cannot_decide_on_is_refused_whole(open_case, ask, hub, db, app, settings, tmp_path):
    """With the request rule undefined, the weighing is 503 policy_unavailable: the case, its timeline and
    the request stay as they were and nothing is logged."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    target = tmp_path / "policies"
    shutil.copytree(Path(settings.policies_dir), target)
    (target / "dt" / "request.rego").write_text(UNDEFINED)
    for test_file in (target / "dt").glob("*_test.rego"):
        test_file.unlink()
    app.state.pdp = EmbeddedPDP(target)
    before, timeline = counts(db), db.all(select(CaseEvent).where(CaseEvent.case_id == case_id))
    response = hub(ZVH).post(
        f"/v1/cases/{case_id}/events", json={"type": "weighing_recorded", "consent": "no", "risk": "none"}
    )
    assert response.status_code == 503 and response.json()["code"] == "policy_unavailable"
    assert counts(db) == before
    assert len(db.all(select(CaseEvent).where(CaseEvent.case_id == case_id))) == len(timeline)
    assert (db.get(Case, case_id).consent, db.get(DataRequest, request_id).status) == ("unknown", "open")


# -- asking again ("opnieuw vragen") -----------------------------------------------------------------------


def test_a_withdrawn_request_is_asked_again_as_a_new_request(open_case, ask, hub, db):
    """Consent refused, then given: the withdrawn request stays withdrawn (never revived); renewing it makes
    a new request to the same responder for the same categories, decided fresh and in the inbox."""
    case_id = open_case()
    old = asked(ask, case_id, SOCIAL, ["housing", "income", "care"])
    weighing(hub, case_id, consent="no")
    weighing(hub, case_id, consent="yes")
    assert db.get(DataRequest, old).status == "withdrawn"
    assert redecisions(db, old) and len(redecisions(db, old)) == 1  # a withdrawn request is not decided again
    renewed = hub(ZVH).post(f"/v1/requests/{old}/renew")
    assert renewed.status_code == 201, renewed.text
    new = renewed.json()
    assert (new["status"], new["renewed_from"], new["responder"]["oin"]) == (
        "open",
        old,
        db.get(DataRequest, old).responder_oin,
    )
    assert sorted(c["category"] for c in new["categories"] if c["outcome"] == "allowed") == [
        "care",
        "housing",
        "income",
    ]  # care needed consent when first asked; now it has it
    assert hub(ZVH).get(f"/v1/requests/{old}").json()["status"] == "withdrawn"
    assert [i["id"] for i in hub(SOCIAL).get("/v1/inbox").json()["items"]] == [new["id"]]
    [decided] = audit_events(db, event_type="request_decided", data_request_id=new["id"])
    assert decided.decision_id == new["decision_id"] and sorted(decided.categories_released) == [
        "care",
        "housing",
        "income",
    ]
    again = hub(ZVH).post(f"/v1/requests/{new['id']}/renew")
    assert again.status_code == 409 and again.json()["code"] == "request_not_withdrawn"
    assert again.json()["request_status"] == "open"


def test_what_a_partly_withdrawn_request_lost_is_asked_again_with_one_action(open_case, ask, hub, db):
    """Care withdrawn (consent unknown again in the weighing), then consent given: the open request keeps
    housing and income, never care again; renewing it asks care (what it no longer covers) in a new request,
    decided fresh; the old request stays open as it was, and both are in the inbox."""
    case_id = open_case()
    weighing(hub, case_id, consent="yes")
    old = asked(ask, case_id, SOCIAL, ["housing", "income", "care"])
    weighing(hub, case_id, consent="unknown")
    assert hub(ZVH).get(f"/v1/requests/{old}").json()["renewable"] is True
    weighing(hub, case_id, consent="yes")
    assert_still_open(hub, db, old, SOCIAL, ["housing", "income"])  # decided again: care is not revived
    renewed = hub(ZVH).post(f"/v1/requests/{old}/renew")
    assert renewed.status_code == 201, renewed.text
    new = renewed.json()
    assert (new["status"], new["renewed_from"], new["renewable"]) == ("open", old, False)
    assert [(c["category"], c["outcome"]) for c in new["categories"]] == [("care", "allowed")]
    stored = db.get(DataRequest, old)
    assert (stored.status, stored.categories_allowed) == ("open", ["housing", "income"])
    assert set(stored.categories_withdrawn) == {"care"}
    inbox = {i["id"]: i["categories"] for i in hub(SOCIAL).get("/v1/inbox").json()["items"]}
    assert inbox == {old: ["housing", "income"], new["id"]: ["care"]}
    [decided] = audit_events(db, event_type="request_decided", data_request_id=new["id"])
    assert decided.decision_id == new["decision_id"] and decided.categories_released == ["care"]


def test_a_request_that_lost_nothing_is_not_asked_again(open_case, ask, hub, db):
    """An open request without withdrawn categories, and an answered one: 409 request_not_withdrawn naming the
    status, nothing stored, and neither says it is renewable."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    assert hub(ZVH).get(f"/v1/requests/{request_id}").json()["renewable"] is False
    before = counts(db)
    refused = hub(ZVH).post(f"/v1/requests/{request_id}/renew")
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["request_status"]) == ("request_not_withdrawn", "open")
    assert refused.json()["data_request_id"] == request_id
    assert counts(db) == before
    assert hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}}).status_code == 201
    answered = hub(ZVH).post(f"/v1/requests/{request_id}/renew")
    assert (answered.status_code, answered.json()["request_status"]) == (409, "answered")


def test_asking_again_while_the_case_still_refuses_gives_a_refused_request(open_case, ask, hub, db):
    """Renewed while consent is still `no`: the new request is refused with the policy's reasons, like any
    new request, and reaches nobody's inbox."""
    case_id = open_case()
    old = asked(ask, case_id, SOCIAL, ["housing"])
    weighing(hub, case_id, consent="no")
    renewed = hub(ZVH).post(f"/v1/requests/{old}/renew")
    assert renewed.status_code == 201, renewed.text
    assert renewed.json()["status"] == "refused"
    assert [c["reason"] for c in renewed.json()["categories"]] == ["no_consent"]
    assert hub(SOCIAL).get("/v1/inbox").json()["items"] == []


def test_only_the_requesting_coordinator_asks_again(open_case, ask, hub, db):
    """Another region's coordinator gets 404 and nothing is stored; a responder may not renew at all."""
    case_id = open_case()
    old = asked(ask, case_id, SOCIAL, ["housing"])
    weighing(hub, case_id, consent="no")
    before = counts(db)
    assert hub(ZVH_MAASTRICHT).post(f"/v1/requests/{old}/renew").status_code == 404
    assert hub(SOCIAL).post(f"/v1/requests/{old}/renew").status_code == 403
    assert counts(db) == before


def test_the_consistency_check_finds_a_withdrawal_without_its_record(open_case, ask, db):
    """hub.consistency names a request that lost categories without a request_redecided record."""
    request_id = asked(ask, open_case(), SOCIAL, ["housing", "income"])
    assert check_disclosures(db.engine) == []
    with Session(db.engine) as session:
        request = session.get(DataRequest, request_id)
        request.categories_allowed = ["housing"]
        request.categories_withdrawn = {"income": {"reason": "no_consent", "explanation": "Zonder toestemming."}}
        session.add(request)
        session.commit()
    assert [(f.rule, f.key) for f in check_disclosures(db.engine)] == [
        ("withdrawal_without_request_redecided", request_id)
    ]


def while_held(db, change: Callable[[Session], None], call: Callable[[], Any]) -> Any:
    """PostgreSQL: `call` (another client's HTTP call) runs in a thread while `change` (a change of a case, done
    in a session of its own) is held, not yet committed; the change commits once the call waits for a lock (or
    has finished without waiting). Returns the call's response."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # reported below, so the test fails with the cause
            outcome.append(exc)

    with Session(db.engine, expire_on_commit=False) as session:
        change(session)
        session.flush()
        other = threading.Thread(target=run)
        other.start()
        _wait_for_a_lock_waiter(db.engine, until=lambda: not other.is_alive())
        session.commit()
    other.join()
    [response] = outcome
    if isinstance(response, BaseException):
        raise response
    return response


def during_a_withdrawal(db, app, case_ctx, make_caller, case_id: str, call: Callable[[], Any]) -> Any:
    """`while_held` with a change of consent to `no` that decides the case's open requests again."""

    def consent_refused(session: Session) -> None:
        case = session.get(Case, case_id)
        case.consent = "no"
        session.add(case)
        session.flush()
        app.state.case_follower(session, case_ctx, case, make_caller(ZVH), datetime.now(UTC))

    return while_held(db, consent_refused, call)


def test_an_answer_racing_a_withdrawal_waits_for_it_and_is_refused(open_case, ask, hub, db, app, case_ctx, make_caller):
    """PostgreSQL: while a change of the case holds the request decided again (not yet committed), an answer
    waits for the request's row, then finds it withdrawn (409, nothing stored) instead of overwriting the
    withdrawal with `answered`. (SQLite runs one write transaction at a time: no race to test.)"""
    request_id, response = _answer_during_a_change_of_consent(
        open_case,
        ask,
        hub,
        db,
        lambda change, case, _request_id: app.state.case_follower(
            change, case_ctx, case, make_caller(ZVH), datetime.now(UTC)
        ),
    )
    assert response.status_code == 409, response.text
    assert (response.json()["request_status"], response.json()["reason"]) == ("withdrawn", "no_consent")
    assert db.get(DataRequest, request_id).status == "withdrawn" and db.all(select(Answer)) == []


def test_an_answer_waiting_for_its_request_decides_on_the_case_as_changed_meanwhile(open_case, ask, hub, db):
    """PostgreSQL: a transaction changes the case (consent `no`, without following its requests) and holds the
    request's row; the answer waits, then decides on the case as that transaction committed it: 409
    answer_refused (no_consent), nothing stored. The answer reads its request and case in one locked statement
    (issue 15); with only the request's row locked, PostgreSQL would give the joined case row as it was when
    the statement began, and the answer would be stored on a consent that no longer holds."""
    request_id, response = _answer_during_a_change_of_consent(
        open_case,
        ask,
        hub,
        db,
        lambda change, _case, request_id: change.execute(
            text("SELECT id FROM data_request WHERE id = :id FOR UPDATE"), {"id": request_id}
        ),
    )
    assert response.status_code == 409, response.text
    assert (response.json()["code"], response.json()["reason"]) == ("answer_refused", "no_consent")
    assert db.get(DataRequest, request_id).status == "open" and db.all(select(Answer)) == []


def _answer_during_a_change_of_consent(open_case, ask, hub, db, hold: Callable[[Session, Case, str], Any]):
    """PostgreSQL only: a transaction sets the case's consent to `no` and calls `hold(session, case, request_id)`
    (which takes the request's row); the responder's answer is sent meanwhile, waits for a lock, and is
    answered once that transaction commits. Returns the request's id and the answer's response."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE)")
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    assert hub(SOCIAL).get("/v1/inbox").status_code == 200  # the responder's token is fetched and cached

    def consent_refused(session: Session) -> None:
        case = session.get(Case, case_id)
        case.consent = "no"
        session.add(case)
        session.flush()
        hold(session, case, request_id)

    answer = {"values": {"housing": HOUSING}}
    return request_id, while_held(
        db, consent_refused, lambda: hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json=answer)
    )


def test_a_request_made_while_the_case_changes_is_decided_on_the_change(
    open_case, ask, hub, db, app, case_ctx, make_caller
):
    """PostgreSQL: while a weighing (consent `no`) holds the case changed and its open requests decided again (not
    yet committed), a new request on the case waits for the case's row and is decided on the weighing's outcome
    (refused, no_consent) instead of being stored open beside a follow that could not see it. (SQLite runs one
    write transaction at a time: no race to test.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE)")
    case_id = open_case()
    asked(ask, case_id, SOCIAL, ["housing"])  # the case is in screening; the coordinator's token is cached
    response = during_a_withdrawal(db, app, case_ctx, make_caller, case_id, lambda: ask(case_id, SOCIAL, ["income"]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], [c["reason"] for c in body["categories"]]) == ("refused", ["no_consent"])
    stored = db.all(select(DataRequest).where(DataRequest.case_id == case_id, DataRequest.status == "open"))
    assert stored == []  # nothing open on a case that no longer allows it
    assert hub(SOCIAL).get("/v1/inbox").json()["items"] == []


def test_the_end_of_detention_during_a_weighing_is_decided_on_the_weighing(
    open_case, ask, hub, db, case_ctx, make_caller
):
    """PostgreSQL: while the weighing records consent `yes` (not yet committed), DJI's end of detention waits for
    the case's row and reads the consent the weighing gives: the case is handed over and its open request, decided
    again on that, stays open. (Read before the weighing, the end would close the case on consent `unknown` and
    withdraw the request with case_closed.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE)")
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    step(hub, case_id, type="visit_recorded", visited_on="2026-11-20")
    step(hub, case_id, type="weighing_recorded", consent="unknown", risk="none")
    started = db.get(Case, case_id).started_notification_id
    body = {
        "notification_id": f"END-{started}",
        "started_notification_id": started,
        "bsn": BSN,
        "ended_on": "2026-12-01",
    }
    bad_bsn = {**body, "bsn": "000000000"}  # refused, and DJI's token is fetched and cached before the race
    assert hub(DJI).post("/v1/notifications/detention-ended", json=bad_bsn).status_code == 422

    def consent_given(session: Session) -> None:
        weighing = WeighingRecorded(type="weighing_recorded", consent=Consent.yes, risk=Risk.none)
        record_event(session, case_ctx, make_caller(ZVH), case_id, weighing)

    ended = while_held(db, consent_given, lambda: hub(DJI).post("/v1/notifications/detention-ended", json=body))
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "handed_over"
    assert db.get(Case, case_id).state == "handed_over"
    assert_still_open(hub, db, request_id, SOCIAL, ["housing"])


def during_the_end_of_detention(hub, db, case_ctx, make_caller, case_id: str, call: Callable[[], Any]) -> Any:
    """`while_held` with DJI's end of detention, which closes the case (visited, no consent)."""
    step(hub, case_id, type="visit_recorded", visited_on="2026-11-20")
    started = db.get(Case, case_id).started_notification_id
    ending = DetentionEndedCreate.model_validate(
        {"notification_id": f"END-{started}", "started_notification_id": started, "bsn": BSN, "ended_on": "2026-12-01"}
    )

    def detention_ends(session: Session) -> None:
        assert detention_ended_now(session, case_ctx, make_caller(DJI), ending).result.state == "closed"

    return while_held(db, detention_ends, call)


def test_a_step_during_the_end_of_detention_is_decided_on_the_closed_case(
    open_case, ask, hub, db, case_ctx, make_caller
):
    """PostgreSQL: while DJI's end of detention closes the case (no consent; not yet committed), the coordinator's
    weighing waits for the case's row and is refused on the closed case (409, the rule case_closed), instead of
    writing the state it read before back over `closed`; the request stays withdrawn."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE)")
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    weighed = during_the_end_of_detention(
        hub,
        db,
        case_ctx,
        make_caller,
        case_id,
        lambda: hub(ZVH).post(
            f"/v1/cases/{case_id}/events", json={"type": "weighing_recorded", "consent": "yes", "risk": "none"}
        ),
    )
    assert weighed.status_code == 409, weighed.text
    assert (weighed.json()["code"], weighed.json()["rule"]) == ("transition_not_allowed", "case_closed")
    assert db.get(Case, case_id).state == "closed"
    assert_withdrawn(hub, db, case_id, request_id, SOCIAL, "case_closed")


def test_a_risk_notice_during_the_end_of_detention_opens_a_new_case(open_case, hub, db, case_ctx, make_caller):
    """PostgreSQL: while DJI's end of detention closes the case (not yet committed), DJI's risk notice on the same
    person waits for the case's row, finds it closed and opens a new case, instead of being stored on the closed
    case (201, yet every read of it refused case_closed)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE)")
    case_id = open_case()
    notice = {
        "notice_id": "PI-NWG-18B-RACE",
        "kind": "18b",
        "bsn": BSN,
        "municipality": "GM0402",
        "issued_on": "2026-12-01",
        "text": "Zorg over recidive na de vrijlating.",
    }
    sent = during_the_end_of_detention(
        hub, db, case_ctx, make_caller, case_id, lambda: hub(DJI).post("/v1/notifications/risk-notice", json=notice)
    )
    assert sent.status_code == 201, sent.text
    landed_on = sent.json()["case_id"]
    assert landed_on != case_id
    assert db.get(Case, case_id).state == "closed"
    assert db.get(Case, landed_on).state != "closed"
    assert db.get(RiskNotice, sent.json()["id"]).case_id == landed_on


def _wait_for_a_lock_waiter(engine, until: Callable[[], bool]) -> None:
    """Until another backend of this database waits for a lock, or `until()` holds (bounded; fails rather than
    hangs)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    for _ in range(600):
        with engine.connect() as connection:
            if connection.execute(query).scalar_one() or until():
                return  # waiting; or (without the lock) the other call did not wait: the test's asserts tell
        time.sleep(0.05)
    pytest.fail("the other call never waited for a lock")


def test_a_responder_gone_from_the_registry_is_placed_by_what_the_request_stored(
    open_case, ask, hub, db, app, settings, tmp_path
):
    """The responder left the partner registry: the request is still decided again, on the OIN and role it
    stored, and the policy, unable to place a municipality without its municipality, withdraws it."""
    case_id = open_case()
    request_id = asked(ask, case_id, SOCIAL, ["housing"])
    registry_dir = tmp_path / "registry"
    shutil.copytree(Path(settings.partner_registry_dir), registry_dir)
    (registry_dir / f"{SOCIAL}.json").unlink()
    app.state.registry = load_registry(registry_dir, settings)
    weighing(hub, case_id, consent="yes")
    stored = db.get(DataRequest, request_id)
    assert (stored.status, stored.withdrawal_reason) == ("withdrawn", "not_municipality_of_origin")
    assert redecisions(db, request_id)[-1].denial_reasons == {"housing": "not_municipality_of_origin"}
