"""Alembic migrations. Each capability has its own branch from the foundation revision; `upgrade heads`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from hub.config import normalise_database_url

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.set_main_option("sqlalchemy.url", normalise_database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "heads")
