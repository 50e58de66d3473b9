"""From stored rows to API models (no rules here: the services decided what may be shown)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.exchange.clock import as_utc
from hub.exchange.models import Answer, DataRequest, Handover
from hub.exchange.release import COUNT_KEY
from hub.exchange.schemas import (
    ActivityOut,
    AnswerReceipt,
    CategoryOutcome,
    HandoverContent,
    HandoverItem,
    HandoverOut,
    InboxDetail,
    InboxItem,
    OrganisationRef,
    ReleasedAnswer,
    RequestOut,
    SubjectIdentity,
    Withholding,
)

# Dutch explanations of the answer filter's reason codes, for the responder.
WITHHELD_EXPLANATIONS = {
    "category_not_allowed": "Deze categorie is niet gevraagd of niet toegestaan voor dit verzoek; "
    "de hub heeft haar niet doorgegeven.",
    "category_not_in_activity": "Deze categorie hoort niet bij de verwerkingsactiviteit van dit verzoek.",
    "field_not_in_catalogue": "Dit veld hoort niet bij de categorie; de hub heeft het niet doorgegeven.",
    "unknown_category": "Deze categorie bestaat niet in de catalogus.",
}
DEFAULT_WITHHELD = "De hub heeft dit onderdeel volgens het privacyprotocol niet doorgegeven."


def organisation(registry: Any, oin: str) -> OrganisationRef:
    partner = registry.by_oin(oin)
    if partner is None:  # a partner removed from the registry since: still show who it was
        return OrganisationRef(oin=oin, name="(onbekende organisatie)", role="unknown")
    return OrganisationRef(oin=partner.oin, name=partner.name, role=partner.role)


def _activity(stored: DataRequest | Handover) -> ActivityOut:
    return ActivityOut(id=stored.activity_id, version=stored.activity_version)


def request_out(request: DataRequest, registry: Any, now: datetime) -> RequestOut:
    status = request.status_at(now)
    outcomes = [CategoryOutcome(category=c, outcome="allowed") for c in request.categories_allowed]
    outcomes += [
        CategoryOutcome(category=c, outcome="denied", reason=d["reason"], explanation=d["explanation"])
        for c, d in request.categories_denied.items()
    ]
    outcomes += [
        CategoryOutcome(category=c, outcome="withdrawn", reason=w["reason"], explanation=w["explanation"])
        for c, w in request.categories_withdrawn.items()
    ]
    return RequestOut(
        id=request.id,
        case_id=request.case_id,
        responder=organisation(registry, request.responder_oin),
        activity=_activity(request),
        status=status.status,
        status_reason=status.reason,
        status_explanation=status.explanation,
        overdue=status.overdue,
        created_at=as_utc(request.created_at),
        due_at=as_utc(request.due_at),
        answered_at=as_utc(request.answered_at) if request.answered_at else None,
        categories=outcomes,
        decision_id=request.decision_id,
        policy_revision=request.policy_revision,
        redecision_id=request.redecision_id,
        renewed_from=request.renewed_from,
    )


def inbox_item(request: DataRequest, registry: Any, now: datetime) -> InboxItem:
    status = request.status_at(now)
    return InboxItem(
        id=request.id,
        requester=organisation(registry, request.requester_oin),
        activity=_activity(request),
        categories=list(request.categories_allowed),
        status=status.status,
        status_reason=status.reason,
        status_explanation=status.explanation,
        overdue=status.overdue,
        created_at=as_utc(request.created_at),
        due_at=as_utc(request.due_at),
    )


def inbox_detail(
    request: DataRequest,
    identity: SubjectIdentity,
    allowed: tuple[str, ...],
    schemas: dict[str, dict],
    registry: Any,
    now: datetime,
) -> InboxDetail:
    """The request with the categories the policy allows now (it was asked again before the identity)."""
    item = inbox_item(request, registry, now).model_copy(update={"categories": list(allowed)})
    return InboxDetail(**item.model_dump(), subject=identity, answer_schemas=schemas)


def withholdings(withheld: list[dict[str, Any]]) -> list[Withholding]:
    return [
        Withholding(
            category=w["category"],
            field=w.get("field"),
            reason=w["reason"],
            explanation=_explanation(w),
            fields_not_in_catalogue=w.get(COUNT_KEY),
        )
        for w in withheld
    ]


def _explanation(withheld: dict[str, Any]) -> str:
    if withheld.get(COUNT_KEY):
        return f"{withheld[COUNT_KEY]} veld(en) hoort/horen niet bij de categorie; de hub heeft ze niet doorgegeven."
    return WITHHELD_EXPLANATIONS.get(withheld["reason"], DEFAULT_WITHHELD)


def answer_receipt(answer: Answer) -> AnswerReceipt:
    return AnswerReceipt(
        request_id=answer.request_id,
        status="answered",
        released=answer.released_categories,
        withheld=withholdings(answer.withheld),
    )


def released_answer(
    request: DataRequest, answer: Answer, values: dict, withheld: list[dict[str, Any]], registry: Any
) -> ReleasedAnswer:
    """`withheld`: only the categories withheld whole (the service never passes field names on)."""
    return ReleasedAnswer(
        request_id=request.id,
        responder=organisation(registry, answer.responder_oin),
        activity=_activity(request),
        answered_at=as_utc(answer.created_at),
        values=values,
        withheld=withholdings(withheld),
    )


def handover_out(handover: Handover, registry: Any) -> HandoverOut:
    refused = [
        CategoryOutcome(category=c, outcome="denied", reason=d["reason"], explanation=d["explanation"])
        for c, d in handover.categories_denied.items()
    ]
    return HandoverOut(
        id=handover.id,
        case_id=handover.case_id,
        recipient=organisation(registry, handover.recipient_oin),
        status=handover.status,
        categories=handover.categories,
        refused=refused,
        created_at=as_utc(handover.created_at),
        acknowledged_at=as_utc(handover.acknowledged_at) if handover.acknowledged_at else None,
    )


def handover_item(handover: Handover, registry: Any) -> HandoverItem:
    return HandoverItem(
        id=handover.id,
        sender=organisation(registry, handover.sender_oin),
        status=handover.status,
        categories=handover.categories,
        created_at=as_utc(handover.created_at),
    )


def handover_content(
    handover: Handover, identity: SubjectIdentity, content: dict, categories: list[str], registry: Any
) -> HandoverContent:
    """The content with the categories the policy allows now (asked again for this read)."""
    item = handover_item(handover, registry).model_copy(update={"categories": categories})
    return HandoverContent(**item.model_dump(), subject=identity, content=content)
