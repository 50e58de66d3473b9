"""API models of the cases capability: DJI's notifications, cases, timeline events.

Shapes only; the rules (eleven-test, known municipality, dates in order) live in the services, so that a
refusal names its field in Dutch and the service refuses the same input without HTTP.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from hub.cases.models import Case, CaseEvent, CaseState, Consent, Origin, Risk
from hub.strict_input import MultiLine, StrictInput
from hub.timestamps import UtcDateTime

NOTIFICATION_ID = r"^[A-Za-z0-9._:-]{1,100}$"


class BasicCondition(StrEnum):
    """The basic conditions of a stable return, named as the data categories that carry them."""

    identity_document = "identity_document"
    housing = "housing"
    income = "income"
    debts = "debts"
    care = "care"
    daytime_activities = "daytime_activities"
    social_network = "social_network"


class ConditionStatus(StrEnum):
    in_order = "in_order"
    not_in_order = "not_in_order"
    unknown = "unknown"


class ConditionEntry(StrictInput):
    status: ConditionStatus
    help_question: Annotated[str | None, MultiLine] = Field(
        default=None, max_length=1000, description="The person's help question on this condition, if any."
    )


class InformationSheet(StrictInput):
    """DJI's information sheet: status and help question per basic condition."""

    conditions: dict[BasicCondition, ConditionEntry] = Field(min_length=1)


class SubjectCreate(StrictInput):
    bsn: str = Field(max_length=16, description="Burgerservicenummer; checked by the eleven-test.")
    name: str = Field(min_length=1, max_length=200)
    birth_date: date


class DetentionStartedCreate(StrictInput):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "notification_id": "PI-NWG-2026-000123",
                    "subject": {"bsn": "111222333", "name": "J. de Vries", "birth_date": "1990-04-12"},
                    "prison": "PI Nieuwegein",
                    "started_on": "2026-11-02",
                    "expected_release_on": "2027-01-15",
                    "municipality": "GM0402",
                    "information_sheet": {
                        "conditions": {
                            "identity_document": {"status": "in_order"},
                            "housing": {"status": "not_in_order", "help_question": "Zoekt woonruimte na detentie"},
                            "debts": {"status": "unknown"},
                        }
                    },
                }
            ]
        },
    )

    notification_id: str = Field(pattern=NOTIFICATION_ID)
    subject: SubjectCreate
    prison: str = Field(min_length=1, max_length=100)
    started_on: date
    expected_release_on: date | None = None
    municipality: str | None = Field(
        max_length=6,
        description="CBS code of the municipality of origin (GM0402); null when DJI does not know it: the case "
        "then goes to the ZVH of the establishment's region, its origin unknown.",
    )
    information_sheet: InformationSheet


class DetentionEndedCreate(StrictInput):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "notification_id": "PI-NWG-2026-000187",
                    "started_notification_id": "PI-NWG-2026-000123",
                    "bsn": "111222333",
                    "ended_on": "2027-01-15",
                }
            ]
        },
    )

    notification_id: str = Field(pattern=NOTIFICATION_ID)
    started_notification_id: str = Field(
        pattern=NOTIFICATION_ID, description="The notification that started this detention."
    )
    bsn: str = Field(max_length=16, description="Cross-check: must be the person of that detention.")
    ended_on: date


class NotificationResult(BaseModel):
    """What DJI gets back, the same on every repeat of the notification."""

    notification_id: str
    case_id: str
    state: CaseState


class CasePublic(BaseModel):
    """A case without identifying data. The subject's pseudonym stays inside the hub (the log and the privacy
    officer use it): handed out, it would become a stable cross-region identifier. `related_case_ids` links
    the detentions of one person instead."""

    id: str
    region: str
    municipality: str | None = Field(description="CBS code of origin; null while the origin is unknown.")
    origin: Origin = Field(description="notified (by DJI), determined (by the coordinator), unknown or disputed.")
    origin_reason: str | None = Field(description="The register's reason of the coordinator's determination.")
    origin_open_since: UtcDateTime | None = Field(description="Without an undisputed municipality since.")
    state: CaseState
    consent: Consent
    risk: Risk
    prison: str
    detention_started_on: date
    expected_release_on: date | None
    detention_ended_on: date | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    closed_at: UtcDateTime | None
    content_destroyed_at: UtcDateTime | None
    related_case_ids: list[str] = Field(
        default_factory=list, description="Earlier or later detentions of the same person."
    )
    allowed_events: list[str] = Field(default_factory=list)

    @classmethod
    def from_row(cls, case: Case, related: list[str] | None = None, allowed: list[str] | None = None) -> CasePublic:
        return cls.model_validate(case, from_attributes=True).model_copy(
            update={"related_case_ids": related or [], "allowed_events": allowed or []}
        )


class IdentityPublic(BaseModel):
    bsn: str
    name: str
    birth_date: date


class TimelineEventPublic(BaseModel):
    id: UUID  # the event's public_id: no global counter (issue 12)
    type: str
    actor: str
    organisation_oin: str
    at: UtcDateTime
    from_state: CaseState | None
    to_state: CaseState | None
    payload: dict[str, Any]

    @classmethod
    def from_row(cls, event: CaseEvent) -> TimelineEventPublic:
        return cls.model_validate({**event.model_dump(exclude={"id"}), "id": event.public_id})


class VisitRecorded(StrictInput):
    type: Literal["visit_recorded"]
    visited_on: date


class ScreeningStarted(StrictInput):
    type: Literal["screening_started"]


class WeighingRecorded(StrictInput):
    type: Literal["weighing_recorded"]
    consent: Consent
    risk: Risk


class PlanRecorded(StrictInput):
    """The plan of approach, in the shape of the catalogue's `plan` category (policies/dt/schemas), so that the
    warm handover can pass it on as it is. The service validates it against that schema."""

    type: Literal["plan_recorded"]
    plan: Annotated[dict[str, Any], MultiLine]


class OutreachStarted(StrictInput):
    type: Literal["outreach_started"]


class CloseReason(StrEnum):
    no_help_no_risk = "no_help_no_risk"
    risk_resolved = "risk_resolved"
    handover_not_possible = "handover_not_possible"


class CaseClosed(StrictInput):
    type: Literal["case_closed"]
    reason: CloseReason


class EvaluationRecorded(StrictInput):
    """The evaluation after the plan, at handover or before closing: the status of every basic condition. It
    feeds the anonymous statistics (hub.monitoring) and is recorded once per case."""

    type: Literal["evaluation_recorded"]
    conditions: dict[BasicCondition, ConditionStatus] = Field(
        min_length=len(BasicCondition), description="Every basic condition: in_order, not_in_order or unknown."
    )


CoordinatorEvent = Annotated[
    VisitRecorded
    | ScreeningStarted
    | WeighingRecorded
    | PlanRecorded
    | OutreachStarted
    | CaseClosed
    | EvaluationRecorded,
    Field(discriminator="type"),
]

EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "visit": {"summary": "Visit in prison", "value": {"type": "visit_recorded", "visited_on": "2026-11-05"}},
    "weighing": {"summary": "Weighing", "value": {"type": "weighing_recorded", "consent": "yes", "risk": "signalled"}},
    "plan": {
        "summary": "Plan",
        "value": {
            "type": "plan_recorded",
            "plan": {
                "agreed_on": "2026-11-20",
                "actions": [{"domain": "housing", "action": "Aanmelding maatschappelijke opvang"}],
            },
        },
    },
    "outreach": {"summary": "Outreach", "value": {"type": "outreach_started"}},
    "close": {"summary": "Close", "value": {"type": "case_closed", "reason": "no_help_no_risk"}},
    "evaluation": {
        "summary": "Evaluation after the plan",
        "value": {
            "type": "evaluation_recorded",
            "conditions": {c.value: "in_order" if c.value != "debts" else "not_in_order" for c in BasicCondition},
        },
    },
}
