"""The auth migration branch creates exactly the auth tables the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from hub.auth.models import AccessToken, UsedAssertion

AUTH_TABLES = {AccessToken.__tablename__, UsedAssertion.__tablename__}


def test_auth_tables_match_the_models(engine):
    """Autogenerate finds no difference between the auth models and the migrated auth tables."""
    metadata = MetaData()
    for model in (AccessToken, UsedAssertion):
        model.__table__.to_metadata(metadata)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": lambda name, kind, _p: kind != "table" or name in AUTH_TABLES},
        )
        assert compare_metadata(context, metadata) == []


def test_auth_branch_is_applied(engine):
    """Both auth tables exist after `upgrade heads`, with the expected indexes."""
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= AUTH_TABLES
    indexes = {i["name"] for i in inspector.get_indexes("auth_access_token")}
    assert {"ix_auth_access_token_client_id", "ix_auth_access_token_expires_at"} <= indexes
