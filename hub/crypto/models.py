"""Table models of the crypto capability: the per-case data keys of envelope encryption."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp, utcnow

CASE_SCOPE = "case"


class CaseKey(SQLModel, table=True):
    """A case's data key for one scope, wrapped by the key-encryption key (settings.data_kek).

    `scope` is "case" for the case's own content (identity, information sheet, plan) or a processing
    activity id for content exchanged under that activity, so that retention can destroy each activity's
    content on its own date. Destroying sets `wrapped_key` to NULL and `destroyed_at`: the row stays as
    proof of when the content became unreadable (crypto-shredding).
    """

    __tablename__ = "case_key"

    case_id: str = Field(foreign_key="case.id", primary_key=True, max_length=36)
    scope: str = Field(default=CASE_SCOPE, primary_key=True, max_length=64)
    wrapped_key: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    kek_id: str = Field(max_length=16)  # which key-encryption key wrapped it (for rotation)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    destroyed_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
