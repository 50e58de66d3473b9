"""DJI's risk notices over HTTP, with real tokens, the real policy engine and the real database: routing by the
mayor's mandate, idempotency on the notice id, refusals as problems, and every read of a text in the log."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case, CaseEvent
from hub.notices.models import RiskNotice
from tests.cases.conftest import BSN, OTHER_BSN, started_body

NOTICE = "/v1/notifications/risk-notice"
TEXT = "Ernstige zorg over recidive in een geweldsdelict na de vrijlating."


def body(notice_id: str = "PI-NWG-18B-1", **changes) -> dict:
    doc = {
        "notice_id": notice_id,
        "kind": "18b",
        "bsn": BSN,
        "municipality": "GM0402",  # Hilversum: the mayor mandated the ZVH (partners/registry)
        "issued_on": "2026-12-01",
        "text": TEXT,
    }
    doc.update(changes)
    return doc


def _rows(engine, model, *where) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).where(*where)))


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_mandated_notice_goes_to_the_open_case_and_signals_the_risk(dji_api, zvh_api, engine) -> None:
    """Hilversum mandated the ZVH: the notice lands on the person's open case, whose risk becomes signalled,
    and the coordinator reads the text; the arrival and the read are in the log, the text is not stored plain."""
    opened = dji_api.post("/v1/notifications/detention-started", json=started_body())
    case_id = opened.json()["case_id"]
    response = dji_api.post(NOTICE, json=body())
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["case_id"], result["delivered_to"]) == (case_id, "zvh_coordinator")
    assert zvh_api.get(f"/v1/cases/{case_id}").json()["risk"] == "signalled"
    on_case = zvh_api.get(f"/v1/cases/{case_id}/risk-notices").json()
    listed = on_case["notices"]
    assert on_case["risk_signalled_by_dji"] is True
    assert [(n["id"], n["kind"], n["delivered_to"]) for n in listed] == [(result["id"], "18b", "zvh_coordinator")]
    assert "text" not in listed[0]
    [notice] = _rows(engine, RiskNotice)
    assert TEXT.encode() not in notice.text_ciphertext and BSN not in str(notice.field_digests)

    read = zvh_api.get(f"/v1/cases/{case_id}/risk-notices/{result['id']}")
    assert read.status_code == 200, read.text
    assert read.json()["text"] == TEXT and read.headers["Cache-Control"] == "no-store"
    records = _rows(engine, AuditRecord, col(AuditRecord.case_id) == case_id)
    received = [r for r in records if r.event_type == "data_received" and "risk_notices" in r.categories_released]
    reads = [r for r in records if r.event_type == "data_read"]
    assert received and received[0].activity_id == "risk_assessment"
    assert [(r.categories_released, r.decision_id, r.activity_id) for r in reads] == [
        (["risk_notices"], read.json()["decision_id"], "risk_assessment")
    ]
    events = _rows(engine, CaseEvent, col(CaseEvent.case_id) == case_id)
    assert any(e.type == "risk_notice_received" and e.payload["kind"] == "18b" for e in events)

    # The weighing sets the risk: from then on it is the coordinator's, no longer DJI's signal.
    for step in ({"type": "screening_started"}, {"type": "weighing_recorded", "consent": "no", "risk": "signalled"}):
        assert zvh_api.post(f"/v1/cases/{case_id}/events", json=step).status_code == 201
    assert zvh_api.get(f"/v1/cases/{case_id}/risk-notices").json()["risk_signalled_by_dji"] is False


def test_a_mandated_notice_opens_a_case_when_none_is_open(dji_api, zvh_api, engine) -> None:
    """No open case for the person: the notice opens one in the region of the municipality."""
    response = dji_api.post(NOTICE, json=body(bsn=OTHER_BSN, kind="bij"))
    assert response.status_code == 201, response.text
    case = zvh_api.get(f"/v1/cases/{response.json()['case_id']}").json()
    assert (case["region"], case["municipality"], case["state"], case["risk"]) == (
        "gooi-en-vechtstreek",
        "GM0402",
        "notified",
        "signalled",
    )
    assert _count(engine, Case) == 1


def test_a_notice_not_mandated_goes_to_the_security_domain(
    dji_api, zvh_api, security_huizen, security_hilversum, engine
) -> None:
    """Huizen did not mandate the ZVH: its security domain lists and reads the notice; the coordinator sees it
    exists on the case but the policy refuses the text (logged); the risk is not signalled by it; another
    municipality's security domain does not find it."""
    case_id = dji_api.post("/v1/notifications/detention-started", json=started_body(municipality="GM0406")).json()[
        "case_id"
    ]
    result = dji_api.post(NOTICE, json=body(municipality="GM0406")).json()
    assert (result["case_id"], result["delivered_to"]) == (case_id, "municipal_security")
    assert zvh_api.get(f"/v1/cases/{case_id}").json()["risk"] == "none"
    on_case = zvh_api.get(f"/v1/cases/{case_id}/risk-notices").json()
    assert [n["id"] for n in on_case["notices"]] == [result["id"]] and on_case["risk_signalled_by_dji"] is False

    refused = zvh_api.get(f"/v1/cases/{case_id}/risk-notices/{result['id']}")
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["rule"]) == ("notice_read_refused", "notice_not_mandated")
    assert "text" not in refused.json() and TEXT not in refused.text

    inbox = security_huizen.get("/v1/risk-notices").json()
    assert [n["id"] for n in inbox["items"]] == [result["id"]]
    read = security_huizen.get(f"/v1/risk-notices/{result['id']}")
    assert read.status_code == 200 and read.json()["text"] == TEXT
    assert security_hilversum.get("/v1/risk-notices").json()["items"] == []
    assert security_hilversum.get(f"/v1/risk-notices/{result['id']}").status_code == 404

    records = _rows(engine, AuditRecord, col(AuditRecord.case_id) == case_id)
    assert [r.denial_reasons for r in records if r.event_type == "request_refused"] == [
        {"risk_notices": "notice_not_mandated"}
    ]
    assert len([r for r in records if r.event_type == "data_read"]) == 1


def test_the_security_domain_of_a_mandating_mayor_is_refused_by_the_policy(dji_api, security_hilversum, engine) -> None:
    """Hilversum's notice is with the ZVH: its own security domain is refused by the policy, and that is logged."""
    result = dji_api.post(NOTICE, json=body()).json()
    refused = security_hilversum.get(f"/v1/risk-notices/{result['id']}")
    assert refused.status_code == 403 and refused.json()["rule"] == "notice_mandated_to_zvh"
    assert [r.denial_reasons for r in _rows(engine, AuditRecord, AuditRecord.event_type == "request_refused")] == [
        {"risk_notices": "notice_mandated_to_zvh"}
    ]


def test_a_repeat_replays_and_a_changed_repeat_names_the_field(dji_api, engine) -> None:
    """Same id and body: 200, the same answer, nothing new. Same id, another body: 409 naming the field."""
    first = dji_api.post(NOTICE, json=body())
    again = dji_api.post(NOTICE, json=body())
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    for changes, field in [({"text": "Andere tekst."}, "text"), ({"kind": "bij"}, "kind"), ({"bsn": OTHER_BSN}, "bsn")]:
        conflict = dji_api.post(NOTICE, json=body(**changes))
        assert conflict.status_code == 409, conflict.text
        assert (conflict.json()["code"], conflict.json()["field"]) == ("notice_conflict", field)
    assert (_count(engine, RiskNotice), _count(engine, Case)) == (1, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bsn": "111222334"}, "bsn"),
        ({"bsn": "".join(chr(0xFF10 + int(d)) for d in BSN)}, "bsn"),  # full-width digits: was a 500 (issue 12)
        ({"municipality": "GM9999"}, "municipality"),
        ({"issued_on": "2999-01-01"}, "issued_on"),
        ({"kind": "pga"}, "kind"),
        ({"text": ""}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "verborgen\u202etekst"}, "text"),
        ({"notice_id": "met spatie"}, "notice_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_stores_nothing(dji_api, engine, changes, field) -> None:
    response = dji_api.post(NOTICE, json=body(**changes))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    named = {problem.get("field")} | {e.get("field") for e in problem.get("errors", [])}
    assert any(n and n.endswith(field) for n in named), problem
    assert (_count(engine, RiskNotice), _count(engine, Case), _count(engine, AuditRecord)) == (0, 0, 0)


def test_only_dji_sends_notices_and_only_addressees_read(partner_client, zvh_api, client, engine) -> None:
    """The coordinator may not send a notice (403 by the API-access rule), nobody without a token (401)."""
    assert zvh_api.post(NOTICE, json=body()).status_code == 403
    assert client.post(NOTICE, json=body()).status_code == 401
    police = partner_client("politie-midden-nederland", actor="agent-1")
    assert police.get("/v1/risk-notices").json()["items"] == []
    assert _count(engine, RiskNotice) == 0


def test_another_region_does_not_find_the_case_notices(dji_api, partner_client) -> None:
    result = dji_api.post(NOTICE, json=body()).json()
    other = partner_client("zvh-maastricht-heuvelland", actor="regisseur-9")
    assert other.get(f"/v1/cases/{result['case_id']}/risk-notices").status_code == 404
    assert other.get(f"/v1/cases/{result['case_id']}/risk-notices/{result['id']}").status_code == 404


def test_the_access_report_tells_of_a_notice_read_in_whole_sentences(dji_api, zvh_api, partner_client) -> None:
    """The coordinator's read of a risk notice's text is in the person's access report (issue 12, item 14): one
    entry, whole Dutch sentences naming reader, sender, category, purpose and legal basis."""
    case_id = dji_api.post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]
    notice = dji_api.post(NOTICE, json=body()).json()
    assert zvh_api.get(f"/v1/cases/{case_id}/risk-notices/{notice['id']}").status_code == 200
    officer = partner_client("fg-gooi-en-vechtstreek", actor="fg-1")
    report = officer.post("/v1/audit/access-report", json={"bsn": BSN}).json()
    [entry] = report["verstrekkingen"]
    moment = entry["datum"].replace(" ", " om ")
    assert entry["omschrijving"] == (
        f"Op {moment} zijn gegevens over u ingezien door Zorg- en Veiligheidshuis Gooi en Vechtstreek. "
        "De gegevens kwamen van DJI, Penitentiaire Inrichting Nieuwegein. "
        "Het ging om: risicomeldingen (18b, BIJ, PGA). "
        "Dit gebeurde voor het doel ‘Weging van een veiligheidsrisico’, op grond van Pbw art. 18b; Bjsg art. 11a; "
        "Wpg art. 20."
    )
