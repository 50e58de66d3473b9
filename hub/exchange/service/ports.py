"""The exchange's seams to the other capabilities: the case (hub.cases), the catalogue and register
(hub.policy), in one place, so that the services read as the exchange's own rules.

Nothing here decides: look-ups, the facts the policy needs, and the calls into the case lifecycle.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from hub.auth.principal import Caller
from hub.cases import service as cases
from hub.cases.lifecycle import CaseEventType, transition
from hub.cases.models import Case, CaseState
from hub.errors import NotFound
from hub.exchange.schemas import SubjectIdentity
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.facts import REQUEST, request_input
from hub.policy import catalogue, enforcement, register
from hub.policy.pep import Decision
from hub.policy.register import ActivityRef

# -- catalogue and register ---------------------------------------------------------------------------


def known_category(category: str) -> bool:
    return category in catalogue.get_catalogue().categories


def known_activity(activity: str) -> bool:
    return activity in register.get_register().activities


def activity_direction(activity: str) -> str:
    """The register's direction of a known activity: "request" or "provide"."""
    return register.get_register().get(activity).direction


def category_schema(category: str) -> dict[str, Any]:
    return catalogue.schema_for(category)


def schema_errors(category: str, value: Any, field: str) -> list[dict[str, str]]:
    return catalogue.schema_errors(category, value, field)


def activity_ref(activity_id: str, version: str | None = None) -> ActivityRef:
    """The register's entry for an activity, as the log records it (the version the request was made under)."""
    ref = register.activity(activity_id).ref
    if version is not None and version != ref.version:
        return ActivityRef(ref.id, version, ref.name, ref.legal_basis, ref.retention_days, ref.confidentiality)
    return ref


# -- the case ------------------------------------------------------------------------------------------


def coordinator_case(session: Session, caller: Caller, case_id: str, *, lock: bool = False) -> Case:
    """The case, only for a coordinator of its region; 404 for anyone else (they learn nothing). `lock`: read
    under a row lock until the transaction ends."""
    _coordinator_region(caller)
    return cases.get_case_in_region(session, case_id, caller.partner.region, lock=lock)


def coordinator_case_read(caller: Caller, case: Case | None) -> Case:
    """`coordinator_case` for a case already read (with the row that names it): the same 404s."""
    return cases.case_in_region(case, _coordinator_region(caller))


def _coordinator_region(caller: Caller) -> str:
    if not caller.partner.region:
        raise NotFound("Deze casus bestaat niet of valt niet onder uw regio.")
    return caller.partner.region


def case_of(session: Session, case_id: str) -> Case:
    case = cases.get_case(session, case_id)
    if case is None:  # a request always has its case (foreign key); this is a broken database
        raise NotFound("De casus bij dit verzoek bestaat niet.")
    return case


def case_facts(session: Session, case: Case) -> dict[str, Any]:
    """The case as the request policy sees it (docs/ARCHITECTURE.md)."""
    return cases.case_facts(case)


def start_screening(session: Session, ctx: ExchangeContext, case: Case) -> None:
    """The first enrichment request on a notified case starts its screening (the lifecycle's step)."""
    if case.state == CaseState.notified:
        transition(session, case, CaseEventType.screening_started, ctx.caller, at=ctx.now)


def subject_identity(session: Session, ctx: ExchangeContext, case: Case) -> SubjectIdentity:
    """Name, date of birth and BSN, decrypted from the case (shown in a body only; the caller logs it)."""
    identity = cases.read_identity(session, _case_context(ctx), case)
    return SubjectIdentity(bsn=identity.bsn, name=identity.name, birth_date=identity.birth_date)


def case_plan(session: Session, ctx: ExchangeContext, case: Case) -> dict[str, Any] | None:
    return cases.read_plan(session, _case_context(ctx), case)


def _case_context(ctx: ExchangeContext) -> cases.CaseContext:
    key = ctx.settings.pseudonym_key
    return cases.CaseContext(
        envelope=ctx.envelope,
        pseudonym_key=key.get_secret_value() if key else "",
        register=register.get_register(ctx.settings.policies_dir),
        trace=ctx.trace,
    )


def handover_sent(session: Session, ctx: ExchangeContext, case: Case) -> None:
    transition(session, case, CaseEventType.handover_sent, ctx.caller, at=ctx.now)


def close_case(session: Session, ctx: ExchangeContext, case: Case) -> None:
    """The municipality acknowledged the handover: the case closes through the lifecycle's table."""
    transition(session, case, CaseEventType.handover_acknowledged, ctx.caller, at=ctx.now)


# -- the policy -----------------------------------------------------------------------------------------


def decide(ctx: ExchangeContext, facts: dict[str, Any]) -> Decision:
    """The policy's decision on a request or handover. An engine that could not decide (failed, timed out,
    gave a malformed answer) is no refusal to store: the enforcement point raises 503 `policy_unavailable`,
    nothing is stored, and the partner may simply try again."""
    return enforcement.decide_release(ctx.pdp, facts)


# -- the policy, again on every release ------------------------------------------------------------------


def decide_now(
    ctx: ExchangeContext,
    session: Session,
    case: Case,
    *,
    requester_oin: str,
    responder_oin: str,
    activity: str,
    categories: list[str],
    exchange: str,
) -> Decision:
    """The decision on a stored request or handover (its parties, activity and categories) taken again for
    the case as it is now, with the same input request creation builds (`request_input`).

    Every release path asks this: if consent was withdrawn, the case closed or the policy changed since the
    request was made, the policy may no longer allow what it allowed then. A policy that could not decide
    is a 503 (`decide`): nothing is released.
    """
    requester, responder = ctx.registry.by_oin(requester_oin), ctx.registry.by_oin(responder_oin)
    if requester is None or responder is None:
        raise NotFound("Een organisatie bij dit verzoek is niet meer bekend bij de hub.")
    facts = case_facts(session, case)
    return decide(ctx, request_input(requester, responder, activity, list(categories), facts, exchange=exchange))


def decide_again(ctx: ExchangeContext, case: Case, session: Session, request: Any) -> Decision:
    """The request decision taken again now, for the categories allowed when it was made."""
    return decide_now(
        ctx,
        session,
        case,
        requester_oin=request.requester_oin,
        responder_oin=request.responder_oin,
        activity=request.activity_id,
        categories=list(request.categories_allowed),
        exchange=REQUEST,
    )


def catalogue_fields(category: str) -> frozenset[str]:
    """The field names the catalogue defines for a (known) category."""
    return catalogue.get_catalogue().get(category).fields


def answer_filter(
    ctx: ExchangeContext, session: Session, case: Case, request: Any, values: dict[str, dict[str, Any]]
) -> tuple[Decision, dict[str, dict[str, Any]], list[dict]]:
    """The decision taken again, the released values per category, and what the policy withheld
    ({category, field, reason}). The caller hands in only catalogue categories and catalogue fields."""
    requester, responder = ctx.registry.by_oin(request.requester_oin), ctx.registry.by_oin(request.responder_oin)
    if requester is None or responder is None:
        raise NotFound("Een organisatie bij dit verzoek is niet meer bekend bij de hub.")
    facts = request_input(
        requester,
        responder,
        request.activity_id,
        list(request.categories_allowed),
        case_facts(session, case),
        exchange=REQUEST,
    )
    # One evaluation: the decision taken again now and the filter by that decision (one bundle revision).
    # An engine that cannot decide raises PolicyUnavailableError: nothing is stored.
    decision, result = enforcement.decide_and_filter_release(ctx.pdp, facts, values)
    released = {c: dict(fields) for c, fields in result.released.items()}
    withheld = [{"category": w.category, "field": w.field, "reason": w.reason} for w in result.withheld]
    return decision, released, withheld
