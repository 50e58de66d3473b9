"""DJI's risk notices (Pbw art. 18b, BIJ; issue 16): receiving one, and reading its text under the policy.

Receiving. The notice is for the mayor of `municipality`. The registry records per municipality whether the
mayor has mandated the region's ZVH to receive these notices (hub.auth.registry `zvh_mandate`):

- mandated: the notice goes to the coordinator's case for the person in that region (a case is opened when
  none is open), and the case's risk becomes *signalled by DJI* until the weighing sets it;
- not mandated: the notice goes to the municipality's security domain. It still hangs on the person's case in
  the region (opened when none is open), where the coordinator sees that it exists, never its text; the
  case's risk stays as it is.

Either way the notice is an event on the case's timeline, its text is encrypted under the case's
`risk_assessment` data key, and its arrival is logged as `data_received` (category `risk_notices`). The notice
id is DJI's name for the fact: a repeat with the same body gets the first answer, another body a 409 naming
the first field that differs (compared by keyed HMAC per field; the body holds a BSN).

A case opened by a notice has no identity or information sheet yet: its establishment is the sender's and its
detention date is the notice's date (the earliest date the hub knows the person was detained).

Reading. The text is a disclosure under `risk_assessment`: the policy (dt.notice_read) decides every read,
for the coordinator on the case and for the security domain from its own list; the read is logged
(`risk_notice_read`) before the text is returned, and a refusal is logged as `request_refused`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime

import rfc8785
import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hub.audit import events
from hub.auth.principal import Caller
from hub.auth.registry import Registry
from hub.cases.lifecycle import CaseEventType
from hub.cases.models import Case, CaseEvent, Risk
from hub.cases.service import CaseContext, case_facts, follow_change, get_case_in_region, requester_facts
from hub.crypto.pseudonym import is_valid_bsn, pseudonymise
from hub.errors import LoggedRefusal, NotFound, ValidationFailed
from hub.notices import repository
from hub.notices.errors import NoticeConflict, NoticeReadRefused
from hub.notices.models import RISK_CATEGORY, RISK_SCOPE, RiskNotice
from hub.notices.schemas import BODY_FIELDS, RiskNoticeCreate, RiskNoticeResult
from hub.pagination import PageParams, Slice, paginate
from hub.policy import enforcement
from hub.policy.pdp import PolicyDecisionPoint
from hub.policy.pep import Decision, Denial
from hub.reference import region_of

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Received:
    result: RiskNoticeResult
    created: bool  # False: a repeat, answered from the first time


@dataclass(frozen=True, slots=True)
class NoticeText:
    notice: RiskNotice
    text: str
    decision: Decision


# -- receiving ---------------------------------------------------------------------------------------------


def receive(session: Session, ctx: CaseContext, registry: Registry, caller: Caller, data: RiskNoticeCreate) -> Received:
    """Store DJI's notice on the person's case and route it by the mayor's mandate (or replay the first answer)."""
    digests = _field_digests(ctx, data)
    repeat = _repeat(session, caller, data.notice_id, digests)
    if repeat is not None:
        return repeat
    region = _validate(data)
    now = datetime.now(UTC)
    pseudonym = pseudonymise(data.bsn, ctx.pseudonym_key)
    mandated = registry.zvh_mandated(data.municipality)
    case = repository.open_case_of(session, pseudonym, region)
    opened = case is None
    if case is None:
        case = _open_case(session, caller, data, region, pseudonym, now)
    before = case_facts(case)
    notice = RiskNotice(
        sender_oin=caller.partner.oin,
        notice_id=data.notice_id,
        kind=data.kind.value,
        municipality=data.municipality,
        region=region,
        issued_on=data.issued_on,
        mandated=mandated,
        case_id=case.id,
        subject_pseudonym=pseudonym,
        field_digests=digests,
        result={},
        text_ciphertext=b"",
        received_at=now,
    )
    notice.text_ciphertext = ctx.envelope.encrypt_json(session, case.id, _purpose(notice), data.text, scope=RISK_SCOPE)
    result = RiskNoticeResult(notice_id=data.notice_id, id=notice.id, case_id=case.id, delivered_to=notice.addressee)
    notice.result = result.model_dump(mode="json")
    if mandated:  # signalled by DJI until the weighing sets the risk
        case.risk = Risk.signalled.value
    case.updated_at = now
    session.add(case)
    session.add(_timeline_event(caller, case, notice, opened, now))
    session.add(notice)
    try:
        session.flush()
    except IntegrityError:  # the same notice, arriving twice at once: the other one won (all rolls back)
        session.rollback()
        repeat = _repeat(session, caller, data.notice_id, digests)
        if repeat is None:
            raise
        return repeat
    events.data_received(
        session,
        subject_pseudonym=pseudonym,
        trace=ctx.trace,
        activity=ctx.register.get(RISK_SCOPE).ref,
        case_id=case.id,
        from_oin=caller.partner.oin,
        from_actor=caller.actor,
        categories_released=[RISK_CATEGORY],
    )
    follow_change(session, ctx, case, before, caller, now)
    session.flush()
    log.info("risk_notice.received", case_id=case.id, kind=notice.kind, delivered_to=notice.addressee.value)
    return Received(result, created=True)


def _validate(data: RiskNoticeCreate) -> str:
    """The region of the notice's municipality, once the input passes every check."""
    if not is_valid_bsn(data.bsn):
        raise ValidationFailed("Het BSN voldoet niet aan de elfproef.", field="bsn")
    region = region_of(data.municipality)
    if region is None:
        raise ValidationFailed(f"Onbekende gemeente (CBS-code {data.municipality}).", field="municipality")
    if data.issued_on > date.today():
        raise ValidationFailed("De datum van de melding ligt in de toekomst.", field="issued_on")
    return region


def _open_case(
    session: Session, caller: Caller, data: RiskNoticeCreate, region: str, pseudonym: str, now: datetime
) -> Case:
    case = Case(
        region=region,
        municipality=data.municipality,
        subject_pseudonym=pseudonym,
        prison=caller.partner.name[:100],
        detention_started_on=data.issued_on,
        started_notification_id=data.notice_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    log.info("case.opened", case_id=case.id, region=region, by="risk_notice")
    return case


def _timeline_event(caller: Caller, case: Case, notice: RiskNotice, opened: bool, now: datetime) -> CaseEvent:
    """The notice on the timeline: its kind and where it went, never its text."""
    return CaseEvent(
        case_id=case.id,
        type=CaseEventType.risk_notice_received.value,
        actor=caller.actor,
        organisation_oin=caller.partner.oin,
        at=now,
        from_state=None if opened else case.state,
        to_state=case.state,
        payload={
            "risk_notice_id": notice.id,
            "kind": notice.kind,
            "delivered_to": notice.addressee.value,
            "case_opened": opened,
        },
    )


def _purpose(notice: RiskNotice) -> str:
    return f"risk_notice:{notice.id}"


def _field_digests(ctx: CaseContext, data: RiskNoticeCreate) -> dict[str, str]:
    key = hmac.new(ctx.pseudonym_key.encode(), b"dt-hub risk notice digest v1", hashlib.sha256).digest()
    body = data.model_dump(mode="json")
    return {name: hmac.new(key, rfc8785.dumps({name: body[name]}), hashlib.sha256).hexdigest() for name in BODY_FIELDS}


def _repeat(session: Session, caller: Caller, notice_id: str, digests: dict[str, str]) -> Received | None:
    stored = repository.by_sender(session, caller.partner.oin, notice_id)
    if stored is None:
        return None
    for name in BODY_FIELDS:
        if not hmac.compare_digest(str(stored.field_digests.get(name, "")), digests[name]):
            raise NoticeConflict(
                "Dit meldingsnummer is al gebruikt voor een melding met een ander " + _FIELD_NL[name] + ".",
                field=name,
                rule="notice_id_reused",
            )
    log.info("risk_notice.repeated", case_id=stored.case_id)
    return Received(RiskNoticeResult.model_validate(stored.result), created=False)


_FIELD_NL = {"kind": "soort", "bsn": "BSN", "municipality": "gemeente", "issued_on": "datum", "text": "tekst"}


# -- reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseNotices:
    notices: list[RiskNotice]
    risk_signalled_by_dji: bool  # the risk is DJI's signal until the weighing sets it


def notices_of_case(session: Session, caller: Caller, case_id: str) -> CaseNotices:
    """The notices on a case of the coordinator's region (without their text; 404 for another region)."""
    case = get_case_in_region(session, case_id, caller.partner.region)
    return CaseNotices(repository.of_case(session, case.id), signalled_by_dji(session, case))


def signalled_by_dji(session: Session, case: Case) -> bool:
    """True while the case's risk comes from a mandated notice: signalled, and no weighing after that notice."""
    last = repository.last_risk_event(session, case.id)
    return (
        case.risk == Risk.signalled.value and last is not None and last.type == CaseEventType.risk_notice_received.value
    )


def security_inbox(session: Session, caller: Caller, params: PageParams) -> Slice[RiskNotice]:
    """The notices delivered to the caller's own security domain (not mandated to the ZVH), newest first."""
    if caller.partner.role != "municipal_security" or caller.partner.municipality is None:
        return Slice(rows=[], next_cursor=None)
    statement = repository.for_municipality(caller.partner.municipality, mandated=False)
    return paginate(session, statement, (RiskNotice.received_at, RiskNotice.id), params)


def read_on_case(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller, case_id: str, notice_id: str
) -> NoticeText:
    """The coordinator reads a notice on a case of its region, when the policy allows it."""
    case = get_case_in_region(session, case_id, caller.partner.region)
    notice = repository.get(session, notice_id)
    if notice is None or notice.case_id != case.id:
        _probe_refused(caller, exists=notice is not None)
        raise NotFound("Deze melding bestaat niet of hoort niet bij deze casus.")
    return _read(session, ctx, pdp, caller, case, notice)


def read_in_inbox(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller, notice_id: str
) -> NoticeText:
    """A security domain reads a notice for its own municipality, when the policy allows it. Another
    organisation's notice answers 404, the same as an unknown id."""
    notice = repository.get(session, notice_id)
    if (
        notice is None
        or caller.partner.role != "municipal_security"
        or notice.municipality != caller.partner.municipality
    ):
        _probe_refused(caller, exists=notice is not None)
        raise NotFound("Deze melding bestaat niet of is niet voor uw organisatie.")
    case = session.get(Case, notice.case_id)
    assert case is not None  # a foreign key
    return _read(session, ctx, pdp, caller, case, notice)


def _probe_refused(caller: Caller, *, exists: bool) -> None:
    """A read of a notice that is not the caller's answers 404, the same as an unknown id. It goes to the
    application log for operations (a run of them is someone trying ids), with the reader's organisation and
    whether a notice by that id exists; never the id, the case or the person. It is no disclosure-log record:
    nothing about a person was decided or disclosed, and a record would tie a stranger's guess to the subject
    (and to their access report)."""
    log.warning(
        "risk_notice.read_not_found",
        reader_oin=caller.partner.oin,
        reader_role=caller.partner.role,
        notice_of_another=exists,
    )


def _read(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller, case: Case, notice: RiskNotice
) -> NoticeText:
    decision = enforcement.decide_notice(pdp, read_input(caller, case, notice))
    enforcement.release_only_allowed(
        decision,
        record_refusal=lambda refused: _log_refused(session, ctx, caller, notice, refused),
        refused=_refused,
    )
    text = ctx.envelope.decrypt_json(session, case.id, _purpose(notice), notice.text_ciphertext, scope=RISK_SCOPE)
    events.risk_notice_read(
        session,
        subject_pseudonym=notice.subject_pseudonym,
        trace=ctx.trace,
        decision=decision,
        case_id=case.id,
        from_oin=notice.sender_oin,
        to_oin=caller.partner.oin,
        to_actor=caller.actor,
        categories_released=[RISK_CATEGORY],
    )
    session.flush()
    log.info("risk_notice.read", case_id=case.id, decision_id=decision.decision_id, reader_role=caller.partner.role)
    return NoticeText(notice, text, decision)


def read_input(caller: Caller, case: Case, notice: RiskNotice) -> dict[str, object]:
    """The policy input of a read (dt.notice_read)."""
    return {
        "requester": requester_facts(caller),
        "categories": [RISK_CATEGORY],
        "notice": {
            "kind": notice.kind,
            "municipality": notice.municipality,
            "region": notice.region,
            "mandated": notice.mandated,
        },
        "case": case_facts(case),
    }


def _log_refused(session: Session, ctx: CaseContext, caller: Caller, notice: RiskNotice, decision: Decision) -> None:
    events.refused_to(
        session,
        caller,
        subject_pseudonym=notice.subject_pseudonym,
        trace=ctx.trace,
        decision=decision,
        case_id=notice.case_id,
        from_oin=notice.sender_oin,
    )
    session.flush()
    log.info("risk_notice.read_refused", case_id=notice.case_id, decision_id=decision.decision_id)


def _refused(decision: Decision, denial: Denial | None) -> LoggedRefusal:
    if denial is None:
        return NoticeReadRefused(
            "Het beleid staat deze inzage niet toe.", rule="nothing_allowed", decision_id=decision.decision_id
        )
    return NoticeReadRefused(denial.explanation_nl, rule=denial.reason, decision_id=decision.decision_id)
