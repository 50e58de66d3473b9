"""Alembic migrations: they run on both databases and agree exactly with the SQLModel models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from hub.migrations import alembic_config
from hub.models import metadata


def test_migrated_schema_matches_the_models(engine):
    """Autogenerate finds nothing to change after `upgrade heads`: models and migrations agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_model_table_exists_after_migration(engine):
    """Every table the models declare was created by the migrations."""
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_every_branch_grows_from_the_foundation(database_url):
    """Each capability's migration branch starts at 0001_foundation, so `upgrade heads` is one tree."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    bases = script.get_bases()
    assert bases == ["0001_foundation"]
