"""API models of the exchange: requests, the inbox, answers, release and handover."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.strict_input import MultiLine, StrictInput

CATEGORY_PATTERN = r"^[a-z][a-z_]{1,40}$"
FIELD_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
MAX_ANSWER_CATEGORIES = 20
MAX_FIELDS_PER_CATEGORY = 64


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


class ActivityOut(BaseModel):
    id: str
    version: str


class CategoryOutcome(BaseModel):
    category: str
    outcome: Literal["allowed", "denied", "withdrawn"] = Field(
        description="withdrawn: allowed when asked, no longer allowed since the case changed."
    )
    reason: str | None = None
    explanation: str | None = Field(default=None, description="Dutch explanation of a refusal.")


class RequestOut(BaseModel):
    """A request as its requester sees it, with the outcome per category."""

    id: str
    case_id: str
    responder: OrganisationRef
    activity: ActivityOut
    status: str
    status_reason: str | None = Field(default=None, description="The policy's reason code of a withdrawal.")
    status_explanation: str | None = Field(default=None, description="Its Dutch explanation.")
    overdue: bool
    created_at: datetime
    due_at: datetime
    answered_at: datetime | None
    categories: list[CategoryOutcome]
    decision_id: str
    policy_revision: str
    redecision_id: str | None = Field(default=None, description="The decision id of the last re-decision.")
    renewed_from: str | None = Field(default=None, description="The withdrawn request this one asks again.")


class InboxItem(BaseModel):
    """A request as the responder sees it: only the allowed categories, never the denied ones."""

    id: str
    requester: OrganisationRef
    activity: ActivityOut
    categories: list[str]
    status: str
    status_reason: str | None = Field(default=None, description="The policy's reason code of a withdrawal.")
    status_explanation: str | None = Field(default=None, description="Its Dutch explanation.")
    overdue: bool
    created_at: datetime
    due_at: datetime


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


class AnswerSubmit(StrictInput):
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


class AnswerReceipt(BaseModel):
    """What the hub kept of an answer and what it withheld."""

    request_id: str
    status: str
    released: list[str]
    withheld: list[Withholding]


class ReleasedAnswer(BaseModel):
    """The answer as released to the requester: only the allowed categories and fields."""

    request_id: str
    responder: OrganisationRef
    activity: ActivityOut
    answered_at: datetime
    values: dict[str, dict[str, Any]]
    withheld: list[Withholding]


class HandoverOut(BaseModel):
    id: str
    case_id: str
    recipient: OrganisationRef
    status: str
    categories: list[str]
    refused: list[CategoryOutcome]
    created_at: datetime
    acknowledged_at: datetime | None


class HandoverItem(BaseModel):
    id: str
    sender: OrganisationRef
    status: str
    categories: list[str]
    created_at: datetime


class HandoverContent(HandoverItem):
    subject: SubjectIdentity
    content: dict[str, dict[str, Any]]
