"""exchange: requests follow their case (issue 17): withdrawn categories, the withdrawal's reason, the last
re-decision, and the request a renewal ("opnieuw vragen") asks again.

Revision ID: 0007_exchange_follow
Revises: 0005_exchange
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007_exchange_follow"
down_revision = "0005_exchange"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Plain ADD COLUMN on both databases; existing requests have nothing withdrawn.
    op.add_column("data_request", sa.Column("categories_withdrawn", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("data_request", sa.Column("withdrawal_reason", _str(length=64), nullable=True))
    op.add_column("data_request", sa.Column("withdrawal_explanation", _str(), nullable=True))
    op.add_column("data_request", sa.Column("redecision_id", _str(length=64), nullable=True))
    op.add_column("data_request", sa.Column("redecided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("data_request", sa.Column("renewed_from", _str(length=36), nullable=True))


def downgrade() -> None:
    for column in (
        "renewed_from",
        "redecided_at",
        "redecision_id",
        "withdrawal_explanation",
        "withdrawal_reason",
        "categories_withdrawn",
    ):
        op.drop_column("data_request", column)
