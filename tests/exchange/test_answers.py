"""Answers: validated against each category's schema, cut down by the policy's answer filter, stored
encrypted, logged; released to the requester with every read logged. Bad answers store nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from structlog.testing import capture_logs

from hub.cases.lifecycle import CaseEventType, transition
from hub.cases.models import Case
from hub.exchange.models import Answer, DataRequest
from hub.exchange.service.requests import expire_requests
from tests.exchange.conftest import SOCIAL, ZVH, audit_events, counts

HOUSING = {"situation": "with_family_or_friends", "at_risk_of_loss": True}
INCOME = {"source": "none", "application_needed": True}


@pytest.fixture
def open_request(open_case, ask):
    """A Hilversum case with an open request to the social domain for housing and income (care denied)."""
    case_id = open_case()
    return ask(case_id, SOCIAL, ["housing", "income", "care"]).json()["id"]


def answer(hub, request_id, values, client_id=SOCIAL):
    return hub(client_id).post(f"/v1/inbox/{request_id}/answer", json={"values": values})


def test_valid_answer_is_stored_encrypted_and_logged(open_request, hub, db):
    """A valid answer: 201, request answered, ciphertext without the values, a data_received record."""
    with capture_logs() as logs:
        response = answer(hub, open_request, {"housing": HOUSING, "income": INCOME})
    assert response.status_code == 201, response.text
    assert "with_family_or_friends" not in str(logs)  # no answer content in the application log
    assert response.json() == {
        "request_id": open_request,
        "status": "answered",
        "released": ["housing", "income"],
        "withheld": [],
    }
    [stored] = db.all(select(Answer).where(Answer.request_id == open_request))
    assert b"with_family_or_friends" not in stored.ciphertext and b"situation" not in stored.ciphertext
    assert db.get(DataRequest, open_request).status == "answered"
    received = audit_events(db, event_type="data_received", data_request_id=open_request)
    assert [r.categories_released for r in received] == [["housing", "income"]]
    assert received[0].from_actor == f"{SOCIAL}-medewerker"


def test_what_goes_beyond_the_request_is_withheld_reported_and_logged(open_request, hub, db):
    """A denied category and an unknown field are withheld; the responder is told and the log records it."""
    values = {"housing": {**HOUSING, "landlord_notes": "achterstand"}, "care": {"ongoing_care": True}}
    response = answer(hub, open_request, values)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["released"] == ["housing"]
    withheld = {(w["category"], w["fields_not_in_catalogue"]): w for w in body["withheld"]}
    assert set(withheld) == {("care", None), ("housing", 1)}  # the extra field counted, never named
    assert withheld[("care", None)]["reason"] == "category_not_allowed"
    assert withheld[("housing", 1)]["reason"] == "field_not_in_catalogue" and withheld[("housing", 1)]["field"] is None
    assert "landlord_notes" not in response.text
    record = audit_events(db, event_type="data_withheld", data_request_id=open_request)
    assert [r.categories_withheld for r in record] == [["care", "housing"]]
    assert record[0].denial_reasons == {"care": "category_not_allowed", "housing": "field_not_in_catalogue"}
    released = hub(ZVH).get(f"/v1/requests/{open_request}/answer").json()
    assert released["values"] == {"housing": HOUSING}


@pytest.mark.parametrize(
    "values",
    [
        {"housing": {"situation": "castle"}},
        {"housing": {"at_risk_of_loss": True}},
        {"income": {"source": "none", "application_needed": "yes"}},
    ],
)
def test_answer_failing_its_schema_is_refused_and_stores_nothing(open_request, hub, db, values):
    """A wrong enum, a missing required field or a wrong type: 422 naming the field, nothing stored."""
    before = counts(db)
    response = answer(hub, open_request, values)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "answer_invalid"
    assert problem["errors"][0]["field"].startswith(f"values.{next(iter(values))}")
    assert "castle" not in response.text
    assert counts(db) == before
    assert db.get(DataRequest, open_request).status == "open"


def test_unknown_category_is_refused_and_stores_nothing(open_request, hub, db):
    """A category that is not in the catalogue: 422 naming it, nothing stored."""
    before = counts(db)
    response = answer(hub, open_request, {"housing": HOUSING, "shoe_size": {"eu": 44}})
    assert response.status_code == 422
    assert response.json()["categories"] == ["shoe_size"]
    assert counts(db) == before


def test_double_answer_is_refused_and_changes_nothing(open_request, hub, db):
    """The second answer gets 409 already_answered and the first answer stays as it was."""
    assert answer(hub, open_request, {"housing": HOUSING}).status_code == 201
    before = counts(db)
    response = answer(hub, open_request, {"housing": {"situation": "homeless"}})
    assert response.status_code == 409
    assert response.json()["code"] == "already_answered"
    assert counts(db) == before
    assert hub(ZVH).get(f"/v1/requests/{open_request}/answer").json()["values"]["housing"] == HOUSING


def test_answer_to_an_expired_request_is_refused(open_request, hub, db, clock, settings):
    """Unanswered for twice its answer period, the request expires: 409, nothing stored."""
    clock(timedelta(days=2 * settings.request_due_days, hours=1))
    before = counts(db)
    response = answer(hub, open_request, {"housing": HOUSING})
    assert response.status_code == 409
    assert response.json()["code"] == "request_not_open" and response.json()["request_status"] == "expired"
    assert counts(db) == before
    assert hub(SOCIAL).get("/v1/inbox").json()["items"] == []


def test_answer_of_only_categories_not_allowed_is_refused_not_spent(open_request, hub, db):
    """An answer holding only the denied category (care) would release nothing: 409 answer_refused, nothing
    stored or logged, and the request stays open for a real answer."""
    before = counts(db)
    response = answer(hub, open_request, {"care": {"ongoing_care": True}})
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["reason"]) == ("answer_refused", "category_not_allowed")
    assert counts(db) == before and db.get(DataRequest, open_request).status == "open"
    assert answer(hub, open_request, {"housing": HOUSING}).status_code == 201


def test_answer_to_a_request_on_a_closed_case_is_refused(open_request, hub, db, weigh, make_caller):
    """The case closed (no consent, no risk): the request, withdrawn at the weighing, can no longer be answered
    (409, with the policy's reason)."""
    case_id = db.get(DataRequest, open_request).case_id
    weigh(case_id, consent="no", risk="none")
    with Session(db.engine) as session:
        transition(session, session.get(Case, case_id), CaseEventType.case_closed, make_caller(ZVH))
        session.commit()
    before = counts(db)
    response = answer(hub, open_request, {"housing": HOUSING})
    assert response.status_code == 409
    assert response.json()["request_status"] == "withdrawn" and response.json()["reason"] == "no_consent"
    assert response.json()["data_request_id"] == open_request
    assert counts(db) == before


def test_release_is_logged_on_every_read(open_request, hub, db):
    """The first read writes data_released, every later read data_read, each naming the reader."""
    answer(hub, open_request, {"housing": HOUSING, "income": INCOME})
    for _ in range(2):
        response = hub(ZVH).get(f"/v1/requests/{open_request}/answer")
        assert response.status_code == 200
        assert response.json()["values"] == {"housing": HOUSING, "income": INCOME}
    reads = [
        r for r in audit_events(db, data_request_id=open_request) if r.event_type in ("data_released", "data_read")
    ]
    assert [r.event_type for r in reads] == ["data_released", "data_read"]
    assert all(r.to_actor == f"{ZVH}-medewerker" and r.categories_released == ["housing", "income"] for r in reads)


def test_unanswered_request_has_no_answer_to_read(open_request, hub, db):
    """Reading before the answer is a 404 and writes no record."""
    before = counts(db)
    response = hub(ZVH).get(f"/v1/requests/{open_request}/answer")
    assert response.status_code == 404
    assert counts(db) == before


def test_expiry_job_marks_only_requests_past_their_expiry(open_request, db, settings):
    """The job leaves a fresh request open and marks it expired once twice its answer period has passed."""
    with Session(db.engine, expire_on_commit=False) as session, session.begin():
        assert expire_requests(session, datetime.now(UTC)) == 0
    assert db.get(DataRequest, open_request).status == "open"
    later = datetime.now(UTC) + timedelta(days=2 * settings.request_due_days, hours=1)
    with Session(db.engine, expire_on_commit=False) as session, session.begin():
        assert expire_requests(session, later) == 1
    assert db.get(DataRequest, open_request).status == "expired"


def test_oversized_answer_is_refused_unread(open_request, hub, db, settings):
    """A body over the limit gets 413 payload_too_large and nothing is stored."""
    before = counts(db)
    padding = "x" * (settings.max_body_bytes + 1)
    response = answer(hub, open_request, {"housing": {"situation": "homeless", "note": padding}})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert counts(db) == before


_LOG_DOWN = {
    "sqlite": ["CREATE TRIGGER log_down BEFORE INSERT ON audit_record BEGIN SELECT RAISE(ABORT, 'log down'); END"],
    "postgresql": [
        "CREATE FUNCTION log_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log down'; END $$",
        "CREATE TRIGGER log_down BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION log_down()",
    ],
}


def test_no_release_when_the_log_cannot_be_written(open_request, hub, db, engine):
    """With the disclosure log refusing writes, reading the answer is a 503 and releases nothing."""
    answer(hub, open_request, {"housing": HOUSING})
    with engine.begin() as connection:
        for statement in _LOG_DOWN[engine.dialect.name]:
            connection.exec_driver_sql(statement)
    before = counts(db)
    response = hub(ZVH).get(f"/v1/requests/{open_request}/answer")
    assert response.status_code == 503
    assert response.json()["code"] == "audit_unavailable"
    assert "with_family_or_friends" not in response.text
    assert counts(db) == before
    [stored] = db.all(select(Answer).where(Answer.request_id == open_request))
    assert stored.first_read_at is None
