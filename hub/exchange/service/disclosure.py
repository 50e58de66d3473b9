"""The exchange's entries in the disclosure log, each written with a typed event function of hub.audit.events
inside the caller's transaction (it flushes and raises; the unit of work commits or everything rolls back).

Every record names a `Decision` taken in the same call: the request's or handover's own, the one taken again
when the answer came in, or the one taken again on each read (a release path never relies on an earlier
decision). Who is `from` and who is `to`: the organisation the data (or the question) comes from, and the one it
goes to. Records hold categories and reason codes, never values.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from hub.audit import events
from hub.exchange.models import Answer, DataRequest, Handover
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.ports import activity_ref
from hub.policy.pep import Decision


def _common(ctx: ExchangeContext, case: Any, decision: Decision, stored: DataRequest | Handover) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "trace": ctx.trace,
        "subject_pseudonym": case.subject_pseudonym,
        "event_time": ctx.now,
        "decision": decision,
        "activity": activity_ref(stored.activity_id, stored.activity_version),
    }


def request_decided(
    session: Session, ctx: ExchangeContext, case: Any, request: DataRequest, decision: Decision
) -> None:
    """The decision (when anything was allowed) and one refusal record per denied category."""
    common = _common(ctx, case, decision, request)
    if request.categories_allowed:
        events.request_decided(
            session,
            data_request_id=request.id,
            from_oin=request.requester_oin,
            from_actor=request.requester_actor,
            to_oin=request.responder_oin,
            categories_released=request.categories_allowed,
            **common,
        )
    for category, denial in sorted(request.categories_denied.items()):
        events.request_refused(
            session,
            data_request_id=request.id,
            from_oin=request.responder_oin,
            to_oin=request.requester_oin,
            to_actor=request.requester_actor,
            categories_withheld=[category],
            denial_reasons={category: denial["reason"]},
            **common,
        )


def request_redecided(
    session: Session,
    ctx: ExchangeContext,
    case: Any,
    request: DataRequest,
    decision: Decision,
    withdrawn: dict[str, dict[str, str]],
) -> None:
    """An open request decided again after its case changed (hub.exchange.service.follow): the categories it still
    allows, and those withdrawn now with their reasons. The question goes from the requester to the
    responder, as in `request_decided`; no content moves."""
    events.request_redecided(
        session,
        data_request_id=request.id,
        from_oin=request.requester_oin,
        to_oin=request.responder_oin,
        categories_released=request.categories_allowed,
        categories_withheld=sorted(withdrawn),
        denial_reasons={c: w["reason"] for c, w in withdrawn.items()},
        **_common(ctx, case, decision, request),
    )


def identity_shown(session: Session, ctx: ExchangeContext, case: Any, request: DataRequest, decision: Decision) -> None:
    """The responder saw the person's identifying data (BSN, name, date of birth) to find them, under the
    decision taken again just before."""
    events.identity_shown(
        session,
        data_request_id=request.id,
        from_oin=request.requester_oin,
        to_oin=ctx.caller.partner.oin,
        to_actor=ctx.caller.actor,
        **_common(ctx, case, decision, request),
    )


def answer_received(
    session: Session,
    ctx: ExchangeContext,
    case: Any,
    request: DataRequest,
    answer: Answer,
    decision: Decision,
    withheld_reasons: dict[str, str],
) -> None:
    """What the hub accepted from the responder and, separately, what its answer filter withheld, under
    the decision taken again when the answer came in."""
    common = _common(ctx, case, decision, request)
    common.update(
        data_request_id=request.id,
        from_oin=answer.responder_oin,
        from_actor=answer.responder_actor,
        to_oin=request.requester_oin,
    )
    events.data_received(session, categories_released=answer.released_categories, **common)
    if withheld_reasons:
        events.data_withheld(
            session,
            categories_withheld=sorted(withheld_reasons),
            denial_reasons=withheld_reasons,
            **common,
        )


def answer_read(
    session: Session,
    ctx: ExchangeContext,
    case: Any,
    request: DataRequest,
    answer: Answer,
    decision: Decision,
    categories: list[str],
    *,
    first: bool,
) -> None:
    """The requester read the released answer (the `categories` the decision taken again just before
    allows): the first read releases it, later reads are reads."""
    (events.data_released if first else events.data_read)(
        session,
        data_request_id=request.id,
        from_oin=answer.responder_oin,
        to_oin=request.requester_oin,
        to_actor=ctx.caller.actor,
        categories_released=categories,
        **_common(ctx, case, decision, request),
    )


def handover_sent(session: Session, ctx: ExchangeContext, case: Any, handover: Handover, decision: Decision) -> None:
    """The handover to the municipality, and one refusal record per category the policy kept back."""
    common = _common(ctx, case, decision, handover)
    common.update(from_oin=handover.sender_oin, from_actor=handover.sender_actor, to_oin=handover.recipient_oin)
    events.handover(session, categories_released=handover.categories, **common)
    for category, denial in sorted(handover.categories_denied.items()):
        events.request_refused(
            session,
            categories_withheld=[category],
            denial_reasons={category: denial["reason"]},
            **common,
        )


def handover_read(
    session: Session,
    ctx: ExchangeContext,
    case: Any,
    handover: Handover,
    decision: Decision,
    categories: list[str],
    *,
    first: bool,
) -> None:
    """The municipality read the handed-over content (the `categories` the decision taken again just before
    allows)."""
    (events.data_released if first else events.data_read)(
        session,
        from_oin=handover.sender_oin,
        to_oin=handover.recipient_oin,
        to_actor=ctx.caller.actor,
        categories_released=categories,
        **_common(ctx, case, decision, handover),
    )


def release_refused(
    session: Session, ctx: ExchangeContext, case: Any, stored: DataRequest | Handover, decision: Decision
) -> None:
    """A release the policy, asked again, now refuses (e.g. the case closed, consent withdrawn): logged as a
    refusal to the caller, with every category withheld and its reason."""
    events.refused_to(
        session,
        ctx.caller,
        data_request_id=stored.id if isinstance(stored, DataRequest) else None,
        **_common(ctx, case, decision, stored),
    )
