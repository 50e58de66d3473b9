"""Table models of the auth capability: used client-assertion ids and issued access tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp


def _utc(nullable: bool = False, index: bool = False) -> Column:
    return Column(UtcTimestamp(), nullable=nullable, index=index)


class UsedAssertion(SQLModel, table=True):
    """A private_key_jwt assertion `jti` that was accepted once (RFC 7523 §3 item 7); kept until it expires."""

    __tablename__ = "auth_used_assertion"

    client_id: str = Field(primary_key=True, max_length=64)
    jti: str = Field(primary_key=True, max_length=256)
    expires_at: dt.datetime = Field(sa_column=_utc(index=True))


class AccessToken(SQLModel, table=True):
    """An access token the hub issued (by its jti, never the token itself), and its revocation."""

    __tablename__ = "auth_access_token"

    jti: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(index=True, max_length=64)
    scope: str = Field(max_length=1000)
    issued_at: dt.datetime = Field(sa_column=_utc())
    expires_at: dt.datetime = Field(sa_column=_utc(index=True))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    cnf_thumbprint: str | None = Field(default=None, max_length=64)
