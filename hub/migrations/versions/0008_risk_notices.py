"""notices: DJI's risk notices (Pbw art. 18b and BIJ, issue 16), each on a case, its text encrypted.

Revision ID: 0008_risk_notices
Revises: 0007_case_event_public_id
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008_risk_notices"
down_revision = "0007_case_event_public_id"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "risk_notice",
        sa.Column("id", _str(length=36), nullable=False),
        sa.Column("sender_oin", _str(length=20), nullable=False),
        sa.Column("notice_id", _str(length=100), nullable=False),
        sa.Column("kind", _str(length=8), nullable=False),
        sa.Column("municipality", _str(length=6), nullable=False),
        sa.Column("region", _str(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("mandated", sa.Boolean(), nullable=False),
        sa.Column("case_id", _str(length=36), nullable=False),
        sa.Column("subject_pseudonym", _str(length=64), nullable=False),
        sa.Column("field_digests", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("text_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_risk_notice_sender_notice", "risk_notice", ["sender_oin", "notice_id"], unique=True)
    op.create_index("ix_risk_notice_case", "risk_notice", ["case_id"])
    op.create_index("ix_risk_notice_municipality", "risk_notice", ["municipality", "received_at", "id"])


def downgrade() -> None:
    op.drop_table("risk_notice")
