"""Table models of the cases capability: cases, their timeline and DJI's notifications.

Identifying data (BSN, name, date of birth), DJI's information sheet and the plan are stored only as
ciphertext under the case's data key (hub.crypto.envelope). The clear columns hold what the policy, the
coordinator's list and the retention job need: region, municipality, pseudonym, state, consent, risk, dates.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp, utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class CaseState(StrEnum):
    """DESIGN.md §3. Only hub.cases.lifecycle.transition() changes a case's state."""

    notified = "notified"
    screening = "screening"
    weighing = "weighing"
    plan = "plan"
    outreach = "outreach"
    handed_over = "handed_over"
    closed = "closed"


class Consent(StrEnum):
    yes = "yes"
    no = "no"
    unknown = "unknown"


class Risk(StrEnum):
    none = "none"
    signalled = "signalled"


class Origin(StrEnum):
    """The status of the municipality of origin (issue 16; policies/dt/origin holds the same statuses)."""

    notified = "notified"  # DJI named it in its notification
    determined = "determined"  # the coordinator determined it, with a reason from the register
    unknown = "unknown"  # DJI did not know it: the case is with the ZVH of the prison's region
    disputed = "disputed"  # the determined municipality contests it: the coordinator decides again


class Case(SQLModel, table=True):
    """One detention of one person, coordinated by the ZVH of the region of the municipality of origin."""

    __tablename__ = "case"
    __table_args__ = (
        sa.Index("ix_case_region_created", "region", "created_at", "id"),
        sa.Index("ix_case_subject", "subject_pseudonym"),
        sa.Index("ix_case_region_origin", "region", "origin"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    region: str = Field(max_length=64)
    municipality: str | None = Field(default=None, max_length=6)  # CBS code of origin; None while unknown
    subject_pseudonym: str = Field(max_length=64)  # keyed HMAC of the BSN (hub.crypto.pseudonym)
    state: str = Field(default=CaseState.notified.value, max_length=16)
    consent: str = Field(default=Consent.unknown.value, max_length=8)
    risk: str = Field(default=Risk.none.value, max_length=10)
    # The municipality of origin as a fact with a history (hub.origin.service; the history is on the timeline).
    origin: str = Field(default=Origin.notified.value, max_length=10, sa_column_kwargs={"server_default": "notified"})
    origin_reason: str | None = Field(default=None, max_length=40)
    origin_determination_id: str | None = Field(default=None, max_length=36)  # public_id of that timeline event
    origin_open_since: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    prison: str = Field(max_length=100)
    detention_started_on: date
    expected_release_on: date | None = None
    detention_ended_on: date | None = None
    started_notification_id: str = Field(max_length=100)
    ended_notification_id: str | None = Field(default=None, max_length=100)
    # AES-256-GCM under the case's data key; purposes "identity", "information_sheet", "plan".
    identity_ciphertext: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    information_sheet_ciphertext: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    plan_ciphertext: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    closed_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    content_destroyed_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())


class CaseEvent(SQLModel, table=True):
    """One step on a case's timeline: who (actor and organisation) did what, when. No personal data.

    `id` is internal (a global counter would show activity across regions); the API shows `public_id`."""

    __tablename__ = "case_event"
    __table_args__ = (
        sa.Index("ix_case_event_case_at", "case_id", "at", "public_id"),
        sa.Index("ux_case_event_public_id", "public_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=36)
    case_id: str = Field(foreign_key="case.id", max_length=36)
    type: str = Field(max_length=32)
    actor: str = Field(max_length=100)
    organisation_oin: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str | None = Field(default=None, max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))


class DjiNotification(SQLModel, table=True):
    """A notification received from a DJI establishment; the key of its idempotency.

    `body_digest` is a keyed HMAC of the canonical body (it holds a BSN, so never a plain hash); `result`
    is the answer given the first time, replayed on a repeat.
    """

    __tablename__ = "dji_notification"

    sender_oin: str = Field(primary_key=True, max_length=20)
    notification_id: str = Field(primary_key=True, max_length=100)
    kind: str = Field(max_length=32)  # detention_started | detention_ended
    body_digest: str = Field(max_length=64)
    case_id: str = Field(foreign_key="case.id", max_length=36, index=True)
    result: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
