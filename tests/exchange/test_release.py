"""Every release path decides again, on the case as it is now: the requester's answer read, the responder's
view of the person's identity, the municipality's handover read. A closed case, withdrawn consent or a
policy that cannot answer releases nothing. Also: a policy failure during an answer stores nothing (L5), a
request refused whole leaves the case as it was (L6), and the handover carries only reintegration content
(L7)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hub.cases.lifecycle import CaseEventType, transition
from hub.cases.models import Case, CaseEvent
from hub.exchange.models import Answer, DataRequest, Handover
from hub.policy.pdp import EmbeddedPDP
from tests.exchange.conftest import BSN, POLICE, SOCIAL, ZVH, audit_events, counts

HOUSING = {"situation": "with_family_or_friends", "at_risk_of_loss": True}
INCOME = {"source": "none", "application_needed": True}
# A module of the right package that no longer defines the entry point: the engine answers "undefined".
UNDEFINED = "package dt.{name}\n\nimport rego.v1\n\nnothing_here := true\n"


@pytest.fixture
def broken_policy(app, settings, tmp_path) -> Callable[[str], None]:
    """Swap the app's engine for one whose `name` rule (request or answer) decides nothing."""

    def use(name: str) -> None:
        target = tmp_path / "policies"
        shutil.copytree(Path(settings.policies_dir), target)
        (target / "dt" / f"{name}.rego").write_text(UNDEFINED.format(name=name))
        for test_file in (target / "dt").glob("*_test.rego"):
            test_file.unlink()
        app.state.pdp = EmbeddedPDP(target)

    return use


@pytest.fixture
def answered(open_case, ask, hub) -> tuple[str, str]:
    """A Hilversum case whose social domain answered housing and income; returns (case id, request id)."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing", "income"]).json()["id"]
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING, "income": INCOME}})
    assert sent.status_code == 201, sent.text
    return case_id, request_id


def close(db, make_caller, case_id: str) -> None:
    with Session(db.engine) as session:
        transition(session, session.get(Case, case_id), CaseEventType.case_closed, make_caller(ZVH))
        session.commit()


def test_answer_is_not_released_after_the_case_closed(answered, hub, db, weigh, make_caller):
    """Read after closing: 409 release_refused naming the policy's case_closed, no values; the refusal is
    logged."""
    case_id, request_id = answered
    assert hub(ZVH).get(f"/v1/requests/{request_id}/answer").status_code == 200
    weigh(case_id, consent="no", risk="none")
    close(db, make_caller, case_id)
    before = counts(db)
    response = hub(ZVH).get(f"/v1/requests/{request_id}/answer")
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["reason"]) == ("release_refused", "case_closed")
    assert "with_family_or_friends" not in response.text
    _assert_only_a_refusal_was_logged(db, before, request_id, "case_closed")


def _assert_only_a_refusal_was_logged(db, before: dict[str, int], request_id: str, reason: str) -> None:
    """Nothing stored but one `request_refused` record naming the policy's reason, nothing released."""
    assert counts(db) == {**before, "AuditRecord": before["AuditRecord"] + 1}
    refusal = audit_events(db, data_request_id=request_id)[-1]
    assert refusal.event_type == "request_refused" and refusal.categories_released == []
    assert set(refusal.denial_reasons.values()) == {reason} and refusal.decision_id


def test_answer_read_names_the_fresh_decision(answered, hub, db):
    """Each read's record carries a decision taken for that read, not the request's stored one."""
    _, request_id = answered
    for _ in range(2):
        assert hub(ZVH).get(f"/v1/requests/{request_id}/answer").status_code == 200
    stored = db.get(DataRequest, request_id).decision_id
    reads = [r for r in audit_events(db, data_request_id=request_id) if r.event_type in ("data_released", "data_read")]
    ids = [r.decision_id for r in reads]
    assert len(ids) == 2 and stored not in ids and len(set(ids)) == 2


def test_identity_is_not_shown_once_consent_is_refused(open_case, ask, hub, db, weigh):
    """Consent refused after the request: the request was withdrawn with the weighing, so the inbox read is
    409 request_not_open naming no_consent, with no BSN, no identity_shown and nothing else written."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing", "income"]).json()["id"]
    weigh(case_id, consent="no", risk="none")
    before = counts(db)
    response = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["request_status"], body["reason"]) == ("request_not_open", "withdrawn", "no_consent")
    assert BSN not in response.text
    assert counts(db) == before
    assert audit_events(db, event_type="identity_shown", data_request_id=request_id) == []


@pytest.fixture
def handed_over(open_case, ask, hub, weigh, plan, end_detention) -> tuple[str, str]:
    """A case with released housing, a plan and ended detention, handed over; returns (case, handover id)."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing"]).json()["id"]
    hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    weigh(case_id, consent="yes", risk="none")
    plan(case_id)
    end_detention(case_id)
    sent = hub(ZVH).post(f"/v1/cases/{case_id}/handover")
    assert sent.status_code == 201 and sent.json()["status"] == "sent", sent.text
    return case_id, sent.json()["id"]


def test_acknowledged_handover_is_no_longer_readable(handed_over, hub, db):
    """After acknowledgement the handover read is 410 handover_acknowledged: no BSN, no content, no record."""
    _, handover_id = handed_over
    assert hub(SOCIAL).get(f"/v1/handovers/{handover_id}").status_code == 200
    assert hub(SOCIAL).post(f"/v1/handovers/{handover_id}/acknowledge").status_code == 200
    before = counts(db)
    response = hub(SOCIAL).get(f"/v1/handovers/{handover_id}")
    assert response.status_code == 410
    assert response.json()["code"] == "handover_acknowledged"
    assert BSN not in response.text and "Onderdak" not in response.text
    assert counts(db) == before


def test_handover_read_is_decided_again(handed_over, hub, db):
    """The handover read's record names a decision of its own, with the activity handover."""
    case_id, handover_id = handed_over
    assert hub(SOCIAL).get(f"/v1/handovers/{handover_id}").status_code == 200
    [read] = audit_events(db, event_type="data_released", case_id=case_id, activity_id="handover")
    assert read.decision_id != db.get(Handover, handover_id).decision_id
    assert read.categories_released == ["housing", "plan"]


@pytest.mark.parametrize("path", ["answer", "inbox", "handover"])
def test_policy_failure_on_a_release_path_releases_nothing(path, answered, handed_over, hub, db, broken_policy):
    """With the request policy undefined, every release path answers 503 policy_unavailable, writes nothing."""
    _, request_id = answered
    _, handover_id = handed_over
    open_id = (
        hub(ZVH)
        .post(
            f"/v1/cases/{answered[0]}/requests",
            json={"responder": SOCIAL, "activity": "reintegration", "categories": ["debts"]},
        )
        .json()["id"]
    )
    client, url = {
        "answer": (ZVH, f"/v1/requests/{request_id}/answer"),
        "inbox": (SOCIAL, f"/v1/inbox/{open_id}"),
        "handover": (SOCIAL, f"/v1/handovers/{handover_id}"),
    }[path]
    broken_policy("request")
    before = counts(db)
    response = hub(client).get(url)
    assert response.status_code == 503
    assert response.json()["code"] == "policy_unavailable"
    assert response.headers["retry-after"] == "5"
    assert BSN not in response.text and "with_family_or_friends" not in response.text
    assert counts(db) == before


def test_answer_during_a_policy_failure_stores_nothing_and_can_be_retried(open_case, ask, hub, db, app, broken_policy):
    """The answer filter undefined: 503, nothing stored, the request stays open and a later answer is taken."""
    request_id = ask(open_case(), SOCIAL, ["housing"]).json()["id"]
    working = app.state.pdp
    broken_policy("answer")
    before = counts(db)
    response = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert response.status_code == 503 and response.json()["code"] == "policy_unavailable"
    assert response.headers["retry-after"] == "5"
    assert counts(db) == before
    assert db.get(DataRequest, request_id).status == "open"
    app.state.pdp = working
    retry = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert retry.status_code == 201, retry.text


def test_request_refused_whole_leaves_the_case_state(open_case, ask, db):
    """All categories refused (police before a signalled risk): the case stays notified, no screening event."""
    case_id = open_case()
    body = ask(case_id, POLICE, ["risk_clarification"], activity="risk_assessment").json()
    assert body["status"] == "refused"
    assert db.get(Case, case_id).state == "notified"
    events = db.all(select(CaseEvent).where(CaseEvent.case_id == case_id))
    assert "screening_started" not in [e.type for e in events]


def test_request_with_something_allowed_starts_screening(open_case, ask, db):
    """A request the policy allows in part moves a notified case to screening."""
    case_id = open_case()
    assert ask(case_id, SOCIAL, ["housing", "care"]).json()["status"] == "open"
    assert db.get(Case, case_id).state == "screening"


def test_handover_carries_only_reintegration_content(open_case, ask, hub, db, weigh, plan, end_detention):
    """Housing obtained under family_support is not handed over; the plan is."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing"], activity="family_support").json()["id"]
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert sent.status_code == 201, sent.text
    assert db.all(select(Answer).where(Answer.request_id == request_id))[0].released_categories == ["housing"]
    weigh(case_id, consent="yes", risk="none")
    plan(case_id)
    end_detention(case_id)
    handover = hub(ZVH).post(f"/v1/cases/{case_id}/handover").json()
    assert handover["categories"] == ["plan"] and handover["refused"] == []
    content = hub(SOCIAL).get(f"/v1/handovers/{handover['id']}").json()["content"]
    assert list(content) == ["plan"]
