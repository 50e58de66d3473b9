"""The municipality of origin as a fact with a history (issue 16, part 2). Testable without HTTP.

DJI may not know where a person comes from (`municipality: null`): the case then opens with the ZVH of the
prison's region (hub/reference/prisons.csv), its origin `unknown`. The coordinator determines the municipality
by a rule of the samenwerkingsmodel nazorg (the register in policies/dt/origin); the determined municipality's
social domain may contest it once, with a reason from the same register; the case is then `disputed` and the
coordinator decides again. Every step is a timeline event (who, when, which rule) and a disclosure-log record
(`origin_determined`, `origin_contested`: who, for whom; nothing is disclosed).

The policy reads the status (`case.origin` in the request input): while the origin is unknown or disputed,
requests and handovers to a municipality wait (reasons `origin_unknown`, `origin_disputed`). A change of status
or municipality is a change of the case's facts, so the open requests on the case are decided again in the same
transaction (hub.exchange.service.follow): an open request to a municipality is withdrawn with the policy's
reason and kept as it was, never moved to another municipality; answered requests stay as they are. New
requests and the handover go to the municipality that holds then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlmodel import Session

from hub.audit import events
from hub.audit.models import AuditRecord
from hub.auth.principal import Caller
from hub.auth.registry import Registry
from hub.cases.lifecycle import CaseEventType
from hub.cases.models import Case, CaseEvent, CaseState, Origin
from hub.cases.service import (
    CaseContext,
    case_facts,
    follow_change,
    get_case,
    get_case_in_region,
    requester_facts,
)
from hub.errors import NotFound, ValidationFailed
from hub.origin import repository
from hub.origin.errors import OriginConflict
from hub.origin.schemas import OriginContest, OriginDetermine
from hub.policy import enforcement
from hub.policy.origin_register import OriginRegister
from hub.policy.pdp import PolicyDecisionPoint
from hub.reference import municipalities, prison_region

log = structlog.get_logger(__name__)

SETTLED = frozenset({Origin.notified.value, Origin.determined.value})
DETENTION = "detention"  # the category of the prison and the date detention started (DJI's notification)


@dataclass(frozen=True, slots=True)
class Opening:
    """Where a new case goes, and the status of its origin."""

    region: str
    origin: Origin
    open_since: datetime | None


def opening(caller: Caller, municipality: str | None, now: datetime) -> Opening:
    """The region and origin of a case DJI opens: the municipality's region, or, when DJI does not know the
    municipality, the region of the sending establishment (422 naming `municipality` when there is none)."""
    if municipality is not None:
        place = municipalities().get(municipality)
        if place is None:
            raise ValidationFailed(f"Onbekende gemeente (CBS-code {municipality}).", field="municipality")
        return Opening(place.region, Origin.notified, None)
    region = prison_region(caller.partner.oin)
    if region is None:
        raise ValidationFailed(
            "De gemeente van herkomst ontbreekt en voor deze inrichting is geen regio bekend; noem de gemeente.",
            field="municipality",
            rule="prison_without_region",
        )
    return Opening(region, Origin.unknown, now)


# -- the coordinator determines ---------------------------------------------------------------------------


def determine(
    session: Session,
    ctx: CaseContext,
    caller: Caller,
    registry: Registry,
    register: OriginRegister,
    case_id: str,
    data: OriginDetermine,
) -> tuple[Case, CaseEvent]:
    """Determine the municipality of origin of an own case whose origin is unknown or disputed."""
    case = _locked(session, get_case_in_region(session, case_id, caller.partner.region))
    if data.reason not in register.reasons:
        raise ValidationFailed("Deze reden staat niet in het register van het samenwerkingsmodel.", field="reason")
    place = municipalities().get(data.municipality)
    if place is None:
        raise ValidationFailed(f"Onbekende gemeente (CBS-code {data.municipality}).", field="municipality")
    if place.region != case.region:
        raise ValidationFailed(
            "Deze gemeente valt buiten de regio van de casus.", field="municipality", rule="municipality_other_region"
        )
    _check_open(case)
    if case.origin in SETTLED:
        raise OriginConflict(
            "De gemeente van herkomst staat vast; de coördinator stelt haar alleen vast als zij onbekend of "
            "betwist is.",
            rule="origin_settled",
        )
    now = datetime.now(UTC)
    before = case_facts(case)
    entry = _timeline(
        case,
        caller,
        CaseEventType.origin_determined,
        now,
        {"municipality": data.municipality, "previous": case.municipality, "reason": data.reason},
    )
    case.municipality = data.municipality
    case.origin = Origin.determined.value
    case.origin_reason = data.reason
    case.origin_determination_id = entry.public_id
    case.origin_open_since = None
    _store(session, case, entry, now)
    social = registry.find_municipal("municipal_social", data.municipality)
    _log(session, ctx, case, caller, events.origin_determined, social.oin if social else None, now)
    follow_change(session, ctx, case, before, caller, now)
    session.flush()
    log.info("case.origin_determined", case_id=case.id, reason=data.reason)  # the municipality is a case fact: not here
    return case, entry


# -- a municipality contests --------------------------------------------------------------------------------


def contest(
    session: Session,
    ctx: CaseContext,
    caller: Caller,
    registry: Registry,
    register: OriginRegister,
    determination_id: str,
    data: OriginContest,
) -> tuple[Case, CaseEvent]:
    """The determined municipality's social domain contests the current determination, once per case."""
    found = repository.determination(session, determination_id)
    case = get_case(session, found.case_id) if found is not None else None
    # Another municipality's determination answers exactly as an unknown id (docs: the authorization matrix):
    # which municipality a person was placed in is not for its neighbours to learn.
    if (
        found is None
        or case is None
        or case.region != caller.partner.region
        or found.payload.get("municipality") != caller.partner.municipality
    ):
        raise NotFound("Deze vaststelling bestaat niet of noemt een andere gemeente.")
    if data.reason not in register.contest_reasons:
        raise ValidationFailed("Deze reden staat niet in het register van het samenwerkingsmodel.", field="reason")
    case = _locked(session, case)
    _check_open(case)
    if case.origin_determination_id != found.public_id:
        raise OriginConflict(
            "De coördinator heeft de herkomst intussen opnieuw vastgesteld; deze vaststelling geldt niet meer.",
            rule="determination_superseded",
        )
    if repository.contested_by(session, case.id, caller.partner.oin):
        raise OriginConflict(
            "Uw gemeente heeft de herkomst van deze casus al betwist; de coördinator beslist.",
            rule="already_contested",
        )
    now = datetime.now(UTC)
    before = case_facts(case)
    entry = _timeline(
        case,
        caller,
        CaseEventType.origin_contested,
        now,
        {"municipality": case.municipality, "reason": data.reason, "determination_id": found.public_id},
    )
    case.origin = Origin.disputed.value
    case.origin_open_since = now
    _store(session, case, entry, now)
    coordinator = next(
        (p for p in registry if p.role == "zvh_coordinator" and p.region == case.region),
        None,
    )
    _log(session, ctx, case, caller, events.origin_contested, coordinator.oin if coordinator else None, now)
    follow_change(session, ctx, case, before, caller, now)
    session.flush()
    log.info("case.origin_contested", case_id=case.id, reason=data.reason)  # nor the contesting municipality
    return case, entry


def determinations_for(session: Session, caller: Caller) -> list[tuple[Case, CaseEvent, bool]]:
    """The current determinations naming the caller's municipality (open cases of its region), newest first,
    each with whether the caller already contested that case's origin."""
    if caller.partner.region is None or caller.partner.municipality is None:
        return []
    found = repository.determined_for(session, caller.partner.region, caller.partner.municipality)
    return [(case, entry, repository.contested_by(session, case.id, caller.partner.oin)) for case, entry in found]


@dataclass(frozen=True, slots=True)
class ShownDetermination:
    """A determination as its municipality sees it: the prison and detention date only when the policy allowed
    the category `detention` (`withheld` holds the policy's Dutch explanation when it did not)."""

    case: Case
    entry: CaseEvent
    contested: bool
    detention_shown: bool
    withheld: str | None


def show_determinations(
    session: Session, ctx: CaseContext, pdp: PolicyDecisionPoint, caller: Caller
) -> list[ShownDetermination]:
    """The current determinations naming the caller's municipality, each with the prison and detention date
    when the policy (dt.origin_read) allows them: a disclosure of criminal data (AVG art. 10), so every one
    shown is logged as `data_read` and every one withheld as a refusal, in this transaction, before the
    caller renders anything. A policy engine that cannot decide is a 503 (nothing shown)."""
    shown = []
    for case, entry, contested in determinations_for(session, caller):
        decision = enforcement.decide_origin(pdp, _origin_read_input(caller, case))
        if DETENTION in decision.allowed:
            events.data_read(
                session,
                subject_pseudonym=case.subject_pseudonym,
                trace=ctx.trace,
                decision=decision,
                case_id=case.id,
                to_oin=caller.partner.oin,
                to_actor=caller.actor,
                categories_released=[DETENTION],
            )
            shown.append(ShownDetermination(case, entry, contested, True, None))
            continue
        events.refused_to(
            session,
            caller,
            subject_pseudonym=case.subject_pseudonym,
            trace=ctx.trace,
            decision=decision,
            case_id=case.id,
        )
        denial = enforcement.first_denial(decision)
        shown.append(ShownDetermination(case, entry, contested, False, denial.explanation_nl if denial else None))
    session.flush()
    log.info(
        "case.origin_determinations_shown",
        shown=sum(s.detention_shown for s in shown),
        withheld=sum(not s.detention_shown for s in shown),
    )
    return shown


def _origin_read_input(caller: Caller, case: Case) -> dict[str, object]:
    """The policy input of showing a determination's detention facts (dt.origin_read)."""
    return {"requester": requester_facts(caller), "categories": [DETENTION], "case": case_facts(case)}


def contestable_count(session: Session, caller: Caller) -> int:
    """How many current determinations name the caller's municipality and are not contested by it yet (0 for
    anyone but a municipality's social domain): the inbox points to them."""
    if caller.partner.role != "municipal_social":
        return 0
    return sum(
        1 for case, _, contested in determinations_for(session, caller) if not contested and case.origin != "disputed"
    )


# -- the work queue's signal --------------------------------------------------------------------------------


def unsettled_too_long(session: Session, region: str | None, days: int, now: datetime) -> list[Case]:
    """Open cases of `region` that have had no undisputed municipality of origin for `days` days or more."""
    if region is None:
        return []
    return repository.origin_open_before(session, region, now - timedelta(days=days))


# -- helpers ------------------------------------------------------------------------------------------------


def _locked(session: Session, case: Case) -> Case:
    """The case read again under a row lock (PostgreSQL; SQLite's transactions are serial already), so that two
    steps at once cannot both pass the status checks below."""
    session.refresh(case, with_for_update=True)
    return case


def _check_open(case: Case) -> None:
    if case.state == CaseState.closed.value:
        raise OriginConflict("De casus is gesloten; de herkomst verandert niet meer.", rule="case_closed")


def _timeline(case: Case, by: Caller, kind: CaseEventType, at: datetime, payload: dict[str, str | None]) -> CaseEvent:
    return CaseEvent(
        case_id=case.id,
        type=kind.value,
        actor=by.actor,
        organisation_oin=by.partner.oin,
        at=at,
        from_state=case.state,
        to_state=case.state,
        payload=payload,
    )


def _log(
    session: Session,
    ctx: CaseContext,
    case: Case,
    by: Caller,
    event: Callable[..., AuditRecord],
    to_oin: str | None,
    at: datetime,
) -> None:
    """The disclosure-log record of an origin step: who (`by`), for whom (`to_oin`), under the activity that
    makes the hub hold the case (reintegration). Nothing is disclosed; the rule applied is on the timeline."""
    event(
        session,
        subject_pseudonym=case.subject_pseudonym,
        trace=ctx.trace,
        activity=ctx.register.get("reintegration").ref,
        case_id=case.id,
        from_oin=by.partner.oin,
        from_actor=by.actor,
        to_oin=to_oin,
        event_time=at,
    )


def _store(session: Session, case: Case, entry: CaseEvent, now: datetime) -> None:
    case.updated_at = now
    session.add(case)
    session.add(entry)
    session.flush()
