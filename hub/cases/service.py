"""The coordinator's view of cases and its steps in their lifecycle. Testable without HTTP.

A coordinator sees only the cases of its own region: every read goes through `get_case_in_region`, which
answers 404 both for an unknown id and for another region's case, so existence does not leak. Every read of
identifying data is a disclosure, recorded in the disclosure log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import structlog
from sqlmodel import Session

from hub.audit import events
from hub.audit.trace import TraceContext
from hub.auth.principal import Caller
from hub.cases import repository
from hub.cases.errors import CaseClosedForReading, EvaluationAlreadyRecorded, ReadRefused
from hub.cases.lifecycle import CaseEventType, allowed_events, transition
from hub.cases.models import Case, CaseEvent, CaseState, Consent, Risk
from hub.cases.schemas import (
    CaseClosed,
    CoordinatorEvent,
    EvaluationRecorded,
    PlanRecorded,
    VisitRecorded,
    WeighingRecorded,
)
from hub.crypto.envelope import Envelope
from hub.errors import LoggedRefusal, NotFound, ValidationFailed
from hub.monitoring import facts as monitoring
from hub.pagination import PageParams, Slice, paginate
from hub.policy import enforcement
from hub.policy.catalogue import schema_errors
from hub.policy.pdp import PolicyDecisionPoint
from hub.policy.pep import Decision, Denial
from hub.policy.register import Register

log = structlog.get_logger(__name__)

IDENTITY, INFORMATION_SHEET, PLAN = "identity", "information_sheet", "plan"


class CaseFollower(Protocol):
    """Called in the transaction of a change of a case's consent, risk, state or detention end, after the
    change (the exchange decides the open requests on the case again: hub.exchange.service.follow). Flushes only."""

    def __call__(self, session: Session, ctx: CaseContext, case: Case, by: Caller, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class CaseContext:
    """What case services need besides the session: keys, the activity register, the trace, and who follows
    the case's changes (None only where no exchange runs: the cases capability's own tests)."""

    envelope: Envelope
    pseudonym_key: str
    register: Register
    trace: TraceContext | None = None
    follow: CaseFollower | None = None


def follow_change(
    session: Session, ctx: CaseContext, case: Case, before: dict[str, Any], by: Caller, at: datetime
) -> None:
    """When the facts the policy decides on (`case_facts`: state, consent, risk, detention end, ...) differ
    from `before`, whoever follows the case decides again, in this transaction."""
    if ctx.follow is not None and case_facts(case) != before:
        ctx.follow(session, ctx, case, by, at)


@dataclass(frozen=True, slots=True)
class SubjectIdentity:
    bsn: str
    name: str
    birth_date: date


# -- reading -------------------------------------------------------------------------------------------


def get_case(session: Session, case_id: str) -> Case | None:
    return repository.get(session, case_id)


def get_case_in_region(session: Session, case_id: str, region: str | None, *, lock: bool = False) -> Case:
    """The case, when it belongs to `region`; otherwise 404, the same as for an unknown id. `lock`: read under
    a row lock (repository.get)."""
    return case_in_region(repository.get(session, case_id, lock=lock), region)


def case_in_region(case: Case | None, region: str | None) -> Case:
    """`case` (already read), when it belongs to `region`; otherwise the 404 of `get_case_in_region`."""
    if case is None or region is None or case.region != region:
        raise NotFound("Deze casus bestaat niet of valt buiten uw regio.")
    return case


def case_facts(case: Case) -> dict[str, Any]:
    """The `case` object of the policy's request input (docs/ARCHITECTURE.md)."""
    return {
        "state": case.state,
        "region": case.region,
        "municipality": case.municipality,  # None while the origin is unknown
        "origin": case.origin,  # notified | determined | unknown | disputed (hub.origin.service)
        "consent": case.consent,
        "risk": case.risk,
        "detention_ended": case.detention_ended_on is not None,
    }


def requester_facts(caller: Caller) -> dict[str, Any]:
    """The `requester` object of a read rule's input (dt.notice_read, dt.origin_read)."""
    partner = caller.partner
    return {"role": partner.role, "oin": partner.oin, "region": partner.region, "municipality": partner.municipality}


def list_cases(
    session: Session,
    caller: Caller,
    params: PageParams,
    *,
    state: CaseState | None = None,
    municipality: str | None = None,
) -> Slice[Case]:
    """The cases of the caller's region, newest first."""
    region = caller.partner.region
    if region is None:
        return Slice(rows=[], next_cursor=None)
    statement = repository.in_region(region, state=state.value if state else None, municipality=municipality)
    return paginate(session, statement, (Case.created_at, Case.id), params)


def case_detail(session: Session, caller: Caller, case_id: str) -> tuple[Case, list[str], list[str]]:
    """The case, its related cases (same person, same region) and the events its state accepts."""
    case = get_case_in_region(session, case_id, caller.partner.region)
    return case, repository.related_ids(session, case), allowed_events(CaseState(case.state))


def case_timeline(session: Session, caller: Caller, case_id: str, params: PageParams) -> Slice[CaseEvent]:
    case = get_case_in_region(session, case_id, caller.partner.region)
    return paginate(session, repository.timeline(case.id), (CaseEvent.at, CaseEvent.public_id), params)


def read_identity(session: Session, ctx: CaseContext, case: Case) -> SubjectIdentity:
    """Decrypt the identifying data. The CALLER records the disclosure (identity_shown)."""
    if case.identity_ciphertext is None:
        raise NotFound("Deze casus heeft geen identificerende gegevens.")
    data = ctx.envelope.decrypt_json(session, case.id, IDENTITY, case.identity_ciphertext)
    return SubjectIdentity(bsn=data["bsn"], name=data["name"], birth_date=date.fromisoformat(data["birth_date"]))


def read_plan(session: Session, ctx: CaseContext, case: Case) -> dict[str, Any] | None:
    """The plan (per basic condition: goal and actions), for the handover; None when there is none."""
    if case.plan_ciphertext is None:
        return None
    return ctx.envelope.decrypt_json(session, case.id, PLAN, case.plan_ciphertext)


def _decide_read(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller, case: Case, categories: list[str]
) -> Decision:
    """The policy's decision (`dt.case_read`, rules 1, 3, 4 and 7) on the coordinator's own read of these
    categories of the case; the policy, not this module, chooses the activity. When nothing is allowed the
    refusal is written to the disclosure log, then refused (409 for a closed case, 403 otherwise) with a
    LoggedRefusal: the unit of work commits the record. The steps are hub.policy.enforcement's."""
    decision = enforcement.decide_read(
        pdp,
        {
            "requester": {"role": caller.partner.role, "oin": caller.partner.oin, "region": caller.partner.region},
            "categories": categories,
            "case": case_facts(case),
        },
    )
    return enforcement.release_only_allowed(
        decision,
        record_refusal=lambda refused: _log_read_refused(session, ctx, caller, case, refused),
        refused=_read_refused,
    )


def _log_read_refused(session: Session, ctx: CaseContext, caller: Caller, case: Case, decision: Decision) -> None:
    events.refused_to(
        session, caller, subject_pseudonym=case.subject_pseudonym, trace=ctx.trace, decision=decision, case_id=case.id
    )
    session.flush()
    log.info(
        "case.read_refused",
        case_id=case.id,
        decision_id=decision.decision_id,
        withheld=sorted(decision.denied),
        reasons=sorted({d.reason for d in decision.denied.values()}),
    )


def _read_refused(decision: Decision, denial: Denial | None) -> LoggedRefusal:
    if denial is not None and decision.refusal is not None and denial.reason == "case_closed":
        return CaseClosedForReading(
            denial.explanation_nl,  # the policy's own Dutch reason, as the screen shows it
            rule="case_closed",
            decision_id=decision.decision_id,
        )
    if denial is None:  # a refusal without a reason: the policy allowed nothing and said nothing
        return ReadRefused(
            "Het beleid staat deze inzage niet toe.", rule="nothing_allowed", decision_id=decision.decision_id
        )
    return ReadRefused(denial.explanation_nl, rule=denial.reason, decision_id=decision.decision_id)


def show_identity(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller, case_id: str
) -> SubjectIdentity:
    """The identifying data for the coordinator, when the policy allows it; logged as `identity_shown`
    (with the decision) before it is returned."""
    case = get_case_in_region(session, case_id, caller.partner.region)
    decision = _decide_read(session, ctx, pdp, caller, case, [IDENTITY])
    identity = read_identity(session, ctx, case)
    events.identity_shown(
        session,
        subject_pseudonym=case.subject_pseudonym,
        trace=ctx.trace,
        decision=decision,
        case_id=case.id,
        to_oin=caller.partner.oin,
        to_actor=caller.actor,
        categories_released=[IDENTITY],
    )
    session.flush()
    log.info("case.identity_shown", case_id=case.id, decision_id=decision.decision_id, released=[IDENTITY])
    return identity


def show_information_sheet(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller, case_id: str
) -> dict[str, Any]:
    """DJI's information sheet for the coordinator: only the basic conditions the policy allows; logged as
    `data_read` with the decision, the categories released and those withheld. Returns the released
    `conditions` and, per condition withheld, the policy's reason and Dutch explanation (`withheld`)."""
    case = get_case_in_region(session, case_id, caller.partner.region)
    if case.information_sheet_ciphertext is None:
        raise NotFound("Deze casus heeft geen informatieblad.")
    sheet = ctx.envelope.decrypt_json(session, case.id, INFORMATION_SHEET, case.information_sheet_ciphertext)
    decision = _decide_read(session, ctx, pdp, caller, case, sorted(sheet["conditions"]))
    released = enforcement.allowed_part(sheet["conditions"], decision)
    withheld = sorted(decision.denied)
    events.data_read(
        session,
        subject_pseudonym=case.subject_pseudonym,
        trace=ctx.trace,
        decision=decision,
        case_id=case.id,
        to_oin=caller.partner.oin,
        to_actor=caller.actor,
        categories_released=sorted(released),
        categories_withheld=withheld,
        denial_reasons={c: d.reason for c, d in decision.denied.items()},
    )
    session.flush()
    log.info(
        "case.information_sheet_shown",
        case_id=case.id,
        decision_id=decision.decision_id,
        released=sorted(released),
        withheld=withheld,
    )
    explained = {c: {"reason": d.reason, "explanation": d.explanation_nl} for c, d in decision.denied.items()}
    return {"conditions": released, "withheld": explained}


# -- the coordinator's steps ---------------------------------------------------------------------------


def _start_conditions(session: Session, ctx: CaseContext, case: Case) -> dict[str, Any]:
    """The information sheet's conditions (status per basic condition at the start), for the statistics."""
    if case.information_sheet_ciphertext is None:
        return {}
    sheet = ctx.envelope.decrypt_json(session, case.id, INFORMATION_SHEET, case.information_sheet_ciphertext)
    return dict(sheet.get("conditions") or {})


def record_event(
    session: Session, ctx: CaseContext, caller: Caller, case_id: str, event: CoordinatorEvent
) -> tuple[Case, CaseEvent]:
    """Apply one coordinator event through the transition table and put it on the timeline. The case is read under
    a row lock: a change of it at the same time (DJI's end of detention, another step) waits, or is read here."""
    case = get_case_in_region(session, case_id, caller.partner.region, lock=True)
    before = case_facts(case)
    kind = CaseEventType(event.type)
    consent: Consent | None = None
    risk: Risk | None = None
    payload: dict[str, Any] = {}
    if isinstance(event, VisitRecorded):
        if event.visited_on < case.detention_started_on:
            raise ValidationFailed("Het bezoek kan niet voor het begin van de detentie liggen.", field="visited_on")
        payload = {"visited_on": event.visited_on.isoformat()}
    elif isinstance(event, WeighingRecorded):
        consent, risk = event.consent, event.risk
        payload = {"consent": consent.value, "risk": risk.value}
    elif isinstance(event, PlanRecorded):
        errors = schema_errors("plan", event.plan, "plan")  # the catalogue category
        if errors:
            raise ValidationFailed(
                "Het plan voldoet niet aan het schema in: " + ", ".join(e["field"] for e in errors) + ".", errors=errors
            )
        payload = {"domains": sorted({action["domain"] for action in event.plan["actions"]})}
    elif isinstance(event, CaseClosed):
        payload = {"reason": event.reason.value}
    elif isinstance(event, EvaluationRecorded) and monitoring.already_written(session, case.id, "evaluation"):
        raise EvaluationAlreadyRecorded("De evaluatie van deze casus is al vastgelegd.", rule="evaluation_once")
    entry = transition(session, case, kind, caller, payload=payload, consent=consent, risk=risk)
    if isinstance(event, PlanRecorded):  # stored only once the table allowed the step
        case.plan_ciphertext = ctx.envelope.encrypt_json(session, case.id, PLAN, event.plan)
        session.add(case)
    if isinstance(event, EvaluationRecorded):  # final: into the anonymous statistics, in this transaction
        start = _start_conditions(session, ctx, case)
        after = {c.value: s.value for c, s in event.conditions.items()}
        monitoring.write(session, case, "evaluation", monitoring.evaluation_facts(start, after))
    follow_change(session, ctx, case, before, caller, entry.at)
    session.flush()
    return case, entry
