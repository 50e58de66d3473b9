"""The inbox: a partner sees the open requests addressed to its own organisation, and nothing else; opening
one shows the person's identifying data, and that showing is logged."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from tests.exchange.conftest import (
    BSN,
    OTHER_SOCIAL,
    POLICE,
    PROBATION,
    SECURITY,
    SOCIAL,
    audit_events,
    counts,
)


def test_responder_sees_its_request_without_the_denied_categories(open_case, ask, hub):
    """The social domain's inbox lists the request with only the allowed categories."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing", "income", "care"]).json()["id"]
    items = hub(SOCIAL).get("/v1/inbox").json()["items"]
    assert [item["id"] for item in items] == [request_id]
    assert items[0]["categories"] == ["housing", "income"]
    assert items[0]["requester"]["name"] == "Zorg- en Veiligheidshuis Gooi en Vechtstreek"
    assert "care" not in str(items[0])


@pytest.mark.parametrize("outsider", [SECURITY, OTHER_SOCIAL, POLICE, PROBATION])
def test_other_organisations_see_nothing_of_the_request(open_case, ask, hub, db, outsider):
    """Another domain, another municipality, the police and probation: empty inbox, 404 on read and answer."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing"]).json()["id"]
    before = counts(db)
    client = hub(outsider)
    assert client.get("/v1/inbox").json()["items"] == []
    assert client.get(f"/v1/inbox/{request_id}").status_code == 404
    answer = client.post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": {"situation": "homeless"}}})
    assert answer.status_code == 404
    assert counts(db) == before


def test_police_see_only_requests_addressed_to_them(open_case, ask, hub, weigh):
    """With requests to the municipality and to the police, the police inbox holds only the police request."""
    case_id = open_case()
    ask(case_id, SOCIAL, ["housing"])
    weigh(case_id, consent="yes", risk="signalled")
    police_request = ask(case_id, POLICE, ["risk_clarification"], activity="risk_assessment").json()["id"]
    assert [item["id"] for item in hub(POLICE).get("/v1/inbox").json()["items"]] == [police_request]


def test_opening_a_request_shows_the_identity_and_logs_it(open_case, ask, hub, db):
    """The detail carries BSN, name and date of birth in the body, and an identity_shown record is written."""
    case_id = open_case()
    request_id = ask(case_id, SOCIAL, ["housing"]).json()["id"]
    with capture_logs() as logs:
        response = hub(SOCIAL).get(f"/v1/inbox/{request_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == {"bsn": BSN, "name": "J. de Vries", "birth_date": "1990-04-12"}
    assert body["answer_schemas"]["housing"]["required"] == ["situation"]
    shown = audit_events(db, event_type="identity_shown", data_request_id=request_id)
    assert len(shown) == 1
    assert shown[0].to_actor == f"{SOCIAL}-medewerker" and shown[0].to_oin == "00000009990000008000"
    assert BSN not in str(logs)


def test_inbox_pages_with_a_cursor(open_case, ask, hub):
    """Three open requests arrive in two pages of at most two, each once."""
    ids = {ask(open_case(), SOCIAL, ["housing"]).json()["id"] for _ in range(3)}
    first = hub(SOCIAL).get("/v1/inbox", params={"limit": 2}).json()
    second = hub(SOCIAL).get("/v1/inbox", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2 and second["next_cursor"] is None
    assert {item["id"] for item in first["items"] + second["items"]} == ids


def test_inbox_filters_on_activity(open_case, ask, hub, weigh):
    """`activity=` keeps only the requests under that processing activity."""
    case_id = open_case()
    ask(case_id, SECURITY, ["risk_notices"], activity="risk_assessment")
    assert hub(SECURITY).get("/v1/inbox", params={"activity": "reintegration"}).json()["items"] == []
    assert len(hub(SECURITY).get("/v1/inbox", params={"activity": "risk_assessment"}).json()["items"]) == 1


def test_malformed_cursor_is_a_problem_naming_the_cursor(hub):
    """A forged cursor gets a 422 that names `cursor`."""
    response = hub(SOCIAL).get("/v1/inbox", params={"cursor": "not-a-cursor!"})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"
