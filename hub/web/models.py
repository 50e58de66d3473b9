"""The people's sessions, kept server-side so that every replica agrees on logout and idle expiry.

The cookie carries a random token; the row is keyed by its SHA-256, so a database read does not yield a
usable cookie. `data` holds the signed-in employee (partner client_id, employee id, display name) and, during
sign-in, authlib's state/nonce/PKCE verifier. No BSN or other personal data of a detainee is ever put here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp, utcnow


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie's token
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp(), index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
