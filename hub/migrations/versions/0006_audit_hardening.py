"""audit hardening (security review H6, L9): authenticated records, inspection filters, a least-privilege role.

- `audit_record.mac`: HMAC-SHA256 of the record's hash under HUB_LOG_MAC_KEY, a key the database never sees.
  Not part of the hashed content (it is computed over the hash). Verification with the key refuses a record
  without a valid MAC, so a plain INSERT or a rehashed tail is detected.
- `audit_record.query_filter`: the full filter of an inspection (non-personal values only). Part of the hashed
  content when set; records written before it existed hash as before.
- PostgreSQL: when the runtime role `hub_app` exists (created by deploy/postgres/init-roles.sh), it may only
  SELECT and INSERT the log tables: no UPDATE, DELETE, TRUNCATE, trigger rights or ownership. The owner role
  that runs the migrations keeps the prune (`hub audit prune`, run by an operator with the owner URL).

Revision ID: 0006_audit_hardening
Revises: 0003_audit
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_audit_hardening"
down_revision = "0003_audit"
branch_labels = None
depends_on = None

# The runtime role (deploy/postgres/init-roles.sh); named literally in the SQL below.
RUNTIME_ROLE = "hub_app"

_PG_GRANTS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_app') THEN
        REVOKE ALL ON audit_record, audit_checkpoint FROM hub_app;
        GRANT SELECT, INSERT ON audit_record, audit_checkpoint TO hub_app;
        REVOKE ALL ON SEQUENCE audit_checkpoint_id_seq FROM hub_app;
        GRANT USAGE, SELECT ON SEQUENCE audit_checkpoint_id_seq TO hub_app;
    END IF;
END
$$;
"""


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (a batch copy on SQLite would drop the append-only triggers).
    op.add_column("audit_record", sa.Column("mac", sa.String(64), nullable=True))
    op.add_column("audit_record", sa.Column("query_filter", sa.JSON(none_as_null=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GRANTS)


def downgrade() -> None:
    op.drop_column("audit_record", "query_filter")
    op.drop_column("audit_record", "mac")
