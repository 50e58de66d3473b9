"""API models of the exchange: requests, the inbox, answers, release and handover."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.strict_input import MultiLine, StrictInput
from hub.timestamps import UtcDateTime

if TYPE_CHECKING:
    from hub.auth.registry import Registry
    from hub.exchange.models import Answer, DataRequest, Handover

CATEGORY_PATTERN = r"^[a-z][a-z_]{1,40}$"
FIELD_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
MAX_ANSWER_CATEGORIES = 20
MAX_FIELDS_PER_CATEGORY = 64

# The answer filter counts the fields outside the catalogue under this key (hub.exchange.service.release).
COUNT_KEY = "fields_not_in_catalogue"

# Dutch explanations of the answer filter's reason codes, for the responder.
WITHHELD_EXPLANATIONS = {
    "category_not_allowed": "Deze categorie is niet gevraagd of niet toegestaan voor dit verzoek; "
    "de hub heeft haar niet doorgegeven.",
    "category_not_in_activity": "Deze categorie hoort niet bij de verwerkingsactiviteit van dit verzoek.",
    "field_not_in_catalogue": "Dit veld hoort niet bij de categorie; de hub heeft het niet doorgegeven.",
    "unknown_category": "Deze categorie bestaat niet in de catalogus.",
}
DEFAULT_WITHHELD = "De hub heeft dit onderdeel volgens het privacyprotocol niet doorgegeven."


def _explanation(withheld: dict[str, Any]) -> str:
    if withheld.get("explanation"):  # the policy's own, for a category withdrawn since the request was made
        return str(withheld["explanation"])
    if withheld.get(COUNT_KEY):
        return f"{withheld[COUNT_KEY]} veld(en) hoort/horen niet bij de categorie; de hub heeft ze niet doorgegeven."
    return WITHHELD_EXPLANATIONS.get(withheld["reason"], DEFAULT_WITHHELD)


class RequestCreate(StrictInput):
    """The coordinator names one partner organisation, one processing activity and the categories."""

    responder: str = Field(
        min_length=3,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="The partner organisation asked: its OIN or its client_id.",
    )
    activity: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z_]*$")
    categories: list[str] = Field(min_length=1, max_length=20)

    @field_validator("categories")
    @classmethod
    def _distinct_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(CATEGORY_PATTERN, name):
                raise ValueError("category names are lower-case words joined by underscores")
        if len(set(value)) != len(value):
            raise ValueError("each category may be asked only once")
        return value

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "responder": "gm0402-social",
                    "activity": "reintegration",
                    "categories": ["housing", "income", "debts"],
                }
            ]
        },
    )


class OrganisationRef(BaseModel):
    oin: str
    name: str
    role: str

    @classmethod
    def of(cls, registry: Registry, oin: str) -> OrganisationRef:
        partner = registry.by_oin(oin)
        if partner is None:  # a partner removed from the registry since: still show who it was
            return cls(oin=oin, name="(onbekende organisatie)", role="unknown")
        return cls(oin=partner.oin, name=partner.name, role=partner.role)


class ActivityPublic(BaseModel):
    id: str
    version: str

    @classmethod
    def of(cls, stored: DataRequest | Handover) -> ActivityPublic:
        return cls(id=stored.activity_id, version=stored.activity_version)


class CategoryOutcome(BaseModel):
    category: str
    outcome: Literal["allowed", "denied", "withdrawn"] = Field(
        description="withdrawn: allowed when asked, no longer allowed since the case changed."
    )
    reason: str | None = None
    explanation: str | None = Field(default=None, description="Dutch explanation of a refusal.")


class RequestPublic(BaseModel):
    """A request as its requester sees it, with the outcome per category."""

    id: str
    case_id: str
    responder: OrganisationRef
    activity: ActivityPublic
    status: str
    status_reason: str | None = Field(default=None, description="The policy's reason code of a withdrawal.")
    status_explanation: str | None = Field(default=None, description="Its Dutch explanation.")
    overdue: bool
    created_at: UtcDateTime
    due_at: UtcDateTime
    answered_at: UtcDateTime | None
    categories: list[CategoryOutcome]
    decision_id: str
    policy_revision: str
    redecision_id: str | None = Field(default=None, description="The decision id of the last re-decision.")
    renewed_from: str | None = Field(default=None, description="The withdrawn request this one asks again.")
    renewable: bool = Field(
        default=False,
        description="Lost categories to a change of its case: POST /v1/requests/{id}/renew asks them again.",
    )

    @classmethod
    def from_row(cls, request: DataRequest, registry: Registry, now: datetime) -> RequestPublic:
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
        return cls(
            id=request.id,
            case_id=request.case_id,
            responder=OrganisationRef.of(registry, request.responder_oin),
            activity=ActivityPublic.of(request),
            status=status.status,
            status_reason=status.reason,
            status_explanation=status.explanation,
            overdue=status.overdue,
            created_at=request.created_at,
            due_at=request.due_at,
            answered_at=request.answered_at,
            categories=outcomes,
            decision_id=request.decision_id,
            policy_revision=request.policy_revision,
            redecision_id=request.redecision_id,
            renewed_from=request.renewed_from,
            renewable=request.renewable_at(now),
        )


class InboxItem(BaseModel):
    """A request as the responder sees it: only the allowed categories, never the denied ones."""

    id: str
    requester: OrganisationRef
    activity: ActivityPublic
    categories: list[str]
    status: str
    status_reason: str | None = Field(default=None, description="The policy's reason code of a withdrawal.")
    status_explanation: str | None = Field(default=None, description="Its Dutch explanation.")
    overdue: bool
    created_at: UtcDateTime
    due_at: UtcDateTime

    @classmethod
    def from_row(cls, request: DataRequest, registry: Registry, now: datetime) -> InboxItem:
        status = request.status_at(now)
        return cls(
            id=request.id,
            requester=OrganisationRef.of(registry, request.requester_oin),
            activity=ActivityPublic.of(request),
            categories=list(request.categories_allowed),
            status=status.status,
            status_reason=status.reason,
            status_explanation=status.explanation,
            overdue=status.overdue,
            created_at=request.created_at,
            due_at=request.due_at,
        )


class SubjectIdentity(BaseModel):
    """What the responder needs to find the person in its own records. Showing it is logged."""

    bsn: str
    name: str
    birth_date: date


class InboxDetail(InboxItem):
    subject: SubjectIdentity
    answer_schemas: dict[str, dict[str, Any]] = Field(
        description="The JSON Schema each category's answer must satisfy."
    )

    @classmethod
    def for_responder(
        cls,
        request: DataRequest,
        identity: SubjectIdentity,
        allowed: tuple[str, ...],
        schemas: dict[str, dict],
        registry: Registry,
        now: datetime,
    ) -> InboxDetail:
        """The request with the categories the policy allows now (it was asked again before the identity)."""
        item = InboxItem.from_row(request, registry, now).model_copy(update={"categories": list(allowed)})
        return cls(**item.model_dump(), subject=identity, answer_schemas=schemas)


class AnswerCreate(StrictInput):
    """The responder's values, one object per category."""

    values: Annotated[dict[str, dict[str, Any]], MultiLine] = Field(min_length=1, max_length=MAX_ANSWER_CATEGORIES)

    @field_validator("values", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        """Category and field names are checked before anything else looks at them, and a bad one is never
        echoed: a name is text the responder chose, and the hub passes on no text but the catalogue's."""
        if not isinstance(value, dict):
            return value  # pydantic's own check refuses it
        if len(value) > MAX_ANSWER_CATEGORIES:
            raise ValueError(f"an answer holds at most {MAX_ANSWER_CATEGORIES} categories")
        for category, fields in value.items():
            if not isinstance(category, str) or not re.fullmatch(CATEGORY_PATTERN, category):
                raise ValueError(f"a category name breaks the rule {CATEGORY_PATTERN}")
            if not isinstance(fields, dict):
                raise ValueError(f"values.{category}: must be an object of fields")
            if len(fields) > MAX_FIELDS_PER_CATEGORY:
                raise ValueError(f"values.{category}: at most {MAX_FIELDS_PER_CATEGORY} fields")
            if not all(isinstance(f, str) and re.fullmatch(FIELD_PATTERN, f) for f in fields):
                raise ValueError(f"values.{category}: a field name breaks the rule {FIELD_PATTERN}")
        return value

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"values": {"housing": {"situation": "rental", "at_risk_of_loss": False}}}]},
    )


class Withholding(BaseModel):
    category: str
    field: str | None = Field(
        default=None,
        description="The catalogue field withheld; null when the whole "
        "category was withheld, or when fields outside the "
        "catalogue were (then `fields_not_in_catalogue`).",
    )
    reason: str
    explanation: str
    fields_not_in_catalogue: int | None = Field(
        default=None, description="How many fields outside the catalogue were withheld (never their names)."
    )

    @classmethod
    def from_withheld(cls, withheld: dict[str, Any]) -> Withholding:
        return cls(
            category=withheld["category"],
            field=withheld.get("field"),
            reason=withheld["reason"],
            explanation=_explanation(withheld),
            fields_not_in_catalogue=withheld.get(COUNT_KEY),
        )


class AnswerReceipt(BaseModel):
    """What the hub kept of an answer and what it withheld."""

    request_id: str
    status: str
    released: list[str]
    withheld: list[Withholding]

    @classmethod
    def from_row(cls, answer: Answer) -> AnswerReceipt:
        return cls(
            request_id=answer.request_id,
            status="answered",
            released=answer.released_categories,
            withheld=[Withholding.from_withheld(w) for w in answer.withheld],
        )


class ReleasedAnswer(BaseModel):
    """The answer as released to the requester: only the allowed categories and fields."""

    request_id: str
    responder: OrganisationRef
    activity: ActivityPublic
    answered_at: UtcDateTime
    values: dict[str, dict[str, Any]]
    withheld: list[Withholding]

    @classmethod
    def from_row(
        cls, request: DataRequest, answer: Answer, values: dict, withheld: list[dict[str, Any]], registry: Registry
    ) -> ReleasedAnswer:
        """`withheld`: only the categories withheld whole (the service never passes field names on)."""
        return cls(
            request_id=request.id,
            responder=OrganisationRef.of(registry, answer.responder_oin),
            activity=ActivityPublic.of(request),
            answered_at=answer.created_at,
            values=values,
            withheld=[Withholding.from_withheld(w) for w in withheld],
        )


class HandoverPublic(BaseModel):
    id: str
    case_id: str
    recipient: OrganisationRef
    status: str
    categories: list[str]
    refused: list[CategoryOutcome]
    created_at: UtcDateTime
    acknowledged_at: UtcDateTime | None

    @classmethod
    def from_row(cls, handover: Handover, registry: Registry) -> HandoverPublic:
        refused = [
            CategoryOutcome(category=c, outcome="denied", reason=d["reason"], explanation=d["explanation"])
            for c, d in handover.categories_denied.items()
        ]
        return cls(
            id=handover.id,
            case_id=handover.case_id,
            recipient=OrganisationRef.of(registry, handover.recipient_oin),
            status=handover.status,
            categories=handover.categories,
            refused=refused,
            created_at=handover.created_at,
            acknowledged_at=handover.acknowledged_at,
        )


class HandoverItem(BaseModel):
    id: str
    sender: OrganisationRef
    status: str
    categories: list[str]
    created_at: UtcDateTime

    @classmethod
    def from_row(cls, handover: Handover, registry: Registry) -> HandoverItem:
        return cls(
            id=handover.id,
            sender=OrganisationRef.of(registry, handover.sender_oin),
            status=handover.status,
            categories=handover.categories,
            created_at=handover.created_at,
        )


class HandoverContent(HandoverItem):
    subject: SubjectIdentity
    content: dict[str, dict[str, Any]]

    @classmethod
    def for_recipient(
        cls, handover: Handover, identity: SubjectIdentity, content: dict, categories: list[str], registry: Registry
    ) -> HandoverContent:
        """The content with the categories the policy allows now (asked again for this read)."""
        item = HandoverItem.from_row(handover, registry).model_copy(update={"categories": categories})
        return cls(**item.model_dump(), subject=identity, content=content)
