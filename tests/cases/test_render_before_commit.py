"""Review L8 for the cases capability: DJI's notifications and the coordinator's reads of identity and
information sheet render their answer before the transaction holding the log record commits. When rendering
fails, nothing is logged (or stored), and the partner gets a 500 problem without content; the same call then
succeeds and writes its record exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from hub.cases import endpoints
from hub.cases.models import Case
from hub.cases.schemas import IdentityPublic, InformationSheet, NotificationResult
from tests.support.rendering import (
    SERIALISATION,
    assert_not_rendered,
    break_at,
    failing_commits,
    last_seq,
    partner_view,
    records_since,
    render_and_commit_order,
)

from .conftest import BSN, started_body


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    yield from partner_view(app)


def cases_stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Case)).one()


def test_detention_started_that_cannot_be_rendered_opens_no_case(dji_api, engine, monkeypatch) -> None:
    """The answer to DJI fails to render: no case, no data_received record; the same notification then opens
    the case (201, not a repeat) and is logged once."""
    seq = last_seq(engine)
    with monkeypatch.context() as patched:
        break_at(patched, NotificationResult, SERIALISATION)
        response = dji_api.post("/v1/notifications/detention-started", json=started_body())
    assert records_since(engine, seq) == [] and cases_stored(engine) == 0
    assert_not_rendered(response, BSN)

    opened = dji_api.post("/v1/notifications/detention-started", json=started_body())
    assert opened.status_code == 201 and "Idempotent-Replayed" not in opened.headers
    assert records_since(engine, seq) == ["data_received"] and cases_stored(engine) == 1


def test_detention_ended_that_cannot_be_rendered_changes_nothing(dji_api, engine, monkeypatch) -> None:
    """The answer to DJI's end notification fails to render: the case stays open and nothing is logged; sent
    again, the end is recorded and logged once."""
    case_id = dji_api.post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]
    ended = {
        "notification_id": "PI-NWG-END",
        "started_notification_id": "PI-NWG-1",
        "bsn": BSN,
        "ended_on": "2027-01-15",
    }
    seq = last_seq(engine)
    with monkeypatch.context() as patched:
        break_at(patched, NotificationResult, SERIALISATION)
        response = dji_api.post("/v1/notifications/detention-ended", json=ended)
    assert records_since(engine, seq) == []
    with Session(engine) as session:
        assert session.get(Case, case_id).detention_ended_on is None
    assert_not_rendered(response, BSN)

    again = dji_api.post("/v1/notifications/detention-ended", json=ended)
    assert again.status_code == 200 and again.json()["state"] == "closed"
    # closing writes the case's anonymous statistics (hub.monitoring) in the same commit
    assert sorted(records_since(engine, seq)) == ["data_received", "statistics_written"]


@pytest.mark.parametrize(
    "broken", [(endpoints, "IdentityPublic"), (IdentityPublic, SERIALISATION)], ids=["shaping", "serialisation"]
)
def test_identity_that_cannot_be_rendered_is_not_logged_as_shown(dji_api, zvh_api, engine, monkeypatch, broken) -> None:
    """The coordinator's identity read fails to render: no identity_shown record, no BSN or name in the
    problem; the next read is logged once."""
    case_id = dji_api.post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]
    seq = last_seq(engine)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = zvh_api.get(f"/v1/cases/{case_id}/identity")
    assert records_since(engine, seq) == []
    assert_not_rendered(response, BSN, "de Vries")

    shown = zvh_api.get(f"/v1/cases/{case_id}/identity")
    assert shown.status_code == 200 and shown.json()["bsn"] == BSN
    assert records_since(engine, seq) == ["identity_shown"]


@pytest.mark.parametrize(
    "broken",
    [(InformationSheet, "model_validate"), (InformationSheet, SERIALISATION)],
    ids=["shaping", "serialisation"],
)
def test_information_sheet_that_cannot_be_rendered_is_not_logged_as_read(
    dji_api, zvh_api, engine, monkeypatch, broken
) -> None:
    """The information sheet fails to render: no data_read record, none of its content in the problem; the
    next read is logged once."""
    case_id = dji_api.post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]
    seq = last_seq(engine)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = zvh_api.get(f"/v1/cases/{case_id}/information-sheet")
    assert records_since(engine, seq) == []
    assert_not_rendered(response, "Zoekt woonruimte")

    sheet = zvh_api.get(f"/v1/cases/{case_id}/information-sheet")
    assert sheet.status_code == 200 and "housing" in sheet.json()["conditions"]
    assert records_since(engine, seq) == ["data_read"]


# -- the order itself, per path: rendered, then committed; a failing commit releases or stores nothing -------

ENDED = {"notification_id": "PI-NWG-END", "started_notification_id": "PI-NWG-1", "bsn": BSN, "ended_on": "2027-01-15"}


@pytest.fixture
def case_call(request, dji_api, zvh_api):
    """Sets up one path and returns (client, method, path, json, content that must not leak)."""
    if request.param == "detention_started":
        return dji_api, "POST", "/v1/notifications/detention-started", started_body(), (BSN,)
    case_id = dji_api.post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]
    if request.param == "detention_ended":
        return dji_api, "POST", "/v1/notifications/detention-ended", ENDED, (BSN,)
    if request.param == "identity":
        return zvh_api, "GET", f"/v1/cases/{case_id}/identity", None, (BSN, "de Vries")
    return zvh_api, "GET", f"/v1/cases/{case_id}/information-sheet", None, ("Zoekt woonruimte",)


CASE_PATHS = ["detention_started", "detention_ended", "identity", "information_sheet"]


@pytest.mark.parametrize("case_call", CASE_PATHS, indirect=True)
def test_the_answer_is_rendered_before_its_record_commits(case_call, engine, monkeypatch) -> None:
    """The request's one commit, with its log record, comes after its response was serialised."""
    client, method, path, body, _ = case_call
    client.access_token()  # the token endpoint's own commit stays out of the order below
    seq = last_seq(engine)
    with render_and_commit_order(monkeypatch) as order:
        response = client.request(method, path, json=body)
    assert response.status_code in (200, 201), response.text
    assert order == ["render", "commit"]
    # one record, and the closed case's statistics record when detention ended closes it (hub.monitoring)
    assert len([r for r in records_since(engine, seq) if r != "statistics_written"]) == 1


@pytest.mark.parametrize("case_call", CASE_PATHS, indirect=True)
def test_a_failing_commit_releases_nothing(case_call, engine) -> None:
    """The commit fails after the answer was rendered: 503 database_unavailable without the content, and
    nothing is stored or logged (no case is opened)."""
    client, method, path, body, content = case_call
    client.access_token()
    seq, cases = last_seq(engine), cases_stored(engine)
    with failing_commits():
        response = client.request(method, path, json=body)
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")
    for text in content:
        assert text not in response.text
    assert records_since(engine, seq) == [] and cases_stored(engine) == cases
