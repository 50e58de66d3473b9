"""Table models of the audit capability: the disclosure log and its signed checkpoints.

A log record follows DESIGN.md §5, the Logboek Dataverwerkingen core (trace and span id, processing activity
id and version, a pseudonymised data subject with its id type) and VNG Verwerkingenlogging (executing and
receiving organisation by OIN, retention, confidentiality). It never holds a BSN or any answer content:
only categories, reason codes, identifiers and hashes.

Both tables are append-only. On PostgreSQL and SQLite a trigger (migration 0003_audit) refuses UPDATE,
DELETE and TRUNCATE; the only exception is the documented prune of records at or below a signed anchor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.timestamps import UtcTimestamp

HASH_LEN = 64  # hex SHA-256


class AuditRecord(SQLModel, table=True):
    """One event that touched personal data, chained to its predecessor by hash."""

    __tablename__ = "audit_record"
    __table_args__ = (
        sa.Index("ix_audit_record_subject_pseudonym", "subject_pseudonym", "seq"),
        sa.Index("ix_audit_record_case_id", "case_id"),
        sa.Index("ix_audit_record_event_time", "event_time"),
        sa.Index("ix_audit_record_type_time", "event_type", "event_time"),  # the officer's reports (0008)
        sa.Index("ix_audit_record_to_oin", "to_oin"),
        sa.Index("ix_audit_record_from_oin", "from_oin"),
        sa.Index("ix_audit_record_decision_id", "decision_id"),
    )

    seq: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    record_id: str = Field(sa_column=sa.Column(sa.String(36), nullable=False, unique=True))
    event_type: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    event_time: dt.datetime = Field(sa_column=sa.Column(UtcTimestamp(), nullable=False))
    recorded_time: dt.datetime = Field(sa_column=sa.Column(UtcTimestamp(), nullable=False))

    case_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    data_request_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    trace_id: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    span_id: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    parent_span_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(16), nullable=True))

    activity_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    activity_version: str | None = Field(default=None, sa_column=sa.Column(sa.String(32), nullable=True))
    purpose: str | None = Field(default=None, sa_column=sa.Column(sa.String(200), nullable=True))
    legal_basis: str | None = Field(default=None, sa_column=sa.Column(sa.String(500), nullable=True))
    retention_days: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    confidentiality: str | None = Field(default=None, sa_column=sa.Column(sa.String(40), nullable=True))

    subject_pseudonym: str | None = Field(default=None, sa_column=sa.Column(sa.String(HASH_LEN), nullable=True))
    subject_id_type: str | None = Field(default=None, sa_column=sa.Column(sa.String(40), nullable=True))

    from_oin: str | None = Field(default=None, sa_column=sa.Column(sa.String(20), nullable=True))
    to_oin: str | None = Field(default=None, sa_column=sa.Column(sa.String(20), nullable=True))
    from_actor: str | None = Field(default=None, sa_column=sa.Column(sa.String(100), nullable=True))
    to_actor: str | None = Field(default=None, sa_column=sa.Column(sa.String(100), nullable=True))

    categories_released: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    categories_withheld: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    denial_reasons: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))

    decision_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    # "sha256:" + 64 hex, or another algorithm's prefix: room beyond a bare hash.
    policy_revision: str | None = Field(default=None, sa_column=sa.Column(sa.String(100), nullable=True))

    prev_hash: str = Field(sa_column=sa.Column(sa.String(HASH_LEN), nullable=False))
    hash: str = Field(sa_column=sa.Column(sa.String(HASH_LEN), nullable=False))
    # HMAC-SHA256 of `hash` under HUB_LOG_MAC_KEY (never in the database); not hashed itself.
    mac: str | None = Field(default=None, sa_column=sa.Column(sa.String(HASH_LEN), nullable=True))
    # An inspection's full filter (period, case, subject pseudonym, partner, activity, decision, event type,
    # report, region): non-personal values only. Hashed when set (migration 0006_audit_hardening).
    query_filter: dict[str, str] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(none_as_null=True), nullable=True)
    )


class AuditCheckpoint(SQLModel, table=True):
    """A signed seal over the chain head: (sequence, head hash, time) under the hub's Ed25519 log key.

    kind "checkpoint" seals the chain periodically; kind "anchor" is written by the prune job before it
    removes the records at or below `seq`, and verification then starts from it.
    """

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=True))
    kind: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    seq: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    head_hash: str = Field(sa_column=sa.Column(sa.String(HASH_LEN), nullable=False))
    signed_at: dt.datetime = Field(sa_column=sa.Column(UtcTimestamp(), nullable=False))
    key_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    signature: str = Field(sa_column=sa.Column(sa.String(128), nullable=False))
