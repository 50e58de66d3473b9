from __future__ import annotations

from alembic import context

from hub.db import make_engine
from hub.models import metadata

config = context.config


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:  # hub.migrations.run sets it from the settings
        raise RuntimeError("alembic's sqlalchemy.url is not set")
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one (0008_case_origin); with foreign keys on,
            # that drop fails while other tables point at it. SQLite takes this pragma only outside a
            # transaction: set on the DBAPI connection before alembic's begins, checked before its commit.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("a migration left rows whose foreign keys point nowhere")
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hub migrate`")
run_migrations_online()
