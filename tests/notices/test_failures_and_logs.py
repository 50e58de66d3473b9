"""Fail closed and log nothing personal: a policy engine that cannot decide dt.notice_read releases no text and
writes no record (503); the application log never holds a BSN or a notice's text."""

from __future__ import annotations

from sqlmodel import Session, col, select
from structlog.testing import capture_logs

from hub.audit.models import AuditRecord
from tests.notices.test_api import TEXT, body


def _reads_and_refusals(engine) -> list[AuditRecord]:
    with Session(engine) as session:
        statement = select(AuditRecord).where(col(AuditRecord.event_type).in_(["data_read", "request_refused"]))
        return list(session.exec(statement))


def test_an_engine_that_cannot_decide_releases_no_text(dji_api, zvh_api, security_huizen, break_rule, engine):
    mandated = dji_api.post("/v1/notifications/risk-notice", json=body()).json()
    local = dji_api.post("/v1/notifications/risk-notice", json=body("PI-NWG-18B-2", municipality="GM0406")).json()
    break_rule("notice_read")
    for reader, path in (
        (zvh_api, f"/v1/cases/{mandated['case_id']}/risk-notices/{mandated['id']}"),
        (security_huizen, f"/v1/risk-notices/{local['id']}"),
    ):
        response = reader.get(path)
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "policy_unavailable" and "Retry-After" in response.headers
        assert TEXT not in response.text
    assert _reads_and_refusals(engine) == []


def test_no_bsn_or_text_in_the_application_log(dji_api, zvh_api, security_huizen):
    with capture_logs() as events:
        mandated = dji_api.post("/v1/notifications/risk-notice", json=body()).json()
        local = dji_api.post("/v1/notifications/risk-notice", json=body("PI-NWG-18B-3", municipality="GM0406")).json()
        dji_api.post("/v1/notifications/risk-notice", json=body(text="Een andere tekst."))  # a 409
        assert zvh_api.get(f"/v1/cases/{mandated['case_id']}/risk-notices/{mandated['id']}").status_code == 200
        assert zvh_api.get(f"/v1/cases/{local['case_id']}/risk-notices/{local['id']}").status_code == 403
        assert security_huizen.get(f"/v1/risk-notices/{local['id']}").status_code == 200
    logged = repr(events)
    assert {"risk_notice.received", "risk_notice.read", "risk_notice.read_refused"} <= {e["event"] for e in events}
    assert body()["bsn"] not in logged and TEXT not in logged and "andere tekst" not in logged
