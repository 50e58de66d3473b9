"""exchange: data requests, their encrypted answers, and handovers.

Revision ID: 0005_exchange
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005_exchange"
down_revision = "0001_foundation"
branch_labels = ("exchange",)
depends_on = "0004_cases"  # the foreign keys to `case`

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "data_request",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("requester_oin", _str(length=20), nullable=False),
        sa.Column("requester_actor", _str(length=100), nullable=False),
        sa.Column("responder_oin", _str(length=20), nullable=False),
        sa.Column("responder_role", _str(length=32), nullable=False),
        sa.Column("activity_id", _str(length=64), nullable=False),
        sa.Column("activity_version", _str(length=32), nullable=False),
        sa.Column("categories_asked", sa.JSON(), nullable=False),
        sa.Column("categories_allowed", sa.JSON(), nullable=False),
        sa.Column("categories_denied", sa.JSON(), nullable=False),
        sa.Column("decision_id", _str(length=64), nullable=False),
        sa.Column("policy_revision", _str(length=128), nullable=False),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_request_responder_status", "data_request", ["responder_oin", "status"])
    op.create_index("ix_data_request_case", "data_request", ["case_id"])
    op.create_table(
        "data_answer",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("request_id", _str(length=36), nullable=False),
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("responder_oin", _str(length=20), nullable=False),
        sa.Column("responder_actor", _str(length=100), nullable=False),
        sa.Column("released_categories", sa.JSON(), nullable=False),
        sa.Column("withheld", sa.JSON(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["data_request.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index("ix_data_answer_case_id", "data_answer", ["case_id"])
    op.create_table(
        "handover",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("sender_oin", _str(length=20), nullable=False),
        sa.Column("sender_actor", _str(length=100), nullable=False),
        sa.Column("recipient_oin", _str(length=20), nullable=False),
        sa.Column("activity_id", _str(length=64), nullable=False),
        sa.Column("activity_version", _str(length=32), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("categories_denied", sa.JSON(), nullable=False),
        sa.Column("decision_id", _str(length=64), nullable=False),
        sa.Column("policy_revision", _str(length=128), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", _str(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_case_id", "handover", ["case_id"])
    op.create_index("ix_handover_recipient_oin", "handover", ["recipient_oin"])


def downgrade() -> None:
    op.drop_index("ix_handover_recipient_oin", table_name="handover")
    op.drop_index("ix_handover_case_id", table_name="handover")
    op.drop_table("handover")
    op.drop_index("ix_data_answer_case_id", table_name="data_answer")
    op.drop_table("data_answer")
    op.drop_index("ix_data_request_case", table_name="data_request")
    op.drop_index("ix_data_request_responder_status", table_name="data_request")
    op.drop_table("data_request")
