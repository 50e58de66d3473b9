"""monitoring: a region's figures for a year, frozen once the year is over (second reader's finding: a live
monitor could be differenced over time).

Revision ID: 0009_monitoring_snapshot
Revises: 0008_monitoring
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009_monitoring_snapshot"
down_revision = "0008_monitoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitoring_snapshot",
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("region", "year"),
    )


def downgrade() -> None:
    op.drop_table("monitoring_snapshot")
