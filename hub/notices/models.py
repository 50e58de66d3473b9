"""Table model of DJI's risk notices. The text is stored only as ciphertext under the case's data key for the
`risk_assessment` scope (hub.crypto.envelope), so retention destroys it with that activity's other content.

Every notice belongs to a case of the person in the region of the notice's municipality: it is there that the
coordinator sees it (its text when the mayor mandated the ZVH, only that it exists otherwise) and that its text
has a data key. `mandated` is the mandate as the registry recorded it when the notice arrived; the policy
(dt.notice_read) decides every read on it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp, utcnow

RISK_SCOPE = "risk_assessment"  # the processing activity whose data key holds the text
RISK_CATEGORY = "risk_notices"  # the catalogue's category of the text


class NoticeKind(StrEnum):
    """Pbw art. 18b (serious concern about violent or sexual offending after release) or a BIJ notification."""

    art_18b = "18b"
    bij = "bij"


class Addressee(StrEnum):
    """Who receives the notice on the mayor's behalf: the region's ZVH (mandated) or the municipality itself."""

    zvh_coordinator = "zvh_coordinator"
    municipal_security = "municipal_security"


class RiskNotice(SQLModel, table=True):
    """One notice from one DJI establishment; (sender_oin, notice_id) is the key of its idempotency."""

    __tablename__ = "risk_notice"
    __table_args__ = (
        sa.Index("ux_risk_notice_sender_notice", "sender_oin", "notice_id", unique=True),
        sa.Index("ix_risk_notice_case", "case_id"),
        sa.Index("ix_risk_notice_municipality", "municipality", "received_at", "id"),
    )

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    sender_oin: str = Field(max_length=20)
    notice_id: str = Field(max_length=100)  # DJI's own id
    kind: str = Field(max_length=8)
    municipality: str = Field(max_length=6)  # CBS code: whose mayor the notice is for
    region: str = Field(max_length=64)
    issued_on: date
    mandated: bool  # did the mayor mandate the region's ZVH when the notice arrived
    case_id: str = Field(foreign_key="case.id", max_length=36)
    subject_pseudonym: str = Field(max_length=64)
    # Keyed HMAC per body field (never a plain hash: the body holds a BSN), to name the field a repeat changed.
    field_digests: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    result: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # the first answer, replayed
    text_ciphertext: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())

    @property
    def addressee(self) -> Addressee:
        return Addressee.zvh_coordinator if self.mandated else Addressee.municipal_security
