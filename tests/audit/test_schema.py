"""The audit tables as migrated agree exactly with the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.models import metadata

AUDIT_TABLES = {"audit_record", "audit_checkpoint"}


def _mentions_audit(difference) -> bool:
    return any(name in repr(difference) for name in AUDIT_TABLES)


def test_audit_migration_matches_the_models(engine):
    """Autogenerate finds no difference for the audit tables after `upgrade heads` (types compared)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, metadata) if _mentions_audit(d)]
    assert differences == []
