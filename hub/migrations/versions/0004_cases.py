"""cases: cases, their timeline, DJI notifications, per-case data keys, idempotency keys.

Revision ID: 0004_cases
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004_cases"
down_revision = "0001_foundation"
branch_labels = ("cases",)
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("region", _str(length=64), nullable=False),
        sa.Column("municipality", _str(length=6), nullable=False),
        sa.Column("subject_pseudonym", _str(length=64), nullable=False),
        sa.Column("state", _str(length=16), nullable=False),
        sa.Column("consent", _str(length=8), nullable=False),
        sa.Column("risk", _str(length=10), nullable=False),
        sa.Column("prison", _str(length=100), nullable=False),
        sa.Column("detention_started_on", sa.Date(), nullable=False),
        sa.Column("expected_release_on", sa.Date(), nullable=True),
        sa.Column("detention_ended_on", sa.Date(), nullable=True),
        sa.Column("started_notification_id", _str(length=100), nullable=False),
        sa.Column("ended_notification_id", _str(length=100), nullable=True),
        sa.Column("identity_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("information_sheet_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("plan_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("updated_at", _ts, nullable=False),
        sa.Column("closed_at", _ts, nullable=True),
        sa.Column("content_destroyed_at", _ts, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_region_created", "case", ["region", "created_at", "id"])
    op.create_index("ix_case_subject", "case", ["subject_pseudonym"])

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("type", _str(length=32), nullable=False),
        sa.Column("actor", _str(length=100), nullable=False),
        sa.Column("organisation_oin", _str(length=20), nullable=False),
        sa.Column("at", _ts, nullable=False),
        sa.Column("from_state", _str(length=16), nullable=True),
        sa.Column("to_state", _str(length=16), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_event_case_at", "case_event", ["case_id", "at", "id"])

    op.create_table(
        "dji_notification",
        sa.Column("sender_oin", _str(length=20), nullable=False),
        sa.Column("notification_id", _str(length=100), nullable=False),
        sa.Column("kind", _str(length=32), nullable=False),
        sa.Column("body_digest", _str(length=64), nullable=False),
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("received_at", _ts, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("sender_oin", "notification_id"),
    )
    op.create_index("ix_dji_notification_case_id", "dji_notification", ["case_id"])

    op.create_table(
        "case_key",
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("scope", _str(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("kek_id", _str(length=16), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("destroyed_at", _ts, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id", "scope"),
    )

    op.create_table(
        "idempotency_key",
        sa.Column("client_id", _str(length=100), nullable=False),
        sa.Column("key", _str(length=255), nullable=False),
        sa.Column("request_digest", _str(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("media_type", _str(length=100), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.PrimaryKeyConstraint("client_id", "key"),
    )
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])


def downgrade() -> None:
    op.drop_table("idempotency_key")
    op.drop_table("case_key")
    op.drop_table("dji_notification")
    op.drop_table("case_event")
    op.drop_table("case")
