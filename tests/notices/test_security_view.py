"""What a municipality's security domain sees of DJI's risk notices, and what a probe for another's notice
leaves behind (second reader's finding): no id of the ZVH's case in any answer; a 404 for a notice that is not
the caller's goes to the application log without the notice id, the case or the person, and writes no
disclosure-log record."""

from __future__ import annotations

import json

from sqlmodel import Session, func, select
from structlog.testing import capture_logs

from hub.audit.models import AuditRecord
from tests.notices.test_api import NOTICE, TEXT, body

UNKNOWN = "00000000-0000-4000-8000-000000000000"
LAREN_SECURITY_OIN = "00000009990000013000"  # partners/registry/gm0417-security.json


def _records(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditRecord)).one()


def test_the_security_domain_never_sees_the_zvhs_case_id(dji_api, security_huizen) -> None:
    """Huizen did not mandate the ZVH: its security domain lists and reads the notice; neither answer names
    the case (an internal id of another organisation), by key or by value."""
    sent = dji_api.post(NOTICE, json=body(municipality="GM0406")).json()
    listed = security_huizen.get("/v1/risk-notices")
    read = security_huizen.get(f"/v1/risk-notices/{sent['id']}")
    assert (listed.status_code, read.status_code) == (200, 200), read.text
    assert [item["id"] for item in listed.json()["items"]] == [sent["id"]] and read.json()["text"] == TEXT
    for answer in (listed.json()["items"][0], read.json()):
        assert "case_id" not in answer
    assert sent["case_id"] not in listed.text and sent["case_id"] not in read.text


def test_a_probe_for_another_municipalitys_notice_is_in_the_application_log_only(
    dji_api, security_huizen, partner_client, engine
) -> None:
    """Laren's security domain asks for Huizen's notice and for an unknown id: both 404 alike; each is a
    warning naming Laren and whether such a notice exists, never the notice id, case id or BSN; no record."""
    sent = dji_api.post(NOTICE, json=body(municipality="GM0406")).json()
    laren = partner_client("gm0417-security", actor="veiligheid-3")
    before = _records(engine)
    with capture_logs() as events:
        other = laren.get(f"/v1/risk-notices/{sent['id']}")
        unknown = laren.get(f"/v1/risk-notices/{UNKNOWN}")
    assert (other.status_code, unknown.status_code) == (404, 404)
    assert other.json()["detail"] == unknown.json()["detail"]
    probes = [e for e in events if e["event"] == "risk_notice.read_not_found"]
    assert [(e["log_level"], e["reader_role"], e["notice_of_another"]) for e in probes] == [
        ("warning", "municipal_security", True),
        ("warning", "municipal_security", False),
    ]
    assert {e["reader_oin"] for e in probes} == {LAREN_SECURITY_OIN}
    logged = json.dumps(events, default=str)
    for secret in (sent["id"], sent["case_id"], body()["bsn"], UNKNOWN):
        assert secret not in logged
    assert _records(engine) == before
