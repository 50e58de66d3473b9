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
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hub migrate`")
run_migrations_online()
