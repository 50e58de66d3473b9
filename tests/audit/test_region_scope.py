"""The privacy officer sees only the log of its own region (review H5), and every inspection stores its full
filter (review L9). The officer fg-gooi-en-vechtstreek against records of a Maastricht case."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlmodel import Session

from hub.audit.inspection import query_records
from hub.audit.models import AuditRecord
from hub.audit.schemas import RecordQuery
from hub.audit.trace import new_trace
from tests.audit.conftest import DEMO_BSN, MH, OTHER_BSN, ZVH_OIN, append
from tests.support.policy_standins import Decision

PO = "fg-gooi-en-vechtstreek"
_NOW = dt.datetime.now(dt.UTC)
PERIOD = {
    "period_from": (_NOW - dt.timedelta(days=30)).isoformat(),
    "period_to": (_NOW + dt.timedelta(days=1)).isoformat(),
}


def _seed(session, subject, other_subject) -> None:
    """Two records in a Gooi en Vechtstreek case of `subject`; three in a Maastricht case of `other_subject`."""
    append(session, subject, 2, case_id="case-gv")
    append(session, other_subject, 3, case_id="case-mh", region=MH, to_oin=ZVH_OIN)


def _last(engine) -> AuditRecord:
    with Session(engine) as reader:
        return reader.execute(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()


@pytest.mark.parametrize(
    "body",
    [
        {"case_id": "case-mh"},
        {"period_from": "2000-01-01T00:00:00Z"},
        {"subject_bsn": OTHER_BSN},
        {"partner_oin": ZVH_OIN},
        {"decision_id": "dec-1"},
    ],
)
def test_queries_never_return_another_regions_records(client, auth_headers, session, subject, other_subject, body):
    """A case, a broad period, a subject, a partner or a decision: only records of the officer's region."""
    _seed(session, subject, other_subject)
    response = client.post("/v1/audit/records/query", json=body, headers=auth_headers(PO))
    assert response.status_code == 200
    assert {r["case_id"] for r in response.json()["records"]} <= {"case-gv"}
    assert "case-mh" not in response.text and other_subject not in response.text


def test_another_regions_case_looks_exactly_like_an_unknown_case(client, auth_headers, session, subject, other_subject):
    """No existence oracle: a Maastricht case answers the same empty page as a case that does not exist."""
    _seed(session, subject, other_subject)
    foreign = client.post("/v1/audit/records/query", json={"case_id": "case-mh"}, headers=auth_headers(PO))
    unknown = client.post("/v1/audit/records/query", json={"case_id": "case-none"}, headers=auth_headers(PO))
    assert foreign.status_code == unknown.status_code == 200
    strip = lambda body: {k: v for k, v in body.items() if k != "inspection_seq"}  # noqa: E731
    assert strip(foreign.json()) == strip(unknown.json()) == {"records": [], "next_cursor": None}


def test_access_report_for_a_person_only_in_another_region_equals_an_unknown_bsn(
    client, auth_headers, session, subject, other_subject
):
    """OTHER_BSN has disclosures only in Maastricht: the report is empty, exactly as for a never-seen BSN."""
    _seed(session, subject, other_subject)
    foreign = client.post("/v1/audit/access-report", json={"bsn": OTHER_BSN}, headers=auth_headers(PO))
    unknown = client.post("/v1/audit/access-report", json={"bsn": "111222333"}, headers=auth_headers(PO))
    own = client.post("/v1/audit/access-report", json={"bsn": DEMO_BSN}, headers=auth_headers(PO))
    assert foreign.status_code == unknown.status_code == 200
    strip = lambda body: {k: v for k, v in body.items() if k not in ("report_seq", "opgesteld_op")}  # noqa: E731
    assert strip(foreign.json()) == strip(unknown.json())
    assert foreign.json()["aantal_verstrekkingen"] == 0 and own.json()["aantal_verstrekkingen"] == 2


@pytest.mark.parametrize("kind", ["disclosures", "refusals", "unusual"])
def test_reports_cover_only_the_officers_region(client, auth_headers, session, subject, other_subject, kind):
    """Disclosures are counted, refusals and reads flagged only for cases in the officer's region."""
    append(session, subject, 2, case_id="case-gv")
    for case in ("mh-1", "mh-2", "mh-3"):
        append(
            session,
            other_subject,
            1,
            case_id=case,
            region=MH,
            event_type="request_refused",
            to_actor="coord-mh",
            event_time=_NOW.replace(hour=2),
        )
        append(
            session,
            other_subject,
            1,
            case_id=case,
            region=MH,
            event_type="data_read",
            to_actor="coord-mh",
            event_time=_NOW.replace(hour=2),
        )
    body = client.get(f"/v1/audit/reports/{kind}", params=PERIOD, headers=auth_headers(PO)).json()
    if kind == "disclosures":
        assert [(r["disclosures"], r["refusals"]) for r in body["rows"]] == [(2, 0)]
    elif kind == "refusals":
        assert body["rows"] == []
    else:  # the region's own reads may be flagged as after hours, depending on when the test runs
        assert body["rows"] is not None and "coord-mh" not in {r["actor"] for r in body["rows"]}


def test_an_officer_without_a_region_sees_nothing(session, subject, make_caller, settings):
    """Should an officer without a region slip past the registry, its queries match no record (fail closed)."""
    append(session, subject, 2, case_id="case-gv")
    officer = make_caller(PO)
    regionless = dataclasses.replace(officer, partner=dataclasses.replace(officer.partner, region=None))
    page = query_records(
        session, regionless, RecordQuery(case_id="case-gv"), settings.pseudonym_key.get_secret_value(), new_trace()
    )
    assert page.records == [] and page.inspection_seq == 3


def test_inspection_record_stores_the_full_filter(client, auth_headers, engine, session, subject):
    """Period, case, subject (as pseudonym), partner, activity, decision and event type are all on the record."""
    append(session, subject, 1, case_id="case-gv")
    body = {
        **PERIOD,
        "case_id": "case-gv",
        "subject_bsn": DEMO_BSN,
        "partner_oin": ZVH_OIN,
        "activity_id": Decision().activity.id,
        "decision_id": "dec-1",
        "event_type": "data_released",
    }
    response = client.post("/v1/audit/records/query", json=body, headers=auth_headers(PO))
    assert response.status_code == 200 and len(response.json()["records"]) == 1
    inspection = _last(engine)
    stored = inspection.query_filter
    assert inspection.event_type == "inspection" and stored is not None
    assert {
        k: stored[k]
        for k in ("case_id", "subject_pseudonym", "partner_oin", "activity_id", "decision_id", "event_type", "region")
    } == {
        "case_id": "case-gv",
        "subject_pseudonym": subject,
        "partner_oin": ZVH_OIN,
        "activity_id": "reintegration",
        "decision_id": "dec-1",
        "event_type": "data_released",
        "region": "gooi-en-vechtstreek",
    }
    assert dt.datetime.fromisoformat(stored["period_from"]) == dt.datetime.fromisoformat(PERIOD["period_from"])
    assert DEMO_BSN not in repr(stored)


def test_report_inspection_stores_kind_period_and_region(client, auth_headers, engine):
    """A report's inspection record names the report, its period and the region it covered."""
    client.get("/v1/audit/reports/refusals", params=PERIOD, headers=auth_headers(PO))
    stored = _last(engine).query_filter
    assert (stored["report"], stored["region"]) == ("refusals", "gooi-en-vechtstreek")
    assert dt.datetime.fromisoformat(stored["period_to"]) == dt.datetime.fromisoformat(PERIOD["period_to"])
