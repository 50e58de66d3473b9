"""SQLite write queue (hub.db): threads of one process queue for the write lock, and a refusal frees the queue."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import exc, text

from hub import db


@pytest.fixture
def engines(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT", 0.3)
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    mine, other = db.make_engine(url), db.make_engine(url)  # `other` stands for a second worker process
    with mine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield mine, other
    mine.dispose()
    other.dispose()


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM t")).scalar_one()


def test_writer_of_another_process_makes_begin_fail_as_operational_error(engines):
    """While another process holds the write lock, BEGIN is refused as OperationalError (hub.errors: 503)."""
    mine, other = engines
    with other.connect() as holder:
        holder.begin()
        holder.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(exc.OperationalError), mine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        holder.commit()
    assert _count(mine) == 1


def test_refusal_and_rollback_release_the_process_queue(engines):
    """After a refused BEGIN and after a failed statement the next transaction of the process still runs."""
    mine, other = engines
    with other.connect() as holder:
        holder.begin()
        holder.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(exc.OperationalError), mine.begin():
            pass
        holder.rollback()
    with pytest.raises(exc.OperationalError), mine.begin() as connection:
        connection.execute(text("INSERT INTO missing VALUES (1)"))
    with mine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (3)"))
    assert _count(mine) == 1


def test_concurrent_threads_all_commit(tmp_path):
    """Eight threads of one process each commit 20 transactions: every row lands, none is refused."""
    # The real busy timeout, not the fixture's 0.3 s: on a loaded machine a thread may wait longer than that.
    mine = db.make_engine(f"sqlite:///{tmp_path / 'threads.db'}")
    with mine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(20):
                with mine.begin() as connection:
                    connection.execute(text("INSERT INTO t VALUES (4)"))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert _count(mine) == 160
    mine.dispose()
