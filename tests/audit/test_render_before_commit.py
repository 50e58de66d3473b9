"""Review L8 for the privacy officer's API: a query, a report or an access report renders its answer before
the transaction holding its own record (inspection, access_report) commits. When rendering fails, no record
says the officer saw anything, and the officer gets a 500 problem without content; the same call then
succeeds and is logged exactly once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub.audit.reports import Report
from hub.audit.schemas import AccessReportPublic, RecordPage, RecordPublic
from tests.audit.conftest import DEMO_BSN, ZVH_OIN, append
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

PO = "fg-gooi-en-vechtstreek"
_NOW = dt.datetime.now(dt.UTC)
PERIOD = {
    "period_from": (_NOW - dt.timedelta(days=30)).isoformat(),
    "period_to": (_NOW + dt.timedelta(days=1)).isoformat(),
}

QUERY = ("POST", "/v1/audit/records/query", {"json": {"subject_bsn": DEMO_BSN}}, "inspection")
ACCESS = ("POST", "/v1/audit/access-report", {"json": {"bsn": DEMO_BSN}}, "access_report")
REPORT = ("GET", "/v1/audit/reports/disclosures", {"params": PERIOD}, "inspection")
CSV_REPORT = ("GET", "/v1/audit/reports/disclosures", {"params": {**PERIOD, "format": "csv"}}, "inspection")


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    yield from partner_view(app)


@pytest.mark.parametrize(
    ("call", "broken"),
    [
        (QUERY, (RecordPublic, "model_validate")),
        (QUERY, (RecordPage, SERIALISATION)),
        (ACCESS, (AccessReportPublic, SERIALISATION)),
        (REPORT, (Report, "as_json")),
        (CSV_REPORT, (Report, "as_csv")),
    ],
    ids=["query-shaping", "query-serialisation", "access-report", "report-json", "report-csv"],
)
def test_officer_answer_that_cannot_be_rendered_is_not_logged(
    partner_client, engine, session, subject, monkeypatch, call, broken
) -> None:
    """No inspection or access_report record for an answer that never reached the officer, no log content in
    the problem; the next call is logged once."""
    method, path, arguments, event_type = call
    append(session, subject, 1, from_actor="mw-17", to_actor="coord-3", to_oin=ZVH_OIN)
    officer = partner_client(PO, actor="fg-1")
    seq = last_seq(engine)
    with monkeypatch.context() as patched:
        break_at(patched, *broken)
        response = officer.request(method, path, **arguments)
    assert records_since(engine, seq) == []
    assert_not_rendered(response, DEMO_BSN, "coord-3", "mw-17", ZVH_OIN)

    answered = officer.request(method, path, **arguments)
    assert answered.status_code == 200 and ZVH_OIN in answered.text, answered.text
    assert records_since(engine, seq) == [event_type]


@pytest.mark.parametrize("call", [QUERY, ACCESS], ids=["query", "access-report"])
def test_officer_answer_is_rendered_before_its_record_commits(
    partner_client, engine, session, subject, monkeypatch, call
) -> None:
    """The request's one commit, with its inspection or access_report record, follows the serialisation."""
    method, path, arguments, event_type = call
    append(session, subject, 1, from_actor="mw-17", to_actor="coord-3", to_oin=ZVH_OIN)
    officer = partner_client(PO, actor="fg-1")
    officer.access_token()  # the token endpoint's own commit stays out of the order below
    seq = last_seq(engine)
    with render_and_commit_order(monkeypatch) as order:
        response = officer.request(method, path, **arguments)
    assert response.status_code == 200, response.text
    assert order == ["render", "commit"]
    assert records_since(engine, seq) == [event_type]


@pytest.mark.parametrize("call", [QUERY, ACCESS, REPORT, CSV_REPORT], ids=["query", "access", "report", "csv"])
def test_a_failing_commit_gives_the_officer_nothing(partner_client, engine, session, subject, call) -> None:
    """The commit fails after the answer was rendered: 503 database_unavailable, no log content, no record."""
    method, path, arguments, _ = call
    append(session, subject, 1, from_actor="mw-17", to_actor="coord-3", to_oin=ZVH_OIN)
    officer = partner_client(PO, actor="fg-1")
    officer.access_token()
    seq = last_seq(engine)
    with failing_commits():
        response = officer.request(method, path, **arguments)
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")
    for text in (DEMO_BSN, "coord-3", "mw-17", ZVH_OIN):
        assert text not in response.text
    assert records_since(engine, seq) == []
