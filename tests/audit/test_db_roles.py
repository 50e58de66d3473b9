"""The runtime role on PostgreSQL (review H6): with migration 0006's grants, hub_app may only SELECT and INSERT
the disclosure log. Checked for real inside one transaction that is rolled back, so the role never outlives
the test (CREATE ROLE is transactional in PostgreSQL)."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

hardening = importlib.import_module("hub.migrations.versions.0006_audit_hardening")


@pytest.fixture
def as_runtime_role(engine):
    """A connection acting as hub_app, with exactly the grants of migration 0006 (rolled back afterwards)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("CREATE ROLE hub_app NOLOGIN NOSUPERUSER"))
        connection.execute(text(hardening._PG_GRANTS))
        connection.execute(text("SET LOCAL ROLE hub_app"))
        try:
            yield connection
        finally:
            transaction.rollback()


def test_runtime_role_has_only_select_and_insert_on_the_log(as_runtime_role):
    """Table privileges of hub_app on the two log tables: SELECT and INSERT, nothing else."""
    rows = as_runtime_role.execute(
        text(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'hub_app' ORDER BY 1, 2"
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("audit_checkpoint", "INSERT"),
        ("audit_checkpoint", "SELECT"),
        ("audit_record", "INSERT"),
        ("audit_record", "SELECT"),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_record SET to_actor = 'x'",
        "DELETE FROM audit_record",
        "TRUNCATE audit_record",
        "ALTER TABLE audit_record DISABLE TRIGGER USER",
        "DROP TRIGGER audit_record_append_only ON audit_record",
        "DELETE FROM audit_checkpoint",
    ],
)
def test_runtime_role_cannot_rewrite_or_unprotect_the_log(as_runtime_role, statement):
    """Every way to change, remove or unprotect log rows is refused to hub_app by PostgreSQL itself."""
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        as_runtime_role.execute(text(statement))
