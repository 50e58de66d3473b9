"""web: server-side sessions of people signed in to the screens (logout and idle expiry across replicas).

Revision ID: 0007_web
Revises: 0001_foundation
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007_web"
down_revision = "0001_foundation"
branch_labels = ("web",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_session_last_seen_at", "web_session", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_web_session_last_seen_at", table_name="web_session")
    op.drop_table("web_session")
