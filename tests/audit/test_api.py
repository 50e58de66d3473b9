"""The privacy officer's API under /v1/audit, with real tokens and the real policy engine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import Session
from structlog.testing import capture_logs

from hub.audit.checkpoints import seal
from hub.audit.models import AuditRecord
from hub.audit.trace import hashed_id
from tests.audit.conftest import DEMO_BSN, append

PO = "fg-gooi-en-vechtstreek"
PO_OIN = "00000009990000019000"
ZVH_OIN = "00000009990000001000"
HILVERSUM_SOCIAL_OIN = "00000009990000008000"
_NOW = dt.datetime.now(dt.UTC)
PERIOD = {
    "period_from": (_NOW - dt.timedelta(days=300)).isoformat(),
    "period_to": (_NOW + dt.timedelta(days=1)).isoformat(),
}


def _last(engine) -> AuditRecord:
    with Session(engine) as reader:
        return reader.execute(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()


def _seed(session, subject, other_subject) -> None:
    append(session, subject, 2, from_oin=HILVERSUM_SOCIAL_OIN, to_oin=ZVH_OIN)
    append(session, other_subject, 1, from_oin=HILVERSUM_SOCIAL_OIN, to_oin=ZVH_OIN, case_id="case-2")
    append(
        session,
        subject,
        1,
        event_type="request_refused",
        categories_released=[],
        to_oin=ZVH_OIN,
        from_oin=HILVERSUM_SOCIAL_OIN,
    )


def test_log_key_is_published(client, signer):
    """The public Ed25519 key is served at the well-known route, without its private part."""
    body = client.get("/.well-known/dt-hub-log-key").json()
    assert (body["kty"], body["crv"], body["kid"]) == ("OKP", "Ed25519", signer.verifier.key_id)
    assert "d" not in body


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/audit/records/query", {"case_id": "case-1"}),
        ("get", "/v1/audit/integrity", None),
        ("post", "/v1/audit/access-report", {"bsn": DEMO_BSN}),
        ("get", "/v1/audit/reports/disclosures", None),
    ],
)
@pytest.mark.parametrize("client_id", ["zvh-gooi-en-vechtstreek", "gm0402-social", "dji-pi-nieuwegein"])
def test_other_roles_are_refused(client, auth_headers, engine, method, path, body, client_id):
    """Any role but privacy_officer gets 403 naming the rule, and nothing is logged."""
    params = PERIOD if path.startswith("/v1/audit/reports") else None
    response = client.request(method.upper(), path, json=body, params=params, headers=auth_headers(client_id))
    assert response.status_code == 403 and response.json()["code"] == "operation_forbidden"
    assert "rule" in response.json()
    with Session(engine) as reader:
        assert reader.execute(select(AuditRecord)).first() is None


def test_query_without_filter_is_400(client, auth_headers, engine):
    """A query with only paging fields is refused with the rule it breaks; nothing is logged."""
    response = client.post("/v1/audit/records/query", json={"limit": 10}, headers=auth_headers(PO))
    body = response.json()
    assert response.status_code == 400 and body["code"] == "audit_filter_required"
    assert body["rule"] == "audit.filter_required"
    with Session(engine) as reader:
        assert reader.execute(select(AuditRecord)).first() is None


def test_query_pages_and_logs_an_inspection(client, auth_headers, engine, session, subject, other_subject):
    """Filter by subject (BSN in the body): two pages, only that person's records, each page logged."""
    _seed(session, subject, other_subject)
    first = client.post(
        "/v1/audit/records/query", json={"subject_bsn": DEMO_BSN, "limit": 2}, headers=auth_headers(PO, actor="fg-1")
    ).json()
    second = client.post(
        "/v1/audit/records/query",
        json={"subject_bsn": DEMO_BSN, "limit": 2, "cursor": first["next_cursor"]},
        headers=auth_headers(PO, actor="fg-1"),
    ).json()
    seqs = [r["seq"] for r in first["records"] + second["records"]]
    # The first page's own inspection (seq 5) names no case, so it lies in no region: not listed (H5).
    assert seqs == [1, 2, 4] and second["next_cursor"] is None
    assert {r["subject_pseudonym"] for r in first["records"] + second["records"]} == {subject}
    inspection = _last(engine)
    assert (inspection.event_type, inspection.to_oin, inspection.to_actor) == ("inspection", PO_OIN, "fg-1")
    assert inspection.subject_pseudonym == subject and inspection.seq == second["inspection_seq"]


@pytest.mark.parametrize(
    "body",
    [
        {"cursor": "bm9wZQ", "case_id": "c"},
        {"case_id": "x", "unknown": 1},
        {"period_from": "2026-02-01T00:00:00Z", "period_to": "2026-01-01T00:00:00Z"},
        {"subject_bsn": "123456789"},
    ],
)
def test_hostile_queries_are_refused(client, auth_headers, engine, body):
    """A forged cursor, an unknown field, an empty period or an invalid BSN: a problem, nothing logged."""
    response = client.post("/v1/audit/records/query", json=body, headers=auth_headers(PO))
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "123456789" not in response.text
    with Session(engine) as reader:
        assert reader.execute(select(AuditRecord)).first() is None


def test_integrity_reports_verification_and_checkpoints(client, auth_headers, session, subject, signer):
    """The integrity route verifies the chain and lists the signed checkpoints."""
    append(session, subject, 3)
    seal(session, signer)
    session.commit()
    body = client.get("/v1/audit/integrity", headers=auth_headers(PO)).json()
    assert body["verification"]["ok"] is True and body["verification"]["records_checked"] == 3
    assert body["checkpoints_total"] == 1 and body["checkpoints"][0]["seq"] == 3
    assert body["public_key"]["kid"] == signer.verifier.key_id


def test_access_report_lists_only_this_persons_disclosures(
    client, auth_headers, engine, session, subject, other_subject
):
    """Dutch entries for the person's two releases; nothing of the other person; no employee ids; logged."""
    _seed(session, subject, other_subject)
    response = client.post("/v1/audit/access-report", json={"bsn": DEMO_BSN}, headers=auth_headers(PO))
    body = response.json()
    assert response.status_code == 200 and body["aantal_verstrekkingen"] == 2
    entry = body["verstrekkingen"][0]
    assert (entry["ontvanger"], entry["verstrekker"]) == (
        "Zorg- en Veiligheidshuis Gooi en Vechtstreek",
        "Gemeente Hilversum, sociaal domein",
    )
    assert entry["categorieen"] == ["huisvesting", "inkomen"]
    assert entry["doel"].startswith("Re-integratie") and entry["grondslag"].startswith("Pbw art. 18a")
    assert entry["omschrijving"].startswith("Op ") and "Het ging om: huisvesting en inkomen." in entry["omschrijving"]
    for forbidden in ("mw-17", "coord-3", subject, other_subject, "case-2", DEMO_BSN):
        assert forbidden not in response.text
    logged = _last(engine)
    assert (logged.event_type, logged.subject_pseudonym, logged.seq) == ("access_report", subject, body["report_seq"])


FULL_WIDTH_BSN = "".join(chr(0xFF10 + int(d)) for d in DEMO_BSN)  # passes the eleven-test; was a 500


@pytest.mark.parametrize(
    "bsn", ["123456789", "99999365", "9999936530", "abcdefghi", "", " 999993653", FULL_WIDTH_BSN, "\u0661" * 9]
)
def test_access_report_refuses_a_malformed_bsn(client, auth_headers, engine, bsn):
    """A BSN failing the eleven-test or the format is a 422 naming the field, never echoed, nothing logged."""
    response = client.post("/v1/audit/access-report", json={"bsn": bsn}, headers=auth_headers(PO))
    assert response.status_code == 422 and response.json()["code"] in ("invalid_bsn", "validation_failed")
    assert "bsn" in response.text and (not bsn.strip() or bsn.strip() not in response.text)
    with Session(engine) as reader:
        assert reader.execute(select(AuditRecord)).first() is None


def test_records_query_refuses_a_bsn_in_other_digits(client, auth_headers):
    """The log query's subject_bsn in full-width digits: 422 naming subject_bsn, not a 500 (issue 12, item 5)."""
    response = client.post(
        "/v1/audit/records/query", json={"subject_bsn": FULL_WIDTH_BSN, "limit": 2}, headers=auth_headers(PO)
    )
    assert response.status_code == 422 and response.json()["field"] == "subject_bsn"
    assert FULL_WIDTH_BSN not in response.text


def test_reports_json_and_csv(client, auth_headers, engine, session, subject, other_subject):
    """Disclosures and refusals per partner/activity/month, refusal reasons, both as JSON and as CSV."""
    _seed(session, subject, other_subject)
    month = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m")
    summary = client.get("/v1/audit/reports/disclosures", params=PERIOD, headers=auth_headers(PO)).json()
    assert [(r["partner_oin"], r["disclosures"], r["refusals"]) for r in summary["rows"]] == [(ZVH_OIN, 3, 1)]
    assert summary["rows"][0]["month"] == month
    refusals = client.get("/v1/audit/reports/refusals", params={**PERIOD, "format": "csv"}, headers=auth_headers(PO))
    assert refusals.headers["content-type"].startswith("text/csv")
    assert refusals.headers["cache-control"] == "no-store"  # a download is kept nowhere either (issue 12, item 1)
    lines = refusals.text.strip().splitlines()
    assert lines[0] == "partner_oin,partner,activity,category,reason,count" and lines[1].endswith(",care,no_consent,1")
    assert _last(engine).event_type == "inspection"


def test_unusual_patterns_flag_many_cases_per_hour(client, auth_headers, session, subject, settings, app):
    """One actor reading more distinct cases in an hour than the threshold is flagged, with a Dutch reason."""
    app.state.settings = settings.model_copy(update={"unusual_reads_per_hour": 2})
    for case in ("c-1", "c-2", "c-3"):
        append(session, subject, 1, event_type="data_read", case_id=case, to_oin=ZVH_OIN, to_actor="coord-9")
    body = client.get("/v1/audit/reports/unusual", params=PERIOD, headers=auth_headers(PO)).json()
    flagged = [r for r in body["rows"] if r["pattern"] == "veel_zaken_per_uur"]
    assert [(r["actor"], r["count"]) for r in flagged] == [("coord-9", 3)]
    assert "drempel 2" in flagged[0]["explanation"]


def test_reads_outside_office_hours_are_flagged(client, auth_headers, session, subject):
    """A read at 02:00 UTC (03:00 or 04:00 in Amsterdam) is listed as outside office hours."""
    night = (_NOW - dt.timedelta(days=7)).replace(hour=2, minute=0)
    append(session, subject, 1, event_type="data_read", event_time=night, to_oin=ZVH_OIN, to_actor="coord-7")
    body = client.get("/v1/audit/reports/unusual", params=PERIOD, headers=auth_headers(PO)).json()
    assert [(r["pattern"], r["actor"], r["when"]) for r in body["rows"]] == [
        ("buiten_kantoortijden", "coord-7", night.strftime("%Y-%m-%d"))
    ]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"period_from": "2026-01-01T00:00:00+00:00", "period_to": "2028-01-01T00:00:00+00:00"},
        {**PERIOD, "format": "xml"},
    ],
)
def test_reports_need_a_bounded_period(client, auth_headers, params):
    """A report without a period, over too long a period, or in an unknown format is refused."""
    response = client.get("/v1/audit/reports/disclosures", params=params or None, headers=auth_headers(PO))
    assert response.status_code in (400, 422) and response.json()["code"] in ("invalid_period", "validation_failed")


def test_partner_traceparent_lands_in_the_inspection_record_only_hashed(client, auth_headers, engine, log_mac_key):
    """Issue 12 item 6: a well-formed traceparent is continued in the log record under keyed hashes of its ids;
    the partner's ids are nowhere in the record, and only the application log relates the two."""
    partner_trace, partner_span = "99999365300000000000000000000abc", "00f067aa0ba902b7"  # a trace id holding a BSN
    headers = {**auth_headers(PO), "traceparent": f"00-{partner_trace}-{partner_span}-01"}
    with capture_logs() as events:
        response = client.post("/v1/audit/records/query", json={"case_id": "case-1"}, headers=headers)
    assert response.status_code == 200
    logged = _last(engine)
    assert (logged.trace_id, logged.parent_span_id) == (
        hashed_id(log_mac_key, partner_trace),
        hashed_id(log_mac_key, partner_span),
    )
    stored = " ".join(str(value) for value in logged.model_dump().values())
    assert partner_trace not in stored and partner_span not in stored and DEMO_BSN not in stored
    related = [e for e in events if e["event"] == "trace.partner_trace"]
    assert [(e["trace_id"], e["partner_trace_id"]) for e in related] == [(logged.trace_id, partner_trace)]


def test_no_bsn_reaches_the_application_log(client, auth_headers, session, subject):
    """Access report and subject query by BSN: no log event carries the BSN, even before scrubbing."""
    append(session, subject, 1)
    headers = auth_headers(PO)
    with capture_logs() as events:
        client.post("/v1/audit/access-report", json={"bsn": DEMO_BSN}, headers=headers)
        client.post("/v1/audit/records/query", json={"subject_bsn": DEMO_BSN}, headers=headers)
        client.post("/v1/audit/access-report", json={"bsn": "123456789"}, headers=headers)
    assert "audit.access_report" in {event["event"] for event in events}
    text = repr(events)
    assert DEMO_BSN not in text and "123456789" not in text


def test_access_report_records_the_day_the_request_came_in(client, auth_headers, engine):
    """received_on travels to the access_report record's filter (a date, nothing personal); a day after today is
    a 422 naming the field, and nothing is logged."""
    import datetime as dt

    late = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    refused = client.post(
        "/v1/audit/access-report", json={"bsn": DEMO_BSN, "received_on": late}, headers=auth_headers(PO)
    )
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_received_on"
    assert refused.json()["field"] == "received_on"
    with Session(engine) as reader:
        assert reader.execute(select(AuditRecord)).first() is None

    day = (dt.date.today() - dt.timedelta(days=9)).isoformat()
    answered = client.post(
        "/v1/audit/access-report", json={"bsn": DEMO_BSN, "received_on": day}, headers=auth_headers(PO)
    )
    assert answered.status_code == 200
    with Session(engine) as reader:
        logged = reader.execute(select(AuditRecord)).scalars().one()
    assert (logged.event_type, logged.query_filter) == ("access_report", {"received_on": day})
