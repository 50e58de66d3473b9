"""Enrichment requests: the coordinator asks, the policy decides per category, the log records it.

Every function takes a session and an `ExchangeContext` (who calls, the decision point, the clock) and is
testable without HTTP. The policy decides; this module enforces and records what it decided. It never
commits: the request's unit of work (hub.db) commits the request together with its disclosure-log records,
or nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlmodel import Session

from hub.auth.principal import Partner
from hub.errors import NotFound, ValidationFailed
from hub.exchange import repository
from hub.exchange.models import DataRequest
from hub.exchange.schemas import RequestCreate
from hub.exchange.service import disclosure
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.facts import REQUEST, request_input
from hub.exchange.service.ports import (
    activity_direction,
    activity_ref,
    case_facts,
    coordinator_case,
    decide,
    known_activity,
    known_category,
    start_screening,
)
from hub.pagination import PageParams, Slice, paginate
from hub.policy.pep import Decision

log = structlog.get_logger(__name__)

REQUEST_NOT_FOUND = "Dit verzoek bestaat niet of is niet van uw organisatie."


def resolve_responder(ctx: ExchangeContext, name: str) -> Partner:
    """The partner organisation named by OIN or client_id, or a 422 naming the field."""
    registry = ctx.registry
    partner = registry.by_oin(name) if name.isdigit() else registry.by_client_id(name)
    if partner is None:
        raise ValidationFailed(f"Onbekende partnerorganisatie: {name!r}.", field="responder")
    return partner


def check_vocabulary(activity: str, categories: list[str]) -> None:
    """Refuse names the register and the catalogue do not know (the policy decides on the known ones)."""
    if not known_activity(activity):
        raise ValidationFailed(f"Onbekende verwerkingsactiviteit: {activity!r}.", field="activity")
    if activity_direction(activity) != REQUEST:
        # Purpose binding: a request names an activity that requests; the handover has its own route.
        raise ValidationFailed(
            f"Onder de verwerkingsactiviteit {activity!r} wordt niets opgevraagd: een aanvraag kan alleen onder "
            "een activiteit die gegevens opvraagt.",
            field="activity",
        )
    unknown = [c for c in categories if not known_category(c)]
    if unknown:
        raise ValidationFailed(
            f"Onbekende gegevenscategorie: {', '.join(unknown)}.", field="categories", categories=unknown
        )


def create_request(session: Session, ctx: ExchangeContext, case_id: str, body: RequestCreate) -> DataRequest:
    """Decide a coordinator's request per category and store it with its log records, in one commit. The case
    is read under a row lock: a change of the case (which decides the open requests on it again) waits for
    this request, or this request waits for the change and is decided on it (hub.exchange.service.follow)."""
    case = coordinator_case(session, ctx.caller, case_id, lock=True)
    responder = resolve_responder(ctx, body.responder)
    check_vocabulary(body.activity, body.categories)
    decision = decide(
        ctx,
        request_input(
            ctx.caller.partner,
            responder,
            body.activity,
            body.categories,
            case_facts(session, case),
            exchange=REQUEST,
        ),
    )
    if decision.allowed:  # a request the policy refused whole asks nobody anything: the case stays as it is
        start_screening(session, ctx, case)
    request = _new_request(ctx, case_id, responder, body, decision)
    session.add(request)
    session.flush()
    disclosure.request_decided(session, ctx, case, request, decision)
    session.flush()
    log.info(
        "request.decided",
        request_id=request.id,
        allowed=len(request.categories_allowed),
        denied=len(request.categories_denied),
        decision_id=decision.decision_id,
    )
    return request


def _new_request(
    ctx: ExchangeContext, case_id: str, responder: Partner, body: RequestCreate, decision: Decision
) -> DataRequest:
    due = ctx.now + timedelta(days=ctx.settings.request_due_days)
    asked = body.categories
    allowed = [c for c in asked if c in decision.allowed]
    # A refusal of the whole request (policy unavailable, invalid input) carries no activity of its own.
    activity = decision.activity or activity_ref(body.activity)
    return DataRequest(
        case_id=case_id,
        requester_oin=ctx.caller.partner.oin,
        requester_actor=ctx.caller.actor,
        responder_oin=responder.oin,
        responder_role=responder.role,
        activity_id=activity.id,
        activity_version=str(activity.version),
        categories_asked=list(asked),
        categories_allowed=allowed,
        categories_denied={
            c: {"reason": d.reason, "explanation": d.explanation_nl} for c, d in decision.denied.items()
        },
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        status="open" if allowed else "refused",
        created_at=ctx.now,
        due_at=due,
        # Unanswered for twice its answer period, a request expires and can no longer be answered.
        expires_at=due + timedelta(days=ctx.settings.request_due_days),
    )


def read_request(session: Session, ctx: ExchangeContext, request_id: str) -> DataRequest:
    """A request, for the coordinator that made it, when its case is still in the coordinator's region."""
    request = repository.request_for_requester(session, request_id, ctx.caller.partner.oin)
    if request is None:
        raise NotFound(REQUEST_NOT_FOUND)
    coordinator_case(session, ctx.caller, request.case_id)
    return request


def list_case_requests(
    session: Session, ctx: ExchangeContext, case_id: str, *, status: str | None, page: PageParams
) -> Slice[DataRequest]:
    """The coordinator's requests on one case of its own region, newest first."""
    coordinator_case(session, ctx.caller, case_id)
    statement = repository.case_requests_query(case_id, ctx.caller.partner.oin, status=status, now=ctx.now)
    return paginate(session, statement, repository.PAGE_KEY, page)


def list_inbox(
    session: Session, ctx: ExchangeContext, *, activity: str | None, overdue: bool | None, page: PageParams
) -> Slice[DataRequest]:
    """The open requests addressed to the caller's organisation, and nobody else's, newest first."""
    statement = repository.inbox_query(ctx.caller.partner.oin, now=ctx.now, activity=activity, overdue=overdue)
    return paginate(session, statement, repository.PAGE_KEY, page)


def expire_requests(session: Session, now: datetime) -> int:
    """The job: mark every open request past its expiry as expired. Returns how many; the caller commits."""
    stale = repository.expired_open_requests(session, now)
    for request in stale:
        request.status = "expired"
        session.add(request)
    session.flush()
    if stale:
        log.info("request.expired", count=len(stale))
    return len(stale)
