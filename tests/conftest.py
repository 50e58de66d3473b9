"""Shared fixtures: a real, migrated, isolated database per test, on SQLite and (when configured) PostgreSQL.

Migrations run once per test session into a template; each test gets its own copy (a file copy on SQLite,
`CREATE DATABASE ... TEMPLATE` on PostgreSQL), so tests are isolated without mocks and without deleting
from the append-only log.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from hub.config import Settings, normalise_database_url
from hub.crypto.devkeys import generate as generate_dev_keys
from hub.db import make_engine
from hub.migrations import upgrade
from tests.support.apps import checked_out

pytest_plugins = [
    "tests.support.auth",  # partner_client, auth_headers, dev_registry, make_caller
    "tests.support.scenario",  # scenario, scenario_clients: the seed scenario against the test app
    "tests.support.keys",  # the hub's token-signing key, imported once per test session
]

PG_URL = os.environ.get("HUB_TEST_DATABASE_URL")
PG_SKIP_REASON = "HUB_TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", autouse=True)
def _dev_keys() -> None:
    generate_dev_keys()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _pg_admin_engine() -> Engine:
    url = make_url(normalise_database_url(PG_URL or ""))
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    name = f"hub_tpl_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_database_url(PG_URL)).set(database=name)
    upgrade(url.render_as_string(hide_password=False))
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a freshly migrated database that belongs to this test alone."""
    with fresh_database(request, tmp_path) as url:
        yield url


@contextmanager
def fresh_database(request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    """A freshly migrated database on the backend `request.param` (a BACKENDS fixture of any scope)."""
    if request.param == "sqlite":
        path = directory / "hub.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"hub_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(normalise_database_url(PG_URL or "")).set(database=name).render_as_string(hide_password=False)
    # Dropped at once: measured here, a copy made ahead of its test (in a background thread) or dropped later
    # took the server 5-10 times longer to drop than one dropped right after its test (~0.2 s).
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # The witness store of this test's own database (a shared one would hold other tests' checkpoints).
    return Settings(env="dev", database_url=database_url, log_json=True, log_witness_dir=tmp_path / "witness")


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The app for these settings, on this test's database: built once per process for each configuration
    (tests.support.apps), its state put back after the test."""
    with checked_out(settings) as app:
        yield app


@pytest.fixture
def client(app) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client
