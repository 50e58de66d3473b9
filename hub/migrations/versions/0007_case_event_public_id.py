"""cases: timeline events get a UUID for the API (issue 12, item 12).

The integer `case_event.id` is a global counter: exposed (as the event id, or inside a page cursor) it tells a
partner how much happens in other regions. The API now shows `public_id`, a random UUID, and pages the timeline
by (at, public_id); the integer stays the internal key only. Existing events get a UUID each.

Revision ID: 0007_case_event_public_id
Revises: 0004_cases
Create Date: 2026-12-04
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007_case_event_public_id"
down_revision = "0004_cases"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.add_column("case_event", sa.Column("public_id", _str(length=36), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM case_event"))]
    for event_id in ids:
        connection.execute(
            sa.text("UPDATE case_event SET public_id = :public WHERE id = :id"),
            {"public": str(uuid.uuid4()), "id": event_id},
        )
    with op.batch_alter_table("case_event") as batch:
        batch.alter_column("public_id", existing_type=_str(length=36), nullable=False)
    op.drop_index("ix_case_event_case_at", table_name="case_event")
    op.create_index("ix_case_event_case_at", "case_event", ["case_id", "at", "public_id"])
    op.create_index("ux_case_event_public_id", "case_event", ["public_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_case_event_public_id", table_name="case_event")
    op.drop_index("ix_case_event_case_at", table_name="case_event")
    op.create_index("ix_case_event_case_at", "case_event", ["case_id", "at", "id"])
    with op.batch_alter_table("case_event") as batch:
        batch.drop_column("public_id")
