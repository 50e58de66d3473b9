"""Audit: the append-only disclosure log and its signed checkpoints.

Both tables refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE through triggers. The one narrow exception is
the prune of old records (hub.audit.retention.prune): a DELETE of a log record passes only when

  1. a stored checkpoint of kind 'anchor' covers the record (anchor.seq >= record.seq), and
  2. on PostgreSQL, the transaction has set `hub.audit_prune_upto` (SET LOCAL, so it dies with the
     transaction) to a value >= record.seq. Only the prune function sets it.

The trigger cannot check the anchor's Ed25519 signature; the verifier does, and starts only from an anchor
whose signature holds, so a forged anchor row makes verification fail rather than pass. Checkpoints are
never deleted.

Revision ID: 0003_audit
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit"
down_revision = "0001_foundation"
branch_labels = ("audit",)
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    upto text := current_setting('hub.audit_prune_upto', true);
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_record' AND upto IS NOT NULL AND upto <> ''
       AND OLD.seq <= upto::bigint
       AND EXISTS (SELECT 1 FROM audit_checkpoint c WHERE c.kind = 'anchor' AND c.seq >= OLD.seq) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the disclosure log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _create_tables() -> None:
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("data_request_id", sa.String(64), nullable=True),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("parent_span_id", sa.String(16), nullable=True),
        sa.Column("activity_id", sa.String(64), nullable=True),
        sa.Column("activity_version", sa.String(32), nullable=True),
        sa.Column("purpose", sa.String(200), nullable=True),
        sa.Column("legal_basis", sa.String(500), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("confidentiality", sa.String(40), nullable=True),
        sa.Column("subject_pseudonym", sa.String(64), nullable=True),
        sa.Column("subject_id_type", sa.String(40), nullable=True),
        sa.Column("from_oin", sa.String(20), nullable=True),
        sa.Column("to_oin", sa.String(20), nullable=True),
        sa.Column("from_actor", sa.String(100), nullable=True),
        sa.Column("to_actor", sa.String(100), nullable=True),
        sa.Column("categories_released", sa.JSON(), nullable=False),
        sa.Column("categories_withheld", sa.JSON(), nullable=False),
        sa.Column("denial_reasons", sa.JSON(), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("policy_revision", sa.String(100), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_record_subject_pseudonym", "audit_record", ["subject_pseudonym", "seq"])
    op.create_index("ix_audit_record_case_id", "audit_record", ["case_id"])
    op.create_index("ix_audit_record_event_time", "audit_record", ["event_time"])
    op.create_index("ix_audit_record_to_oin", "audit_record", ["to_oin"])
    op.create_index("ix_audit_record_from_oin", "audit_record", ["from_oin"])
    op.create_index("ix_audit_record_decision_id", "audit_record", ["decision_id"])
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    op.create_index("ix_audit_checkpoint_seq", "audit_checkpoint", ["seq"])


def _create_postgres_triggers() -> None:
    op.execute(_PG_FUNCTION)
    for table in ("audit_record", "audit_checkpoint"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def _create_sqlite_triggers() -> None:
    # SQLite has no TRUNCATE (a DELETE without WHERE fires the row trigger) and no session settings:
    # a record may be deleted only when a stored anchor covers it.
    op.execute(
        "CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record "
        "BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record "
        "WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoint c WHERE c.kind = 'anchor' AND c.seq >= OLD.seq) "
        "BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only: DELETE refused'); END"
    )
    for op_name in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_checkpoint_no_{op_name.lower()} BEFORE {op_name} ON audit_checkpoint "
            f"BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only: {op_name} refused'); END"
        )


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name == "postgresql":
        _create_postgres_triggers()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("audit_record", "audit_checkpoint"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_record")
