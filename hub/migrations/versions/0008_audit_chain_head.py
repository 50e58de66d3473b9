"""audit chain head in one statement (issue 15): lock the chain and read its head in one round trip.

PostgreSQL only: `audit_chain_head_locked(lock_key)` takes the transaction-scoped advisory lock that serialises
appends (hub.audit.service.CHAIN_LOCK_KEY) and then reads the last record's (seq, hash). It is VOLATILE, so
its query takes a fresh snapshot after the lock was granted (READ COMMITTED): it sees every record committed by
the appender it waited for, as the separate `SELECT pg_advisory_xact_lock(...)` and head read did in two
statements. SECURITY INVOKER (the default): it reads with the caller's rights (hub_app may SELECT the log).
SQLite has nothing to add: BEGIN IMMEDIATE already holds the write lock, and the head read is one statement.

Revision ID: 0008_audit_chain_head
Revises: 0006_audit_hardening
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0008_audit_chain_head"
down_revision = "0006_audit_hardening"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_head_locked(lock_key bigint)
RETURNS TABLE (head_seq bigint, head_hash text) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT r.seq::bigint, r.hash::text FROM audit_record r ORDER BY r.seq DESC LIMIT 1;
END
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head_locked(bigint)")
