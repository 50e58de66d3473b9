"""Table models of the exchange capability: data requests, their answers, and handovers.

Content (answer values, a handover's plan and categories) is stored only as ciphertext under the case's
data key (hub.crypto.envelope); the clear columns hold metadata the policy and the log need: who asked whom,
under which activity, which categories were allowed, denied, released and withheld.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp, utcnow

# "closed" is no longer written (a request on a case that closes is decided again and withdrawn, reason
# `case_closed`); it stays a valid filter value for rows from before that.
RequestStatus = Literal["open", "answered", "refused", "withdrawn", "expired", "closed"]
HandoverStatus = Literal["sent", "acknowledged", "refused"]


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class RequestStatusNow:
    """A request's status as everybody sees it at one moment (`DataRequest.status_at`)."""

    status: str
    overdue: bool  # open past its due date
    reason: str | None = None  # the policy's reason code, for a withdrawn request
    explanation: str | None = None  # and its Dutch explanation


class DataRequest(SQLModel, table=True):
    """One coordinator's request to one partner organisation, for categories under one activity."""

    __tablename__ = "data_request"
    __table_args__ = (
        sa.Index("ix_data_request_responder_status", "responder_oin", "status"),
        sa.Index("ix_data_request_case", "case_id"),
    )

    id: str = Field(default_factory=_new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", max_length=36)
    requester_oin: str = Field(max_length=20)
    requester_actor: str = Field(max_length=100)
    responder_oin: str = Field(max_length=20)
    responder_role: str = Field(max_length=32)
    activity_id: str = Field(max_length=64)
    activity_version: str = Field(max_length=32)
    categories_asked: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    categories_allowed: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    # category -> {"reason": code, "explanation": Dutch text}
    categories_denied: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    decision_id: str = Field(max_length=64)
    policy_revision: str = Field(max_length=128)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    due_at: datetime = Field(sa_type=UtcTimestamp())
    expires_at: datetime = Field(sa_type=UtcTimestamp())
    answered_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    # The request follows its case (hub.exchange.service.follow): each change of the case decides it again. Categories
    # no longer allowed move here (category -> {"reason", "explanation"}); with none left it is withdrawn.
    categories_withdrawn: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False, server_default="{}")
    )
    withdrawal_reason: str | None = Field(default=None, max_length=64)
    withdrawal_explanation: str | None = Field(default=None)
    redecision_id: str | None = Field(default=None, max_length=64)  # the last re-decision's decision id
    redecided_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    renewed_from: str | None = Field(default=None, max_length=36)  # "opnieuw vragen": the withdrawn request

    def status_at(self, now: datetime) -> RequestStatusNow:
        """The one status of this request at `now`, for the coordinator's and the responder's views and lists
        alike: an open request past its expiry is expired (before the job stores it), one past its due date
        overdue; a withdrawn request carries the policy's reason and Dutch explanation."""
        if self.status == "open" and self.expires_at <= now:
            return RequestStatusNow("expired", False)
        if self.status == "withdrawn":
            return RequestStatusNow("withdrawn", False, self.withdrawal_reason, self.withdrawal_explanation)
        return RequestStatusNow(self.status, self.status == "open" and self.due_at <= now)

    def renewable_at(self, now: datetime) -> bool:
        """Whether the coordinator may ask again ("opnieuw vragen") what this request lost to a change of its case:
        withdrawn whole, or open or answered with categories withdrawn (hub.exchange.service.follow)."""
        return bool(self.categories_withdrawn) and self.status_at(now).status in RENEWABLE


# The statuses of a request that lost categories to its case and may be asked again (DataRequest.renewable_at).
RENEWABLE = frozenset({"withdrawn", "open", "answered"})


class Answer(SQLModel, table=True):
    """The responder's answer to one request, after the answer filter; the values are encrypted."""

    __tablename__ = "data_answer"

    id: str = Field(default_factory=_new_id, primary_key=True, max_length=36)
    request_id: str = Field(foreign_key="data_request.id", unique=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", max_length=36, index=True)
    responder_oin: str = Field(max_length=20)
    responder_actor: str = Field(max_length=100)
    released_categories: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    # [{"category": ..., "field": ... | None, "reason": ...}]: what the filter held back (never the values)
    withheld: list[dict[str, Any]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    ciphertext: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    first_read_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())


class Handover(SQLModel, table=True):
    """The warm handover of a case's plan and released categories to the municipality of origin."""

    __tablename__ = "handover"

    id: str = Field(default_factory=_new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", max_length=36, index=True)
    sender_oin: str = Field(max_length=20)
    sender_actor: str = Field(max_length=100)
    recipient_oin: str = Field(max_length=20, index=True)
    activity_id: str = Field(max_length=64)
    activity_version: str = Field(max_length=32)
    categories: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    categories_denied: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    decision_id: str = Field(max_length=64)
    policy_revision: str = Field(max_length=128)
    ciphertext: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    status: str = Field(default="sent", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    first_read_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    acknowledged_by: str | None = Field(default=None, max_length=100)
