"""The notices and the origin in the anonymous statistics (issue 16 item 4), through the real services and
database: a case opened without a municipality, determined, contested, determined again, with an 18b notice,
writes those facts when it closes; a case that closes without a municipality is counted under NO_ORIGIN."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.cases import notifications
from hub.cases.models import Case
from hub.cases.schemas import DetentionEndedCreate
from hub.monitoring.facts import NO_ORIGIN
from hub.monitoring.models import MonitoringPending
from hub.notices import service
from hub.notices.schemas import RiskNoticeCreate
from hub.origin import service as origin
from hub.origin.schemas import OriginContest, OriginDetermine
from hub.policy.origin_register import get_origin_register
from tests.cases.conftest import BSN
from tests.notices.test_api import body


def _facts(session: Session) -> dict[str, tuple[str, str]]:
    # the rows written, waiting for their batch (one case never fills one: tests/monitoring/test_batches.py)
    rows = session.exec(select(MonitoringPending).where(MonitoringPending.number == None)).all()  # noqa: E711
    return {r.measure: (r.municipality, r.value) for r in rows}


def _end(session, ctx, dji) -> None:
    ended = DetentionEndedCreate(
        notification_id="PI-NWG-2", started_notification_id="PI-NWG-1", bsn=BSN, ended_on="2027-01-15"
    )
    notifications.detention_ended(session, ctx, dji, ended)  # no consent: the case closes
    session.commit()


def test_a_notice_and_a_disputed_origin_are_counted(session, settings, ctx, dji, open_case, dev_registry, make_caller):
    register = get_origin_register(settings.policies_dir)
    case_id = open_case(municipality=None)  # DJI does not know: the prison's region, origin unknown
    coordinator = make_caller("zvh-gooi-en-vechtstreek", actor="regisseur-1")

    def determine(municipality: str, reason: str):
        data = OriginDetermine(municipality=municipality, reason=reason)
        return origin.determine(session, ctx, coordinator, dev_registry, register, case_id, data)[1]

    first = determine("GM0406", "last_address")
    social = make_caller("gm0406-social", actor="sociaal-1")
    contested = OriginContest(reason="registered_elsewhere")
    origin.contest(session, ctx, social, dev_registry, register, first.public_id, contested)
    determine("GM0402", "brp_registration")
    service.receive(session, ctx, dev_registry, dji, RiskNoticeCreate.model_validate(body(municipality="GM0402")))
    session.commit()
    _end(session, ctx, dji)

    case = session.get(Case, case_id)
    assert case is not None and case.state == "closed" and case.origin == "determined"
    facts = _facts(session)
    assert facts["notice_18b"] == ("GM0402", "yes") and facts["notice_bij"] == ("GM0402", "no")
    assert facts["origin_start"] == ("GM0402", "unknown") and facts["origin_disputed"] == ("GM0402", "yes")


def test_a_case_closing_without_origin_is_counted_for_the_region(session, ctx, dji, open_case):
    case_id = open_case(municipality=None)
    _end(session, ctx, dji)

    case = session.get(Case, case_id)
    assert case is not None and case.state == "closed" and case.municipality is None
    facts = _facts(session)
    assert facts["case"] == (NO_ORIGIN, "closed") and facts["origin_start"] == (NO_ORIGIN, "unknown")
    assert facts["origin_disputed"] == (NO_ORIGIN, "no") and facts["notice_18b"] == (NO_ORIGIN, "no")
