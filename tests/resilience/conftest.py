"""Fixtures for the resilience tests: a real hub served by uvicorn with two workers, the database made
unavailable for real (PostgreSQL: connections refused and the open ones terminated; SQLite: the files
overwritten), and the checks of hub.consistency afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.config import Settings, normalise_database_url
from hub.consistency import check_acknowledged, check_disclosures, verify_log
from hub.db import make_engine
from partners.hubprocess import HubProcess
from partners.load import Ledger


@pytest.fixture
def hub_process(database_url: str, tmp_path: Path) -> Iterator[HubProcess]:
    """`hub serve --workers 2` on a free 127.0.0.1 port against this test's own database; always stopped."""
    hub = HubProcess(database_url, workers=2, log_path=tmp_path / "hub.log")
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def _admin(database_url: str):
    url = make_url(normalise_database_url(database_url))
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT"), url.database


def cut_database(database_url: str) -> Callable[[], None]:
    """Make this test's own database unavailable now; return a function that restores it (PostgreSQL)
    or does nothing (SQLite: the files are overwritten, there is nothing to restore)."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        # The database, its -wal and -shm; not the witness folder beside it (hub.db.witness), which exists
        # once a seal has run and which the database cannot change anyway.
        for part in (path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")):
            if not part.is_file():
                continue
            size = max(part.stat().st_size, 4096)
            with open(part, "r+b") as handle:  # in place: the hub's open connections see it too
                handle.write(b"\xa5" * size)
        return lambda: None
    admin, name = _admin(database_url)
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )

    def restore() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()

    return restore


def assert_nothing_lost(database_url: str, ledger: Ledger) -> None:
    """Every acknowledged exchange is stored, every disclosure has its record, and the chain verifies."""
    engine = make_engine(database_url)
    try:
        assert check_acknowledged(engine, ledger.acks) == []
        assert check_disclosures(engine) == []
        result = verify_log(engine, Settings(env="dev", database_url=database_url))
        assert result.ok, result.as_dict()
        assert result.records_checked > 0
    finally:
        engine.dispose()
