"""The screens of DJI's risk notices against the real app (database, policy engine, log): the signal on the
work queue and the case page, the coordinator's recorded read, the security domain's own list and reads."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from tests.web.conftest import SAME_ORIGIN, form_key

BSN = "111222333"
TEXT = "Ernstige zorg over recidive na de vrijlating."
ZVH = "zvh-gooi-en-vechtstreek"


@pytest.fixture
def dji(partner_client):
    return partner_client("dji-pi-nieuwegein", actor="dji-medewerker-7")


def _notice(dji, municipality: str, notice_id: str) -> dict:
    body = {
        "notice_id": notice_id,
        "kind": "18b",
        "bsn": BSN,
        "municipality": municipality,
        "issued_on": "2026-12-01",
        "text": TEXT,
    }
    response = dji.post("/v1/notifications/risk-notice", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _reads(app) -> list[AuditRecord]:
    with Session(app.state.engine) as db:
        return list(db.exec(select(AuditRecord).where(AuditRecord.event_type == "data_read")))


def test_the_coordinator_sees_the_signal_and_reads_the_text_only_by_a_recorded_post(client, app, sign_in, dji):
    notice = _notice(dji, "GM0402", "PI-NWG-18B-SCREEN")
    case_id = notice["case_id"]
    sign_in(ZVH)
    queue = client.get("/signalering").text
    assert "Risicomeldingen van DJI (1)" in queue and f"/casussen/{case_id}" in queue
    page = client.get(f"/casussen/{case_id}")
    assert page.status_code == 200
    assert "Melding artikel 18b Pbw" in page.text and "Risico gesignaleerd door DJI" in page.text
    assert TEXT not in page.text and BSN not in page.text
    assert _reads(app) == []
    action = f"/casussen/{case_id}/risicomeldingen/{notice['id']}"
    assert action in page.text
    key = form_key(page.text.split(action)[1])
    read = client.post(action, data={"form_key": key}, headers=SAME_ORIGIN)
    assert read.status_code == 200, read.text
    assert TEXT in read.text and "vastgelegd in het logboek" in read.text
    assert read.headers["cache-control"] == "no-store"
    assert [r.categories_released for r in _reads(app)] == [["risk_notices"]]
    again = client.post(action, data={"form_key": key}, headers=SAME_ORIGIN)
    assert again.status_code == 409 and len(_reads(app)) == 1  # a form key is spent once


def test_without_mandate_the_coordinator_sees_only_that_a_notice_exists(client, app, sign_in, dji):
    notice = _notice(dji, "GM0406", "PI-NWG-18B-HUIZEN")  # Huizen: no mandate
    sign_in(ZVH)
    page = client.get(f"/casussen/{notice['case_id']}").text
    assert "Veiligheidsdomein van de gemeente" in page and "u ziet alleen dat er een melding is" in page
    assert f"/risicomeldingen/{notice['id']}" not in page and TEXT not in page
    assert "Risico gesignaleerd door DJI" not in page


def test_the_security_domain_lists_and_reads_its_own_notices(client, app, sign_in, dji):
    mine = _notice(dji, "GM0406", "PI-NWG-18B-HUIZEN-2")
    _notice(dji, "GM0402", "PI-NWG-18B-HILVERSUM-2")  # mandated: with the ZVH, not in a municipality's list
    sign_in("gm0406-security")
    listed = client.get("/risicomeldingen")
    assert listed.status_code == 200
    assert "PI-NWG-18B-HUIZEN-2" in listed.text and "PI-NWG-18B-HILVERSUM-2" not in listed.text
    assert TEXT not in listed.text
    read = client.post(f"/risicomeldingen/{mine['id']}", data={"form_key": form_key(listed.text)}, headers=SAME_ORIGIN)
    assert read.status_code == 200 and TEXT in read.text
    assert len(_reads(app)) == 1


def test_a_security_domain_whose_mayor_mandated_the_zvh_is_refused_and_it_is_logged(client, app, sign_in, dji):
    notice = _notice(dji, "GM0402", "PI-NWG-18B-HILVERSUM-3")
    sign_in("gm0402-security")
    listed = client.get("/risicomeldingen")
    assert "Er zijn geen risicomeldingen voor uw gemeente." in listed.text
    refused = client.post(
        f"/risicomeldingen/{notice['id']}", data={"form_key": "0123456789abcdef0123"}, headers=SAME_ORIGIN
    )  # the list offers no button for it; a hand-made form still meets the policy
    assert refused.status_code == 403 and "Geen toegang" in refused.text and TEXT not in refused.text
    with Session(app.state.engine) as db:
        refusals = list(db.exec(select(AuditRecord).where(AuditRecord.event_type == "request_refused")))
    assert [r.denial_reasons for r in refusals] == [{"risk_notices": "notice_mandated_to_zvh"}]
