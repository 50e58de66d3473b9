"""cases: the municipality of origin as a fact with a history (issue 16, part 2).

DJI may send no municipality (`municipality: null`): the case then goes to the ZVH of the prison's region with
its origin `unknown`, and `case.municipality` stays empty until the coordinator determines it. New columns:

- `origin`: notified (DJI named it) | determined (the coordinator) | unknown | disputed (a municipality contests);
- `origin_reason`: the register's reason of the coordinator's determination (policies/dt/origin);
- `origin_determination_id`: the timeline event (`origin_determined`) that made the current determination;
- `origin_open_since`: since when the case has no undisputed municipality (the work queue's signal).

Existing cases keep DJI's municipality: `origin` = notified. On SQLite the nullability change copies the table;
hub/migrations/env.py runs migrations with foreign keys off and checks them before the commit.

Revision ID: 0008_case_origin
Revises: 0007_case_event_public_id
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008_case_origin"
down_revision = "0007_case_event_public_id"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("origin", _str(length=10), nullable=False, server_default="notified"))
        batch.add_column(sa.Column("origin_reason", _str(length=40), nullable=True))
        batch.add_column(sa.Column("origin_determination_id", _str(length=36), nullable=True))
        batch.add_column(sa.Column("origin_open_since", _ts, nullable=True))
        batch.alter_column("municipality", existing_type=_str(length=6), nullable=True)
    op.create_index("ix_case_region_origin", "case", ["region", "origin"])


def downgrade() -> None:
    op.drop_index("ix_case_region_origin", table_name="case")
    with op.batch_alter_table("case") as batch:
        batch.alter_column("municipality", existing_type=_str(length=6), nullable=False)
        batch.drop_column("origin_open_since")
        batch.drop_column("origin_determination_id")
        batch.drop_column("origin_reason")
        batch.drop_column("origin")
