"""The warm handover: at the end of detention the coordinator hands the plan and the categories released
on the case to the social domain of the municipality of origin, under activity `handover`. The policy
decides which categories may go (and whether detention has ended); the municipality reads the handover and
acknowledges receipt, which closes the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from sqlmodel import Session

from hub.auth.principal import Partner
from hub.errors import NotFound
from hub.exchange import repository
from hub.exchange.errors import HandoverAcknowledged, HandoverRefused
from hub.exchange.models import Handover
from hub.exchange.service import disclosure
from hub.exchange.service.answers import answer_purpose
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.facts import PROVIDE, request_input
from hub.exchange.service.follow import follow_case
from hub.exchange.service.ports import (
    activity_ref,
    case_facts,
    case_of,
    case_plan,
    close_case,
    coordinator_case,
    decide,
    decide_now,
    handover_sent,
    subject_identity,
)
from hub.exchange.service.release import refuse_unless_allowed
from hub.pagination import PageParams, Slice, paginate
from hub.policy import enforcement
from hub.policy.pep import Decision

log = structlog.get_logger(__name__)

HANDOVER = "handover"
PLAN = "plan"


# Purpose limitation (finding L7): the handover passes on only what was obtained under the activity it
# continues. The request policy's input has no place for the activity each category was obtained under, so
# the policy cannot weigh that provenance; until it can, content obtained under any other activity
# (risk_assessment, family_support) is not offered at all, and the plan (the case's own) always is.
HANDOVER_SOURCES = frozenset({"reintegration"})


def released_content(session: Session, ctx: ExchangeContext, case_id: str) -> dict[str, dict[str, Any]]:
    """Per category, the values released to the coordinator on this case under an activity the handover
    continues (`HANDOVER_SOURCES`; a later answer wins)."""
    content: dict[str, dict[str, Any]] = {}
    for request, answer in repository.answers_of_case(session, case_id):
        if request.activity_id not in HANDOVER_SOURCES:
            continue
        values = ctx.envelope.decrypt_json(
            session, case_id, answer_purpose(request), answer.ciphertext, scope=request.activity_id
        )
        content.update(values)
    return content


@dataclass(frozen=True, slots=True)
class HandoverPreview:
    """What a handover would offer now and what the policy would decide on it: category names only."""

    recipient: Partner | None
    offered: list[str]
    decision: Decision | None  # None when there is no recipient or nothing to offer


def preview_handover(session: Session, ctx: ExchangeContext, case_id: str) -> HandoverPreview:
    """The categories a handover would offer (the plan and what answers released under an activity the
    handover continues) and the policy's decision on them for the case as it is now. Nothing is decrypted,
    stored or recorded, and no content moves: sending decides again (`create_handover`)."""
    case = coordinator_case(session, ctx.caller, case_id)
    recipient = ctx.registry.find_municipal("municipal_social", case.municipality)
    offered = {
        category
        for request, answer in repository.answers_of_case(session, case.id)
        if request.activity_id in HANDOVER_SOURCES
        for category in answer.released_categories
    }
    if case.plan_ciphertext is not None:
        offered.add(PLAN)
    if recipient is None or not offered:
        return HandoverPreview(recipient, sorted(offered), None)
    facts = case_facts(session, case)
    input_ = request_input(ctx.caller.partner, recipient, HANDOVER, sorted(offered), facts, exchange=PROVIDE)
    return HandoverPreview(recipient, sorted(offered), decide(ctx, input_))


def create_handover(session: Session, ctx: ExchangeContext, case_id: str) -> Handover:
    """Offer the plan and the released categories to the policy; send what it allows, log the rest."""
    case = coordinator_case(session, ctx.caller, case_id)
    if repository.live_handover_of_case(session, case.id) is not None:
        raise HandoverRefused("Deze casus is al overgedragen.", case_id=case.id)
    recipient = ctx.registry.find_municipal("municipal_social", case.municipality)
    if case.municipality is None:  # issue 16: the policy's reason, before there is anyone to ask it about
        raise HandoverRefused(
            "De gemeente van herkomst is nog niet vastgesteld; de overdracht wacht tot de coördinator de herkomst "
            "heeft bepaald.",
            case_id=case.id,
            rule="origin_unknown",
        )
    if recipient is None:
        raise HandoverRefused(
            "Er is geen sociaal domein van de gemeente van herkomst bekend bij de hub.", case_id=case.id
        )
    content = released_content(session, ctx, case.id)
    plan = case_plan(session, ctx, case)
    if plan is not None:
        content[PLAN] = plan
    if not content:
        raise HandoverRefused("Er is niets om over te dragen: geen plan en geen vrijgegeven gegevens.", case_id=case.id)
    offered = sorted(content)
    decision = decide(
        ctx,
        request_input(ctx.caller.partner, recipient, HANDOVER, offered, case_facts(session, case), exchange=PROVIDE),
    )
    handover = _new_handover(session, ctx, case.id, recipient.oin, content, decision)
    session.add(handover)
    session.flush()
    if handover.status == "sent":
        handover_sent(session, ctx, case)
    disclosure.handover_sent(session, ctx, case, handover, decision)
    session.flush()
    log.info(
        "handover.decided",
        handover_id=handover.id,
        status=handover.status,
        sent=len(handover.categories),
        refused=len(handover.categories_denied),
    )
    return handover


def _new_handover(
    session: Session,
    ctx: ExchangeContext,
    case_id: str,
    recipient_oin: str,
    content: dict[str, dict[str, Any]],
    decision: Decision,
) -> Handover:
    sent = enforcement.allowed_part(content, decision)
    allowed = sorted(sent)
    activity = decision.activity or activity_ref(HANDOVER)
    return Handover(
        case_id=case_id,
        sender_oin=ctx.caller.partner.oin,
        sender_actor=ctx.caller.actor,
        recipient_oin=recipient_oin,
        activity_id=activity.id,
        activity_version=str(activity.version),
        categories=allowed,
        categories_denied={
            c: {"reason": d.reason, "explanation": d.explanation_nl} for c, d in decision.denied.items()
        },
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        ciphertext=ctx.envelope.encrypt_json(session, case_id, HANDOVER, sent, scope=HANDOVER),
        status="sent" if allowed else "refused",
        created_at=ctx.now,
    )


def list_handovers(session: Session, ctx: ExchangeContext, *, status: str | None, page: PageParams) -> Slice[Handover]:
    """The handovers addressed to the caller's organisation, newest first."""
    statement = repository.handovers_query(ctx.caller.partner.oin, status=status)
    return paginate(session, statement, repository.HANDOVER_PAGE_KEY, page)


def _recipients_handover(session: Session, ctx: ExchangeContext, handover_id: str) -> Handover:
    handover = repository.handover_for_recipient(session, handover_id, ctx.caller.partner.oin)
    if handover is None:
        raise NotFound("Deze overdracht bestaat niet of is niet aan uw organisatie gericht.")
    return handover


def read_handover(session: Session, ctx: ExchangeContext, handover_id: str) -> tuple[Handover, Any, dict, list[str]]:
    """The handed-over content and the person's identity, for the municipality, only while the handover is
    unacknowledged and only what the policy, asked again for the case as it is now, allows; the read is
    logged. Returns the handover, the identity, the content and the categories released now.

    Acknowledging ends the handover's reads (410): the municipality has the content in its own records by
    then, and the policy input has no place for a handover's status. Acknowledgement also closes the case,
    which the policy refuses on its own (rule 7), so the two agree.
    """
    handover = _recipients_handover(session, ctx, handover_id)
    if handover.status == "acknowledged":
        raise HandoverAcknowledged(
            "Deze overdracht is al bevestigd; de inhoud is niet meer via de hub te lezen.", handover_id=handover.id
        )
    case = case_of(session, handover.case_id)
    decision = refuse_unless_allowed(
        session,
        ctx,
        case,
        handover,
        decide_now(
            ctx,
            session,
            case,
            requester_oin=handover.sender_oin,
            responder_oin=handover.recipient_oin,
            activity=handover.activity_id,
            categories=list(handover.categories),
            exchange=PROVIDE,
        ),
    )
    stored = ctx.envelope.decrypt_json(session, case.id, HANDOVER, handover.ciphertext, scope=HANDOVER)
    content = enforcement.allowed_part(stored, decision)
    identity = subject_identity(session, ctx, case)
    first = handover.first_read_at is None
    if first:
        handover.first_read_at = ctx.now
        session.add(handover)
    disclosure.handover_read(session, ctx, case, handover, decision, sorted(content), first=first)
    session.flush()
    log.info("handover.read", handover_id=handover.id, first=first, released=len(content))
    return handover, identity, content, sorted(content)


def acknowledge(session: Session, ctx: ExchangeContext, handover_id: str) -> Handover:
    """The municipality confirms receipt; the case closes (through the case lifecycle)."""
    handover = _recipients_handover(session, ctx, handover_id)
    if handover.status != "sent":
        raise HandoverRefused("Deze overdracht is al bevestigd.", handover_id=handover.id)
    handover.status, handover.acknowledged_at, handover.acknowledged_by = "acknowledged", ctx.now, ctx.caller.actor
    session.add(handover)
    case = case_of(session, handover.case_id)
    close_case(session, ctx, case)
    follow_case(session, ctx, case)  # what was not answered is withdrawn (the policy's reason: case_closed)
    session.flush()
    log.info("handover.acknowledged", handover_id=handover.id)
    return handover
