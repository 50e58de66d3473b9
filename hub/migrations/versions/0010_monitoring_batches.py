"""monitoring: statistics rows wait in `monitoring_pending` and reach `monitoring_fact` in batches of several
cases, and `monitoring_fact` loses the month (second reader's finding: the order rows were written in, and a
municipality-month with one case, could tie a case's rows to its `statistics_written` record).

Revision ID: 0010_monitoring_batches
Revises: 0009_monitoring_snapshot
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0010_monitoring_batches"
down_revision = "0009_monitoring_snapshot"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "monitoring_pending",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("region", _str(length=64), nullable=False),
        sa.Column("municipality", _str(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("batch", _str(length=32), nullable=False),
        sa.Column("measure", _str(length=40), nullable=False),
        sa.Column("item", _str(length=40), nullable=False),
        sa.Column("value", _str(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitoring_pending_batch", "monitoring_pending", ["region", "municipality", "year", "batch"])
    with op.batch_alter_table("monitoring_fact") as table:
        table.drop_column("month")


def downgrade() -> None:
    with op.batch_alter_table("monitoring_fact") as table:
        table.add_column(sa.Column("month", sa.Integer(), nullable=False, server_default="1"))
    # The rows still waiting for their batch are statistics too (their cases' markers in monitoring_written
    # stay): move them into monitoring_fact before the table goes. Their month was never kept; they get the
    # neutral month 1 (January), as the rows already in monitoring_fact do from the column's default.
    op.execute(
        "INSERT INTO monitoring_fact (id, region, municipality, year, month, measure, item, value, number) "
        "SELECT id, region, municipality, year, 1, measure, item, value, number FROM monitoring_pending"
    )
    op.drop_index("ix_monitoring_pending_batch", table_name="monitoring_pending")
    op.drop_table("monitoring_pending")
