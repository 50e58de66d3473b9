"""monitoring: anonymous statistics rows and the fact groups each case has written (issue 14, item 2).

Revision ID: 0008_monitoring
Revises: 0007_case_event_public_id
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008_monitoring"
down_revision = "0007_case_event_public_id"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "monitoring_fact",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("region", _str(length=64), nullable=False),
        sa.Column("municipality", _str(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", _str(length=40), nullable=False),
        sa.Column("item", _str(length=40), nullable=False),
        sa.Column("value", _str(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitoring_fact_region_year", "monitoring_fact", ["region", "year", "measure"])
    op.create_table(
        "monitoring_written",
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("group", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id", "group"),
    )


def downgrade() -> None:
    op.drop_table("monitoring_written")
    op.drop_index("ix_monitoring_fact_region_year", table_name="monitoring_fact")
    op.drop_table("monitoring_fact")
