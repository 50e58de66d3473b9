"""The notices' service without HTTP: a notice for a municipality without mandate outlives the ZVH's case for
its security domain, until retention destroys the case's risk_assessment key with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases import notifications
from hub.cases.models import Case
from hub.cases.retention import run_retention
from hub.cases.schemas import DetentionEndedCreate
from hub.config import Settings
from hub.crypto.envelope import ContentDestroyed
from hub.errors import HubError
from hub.notices import service
from hub.notices.schemas import RiskNoticeCreate
from hub.policy.pdp import EmbeddedPDP
from tests.cases.conftest import BSN
from tests.notices.test_api import TEXT, body


@pytest.fixture
def pdp(settings: Settings) -> EmbeddedPDP:
    return EmbeddedPDP(settings.policies_dir)


def _reads(session: Session) -> int:
    return len(list(session.exec(select(AuditRecord).where(AuditRecord.event_type == "data_read"))))


def test_the_security_domain_reads_after_the_case_closed_until_retention(
    engine,
    session,
    ctx,
    dji,
    open_case,
    dev_registry,
    make_caller,
    pdp,
) -> None:
    case_id = open_case(municipality="GM0406")
    notice = service.receive(
        session, ctx, dev_registry, dji, RiskNoticeCreate.model_validate(body(municipality="GM0406"))
    )
    assert notice.result.case_id == case_id and notice.result.delivered_to == "municipal_security"
    ended = DetentionEndedCreate(
        notification_id="PI-NWG-2", started_notification_id="PI-NWG-1", bsn=BSN, ended_on="2027-01-15"
    )
    notifications.detention_ended(session, ctx, dji, ended)  # no consent: the case closes
    session.commit()
    case = session.get(Case, case_id)
    assert case is not None and case.state == "closed"

    huizen = make_caller("gm0406-security", actor="veiligheid-2")
    assert service.read_in_inbox(session, ctx, pdp, huizen, notice.result.id).text == TEXT
    coordinator = make_caller("zvh-gooi-en-vechtstreek", actor="regisseur-1")
    with pytest.raises(HubError) as refused:
        service.read_on_case(session, ctx, pdp, coordinator, case_id, notice.result.id)
    assert refused.value.extra["rule"] == "case_closed"
    session.commit()

    run_retention(engine, ctx.register, now=case.closed_at + timedelta(days=366))
    session.expire_all()
    reads = _reads(session)
    with pytest.raises(ContentDestroyed):
        service.read_in_inbox(session, ctx, pdp, huizen, notice.result.id)
    assert _reads(session) == reads  # nothing read, nothing recorded as read
