"""Review L8: every exchange route renders its answer before the transaction holding the disclosure-log record
commits. When shaping or serialising the answer fails, nothing is logged as disclosed (or received, or
decided), nothing is stored, and the partner gets a 500 problem without content; the same call then succeeds
and writes its record exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from hub.exchange.models import Answer, DataRequest
from hub.exchange.schemas import (
    AnswerReceipt,
    HandoverContent,
    HandoverPublic,
    InboxDetail,
    ReleasedAnswer,
    RequestPublic,
)
from tests.exchange.conftest import BSN, SOCIAL, ZVH, Peek, counts
from tests.support.rendering import (
    SERIALISATION,
    assert_not_rendered,
    break_at,
    failing_commits,
    partner_view,
    render_and_commit_order,
)

HOUSING = {"situation": "with_family_or_friends", "at_risk_of_loss": True}
SOCIAL_OIN = "00000009990000008000"


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    yield from partner_view(app)


def last_seq(db: Peek) -> int:
    return max([r.seq for r in db.all(select(AuditRecord))], default=0)


def records_since(db: Peek, seq: int) -> list[str]:
    """The event types of the records written after `seq`, in order."""
    return [r.event_type for r in db.all(select(AuditRecord).where(AuditRecord.seq > seq).order_by(AuditRecord.seq))]


def breaks(shaper: str, model: type) -> Any:
    """The two outer edges at which a response can fail: the class method that shapes it, the model's serialisation."""
    return pytest.mark.parametrize(
        "broken", [(model, shaper), (model, SERIALISATION)], ids=["shaping", "serialisation"]
    )


@pytest.fixture
def answered(open_case, ask, hub) -> tuple[str, str]:
    """A Hilversum case whose social domain answered housing; returns (case id, request id)."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing"]).json()["id"]
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert sent.status_code == 201, sent.text
    return case_id, request_id


@breaks("from_row", ReleasedAnswer)
def test_answer_read_that_cannot_be_rendered_is_not_logged_as_released(answered, hub, db, monkeypatch, broken):
    """The first read fails to render: no data_released record, the answer still unread; the next read is
    logged once."""
    _, request_id = answered
    before, seq = counts(db), last_seq(db)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = hub(ZVH).get(f"/v1/requests/{request_id}/answer")
    assert records_since(db, seq) == [] and counts(db) == before
    assert_not_rendered(response, "with_family_or_friends")
    assert db.all(select(Answer).where(Answer.request_id == request_id))[0].first_read_at is None

    released = hub(ZVH).get(f"/v1/requests/{request_id}/answer")
    assert released.status_code == 200 and released.json()["values"] == {"housing": HOUSING}
    assert records_since(db, seq) == ["data_released"]


@breaks("for_responder", InboxDetail)
def test_inbox_identity_that_cannot_be_rendered_is_not_logged_as_shown(open_case, ask, hub, db, monkeypatch, broken):
    """The responder's view of the person fails to render: no identity_shown record and no BSN in the
    problem; the next view is logged once."""
    request_id = ask(open_case(), SOCIAL, ["housing"]).json()["id"]
    seq = last_seq(db)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
    assert records_since(db, seq) == []
    assert_not_rendered(response, BSN, "de Vries")

    shown = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
    assert shown.status_code == 200 and shown.json()["subject"]["bsn"] == BSN
    assert records_since(db, seq) == ["identity_shown"]


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "render-1"}], ids=["plain", "idempotent"])
@breaks("from_row", RequestPublic)
def test_request_that_cannot_be_rendered_is_not_stored_or_logged(open_case, ask, db, monkeypatch, broken, headers):
    """A request whose answer fails to render leaves no request, no decision record and the case as it was; a
    retry (with the same Idempotency-Key) is decided afresh and logged once."""
    case_id = open_case()
    before, seq = counts(db), last_seq(db)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = ask(case_id, SOCIAL, ["housing"], headers=headers)
    assert records_since(db, seq) == [] and counts(db) == before
    assert db.get(Case, case_id).state == "notified"
    assert_not_rendered(response)

    retried = ask(case_id, SOCIAL, ["housing"], headers=headers)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert records_since(db, seq) == ["request_decided"]
    assert len(db.all(select(DataRequest).where(DataRequest.case_id == case_id))) == 1


@breaks("from_row", AnswerReceipt)
def test_answer_whose_receipt_cannot_be_rendered_is_not_stored_or_logged(open_case, ask, hub, db, monkeypatch, broken):
    """An answer whose receipt fails to render is not kept: no data_received record, the request still open;
    sending it again works and is logged once."""
    request_id = ask(open_case(), SOCIAL, ["housing"]).json()["id"]
    before, seq = counts(db), last_seq(db)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert records_since(db, seq) == [] and counts(db) == before
    assert db.get(DataRequest, request_id).status == "open"
    assert_not_rendered(response, "with_family_or_friends")

    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert sent.status_code == 201, sent.text
    assert records_since(db, seq) == ["data_received"]


@pytest.fixture
def ended_case(answered, hub, weigh, plan, end_detention) -> str:
    """A case with a released housing answer, consent, a plan, and detention ended: ready for handover."""
    case_id, request_id = answered
    assert hub(ZVH).get(f"/v1/requests/{request_id}/answer").status_code == 200
    weigh(case_id, consent="yes", risk="none")
    plan(case_id)
    end_detention(case_id)
    return case_id


@breaks("from_row", HandoverPublic)
def test_handover_that_cannot_be_rendered_is_not_sent_or_logged(ended_case, hub, db, monkeypatch, broken):
    """A handover whose answer fails to render is not stored or logged, the case stays where it was; sent
    again, it is logged once."""
    before, seq = counts(db), last_seq(db)
    state = db.get(Case, ended_case).state
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = hub(ZVH).post(f"/v1/cases/{ended_case}/handover")
    assert records_since(db, seq) == [] and counts(db) == before
    assert db.get(Case, ended_case).state == state
    assert_not_rendered(response)

    sent = hub(ZVH).post(f"/v1/cases/{ended_case}/handover")
    assert sent.status_code == 201 and sent.json()["status"] == "sent", sent.text
    assert records_since(db, seq) == ["handover"]


@breaks("for_recipient", HandoverContent)
def test_handover_read_that_cannot_be_rendered_is_not_logged_as_released(ended_case, hub, db, monkeypatch, broken):
    """The municipality's read of a handover fails to render: no data_released record, no content or BSN in
    the problem; the next read is logged once."""
    handover_id = hub(ZVH).post(f"/v1/cases/{ended_case}/handover").json()["id"]
    seq = last_seq(db)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = hub(SOCIAL).get(f"/v1/handovers/{handover_id}")
    assert records_since(db, seq) == []
    assert_not_rendered(response, BSN, "with_family_or_friends", "Onderdak")

    read = hub(SOCIAL).get(f"/v1/handovers/{handover_id}")
    assert read.status_code == 200 and read.json()["content"]["housing"] == HOUSING
    released = db.all(select(AuditRecord).where(AuditRecord.seq > seq))
    assert [(r.event_type, r.to_oin) for r in released] == [("data_released", SOCIAL_OIN)]


# -- the order itself, per disclosure path: rendered, then committed; a failing commit releases nothing ------


@pytest.fixture
def route_call(request, hub, open_case, ask) -> Any:
    """Sets up one disclosure path and returns (partner, method, path, json, content that must not leak)."""
    name = request.param
    if name == "create_request":
        return ZVH, "POST", f"/v1/cases/{open_case()}/requests", _asked(), ()
    if name == "inbox_read":
        request_id = ask(open_case(), SOCIAL, ["housing"]).json()["id"]
        return SOCIAL, "GET", f"/v1/inbox/{request_id}", None, (BSN, "de Vries")
    if name == "answer_submit":
        request_id = ask(open_case(), SOCIAL, ["housing"]).json()["id"]
        return SOCIAL, "POST", f"/v1/inbox/{request_id}/answer", {"values": {"housing": HOUSING}}, ()
    _, request_id = request.getfixturevalue("answered")
    if name == "answer_read":
        return ZVH, "GET", f"/v1/requests/{request_id}/answer", None, ("with_family_or_friends",)
    case_id = request.getfixturevalue("ended_case")
    if name == "handover_create":
        return ZVH, "POST", f"/v1/cases/{case_id}/handover", None, ()
    handover_id = hub(ZVH).post(f"/v1/cases/{case_id}/handover").json()["id"]
    return SOCIAL, "GET", f"/v1/handovers/{handover_id}", None, (BSN, "with_family_or_friends")


def _asked() -> dict[str, Any]:
    return {"responder": SOCIAL, "activity": "reintegration", "categories": ["housing"]}


PATHS = ["create_request", "inbox_read", "answer_submit", "answer_read", "handover_create", "handover_read"]


@pytest.mark.parametrize("route_call", PATHS, indirect=True)
def test_the_answer_is_rendered_before_its_record_commits(route_call, hub, db, monkeypatch):
    """The request's one commit, with its log record, comes after its response was serialised."""
    partner, method, path, body, _ = route_call
    hub(partner).access_token()  # the token endpoint's own commit stays out of the order below
    seq = last_seq(db)
    with render_and_commit_order(monkeypatch) as order:
        response = hub(partner).request(method, path, json=body)
    assert response.status_code in (200, 201), response.text
    assert order == ["render", "commit"]
    assert len(records_since(db, seq)) == 1


@pytest.mark.parametrize("route_call", PATHS, indirect=True)
def test_a_failing_commit_releases_nothing(route_call, hub, db):
    """The commit fails after the answer was rendered: the partner gets 503 database_unavailable without any
    of the content, and nothing is stored or logged."""
    partner, method, path, body, content = route_call
    hub(partner).access_token()
    before, seq = counts(db), last_seq(db)
    with failing_commits():
        response = hub(partner).request(method, path, json=body)
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")
    assert response.headers["retry-after"]
    for text in content:
        assert text not in response.text
    assert records_since(db, seq) == [] and counts(db) == before
