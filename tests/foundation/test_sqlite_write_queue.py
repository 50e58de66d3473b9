"""SQLite write queue (hub.db): threads of one process queue for the write lock, and a refusal frees the queue."""

from __future__ import annotations

import gc
import sqlite3
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


# How a connection that holds the process's queue can end. In each case SQLite's own transaction has ended,
# so the next transaction of the process must run (with the fixture's 0.3 s timeout, a held queue refuses it).
def _writing(engine):
    connection = engine.connect()
    connection.begin()
    connection.execute(text("INSERT INTO t VALUES (1)"))
    return connection


def _invalidate_after_an_error(engine) -> None:
    connection = _writing(engine)
    with pytest.raises(exc.OperationalError):
        connection.execute(text("INSERT INTO missing VALUES (1)"))
    connection.invalidate()


def _invalidate_and_close(engine) -> None:
    connection = _writing(engine)
    connection.invalidate()
    connection.close()


def _close_after_the_pool_was_disposed(engine) -> None:
    connection = _writing(engine)
    engine.dispose()
    connection.close()


def _garbage_collect_without_close(engine) -> None:
    connection = _writing(engine)
    connection.cycle = connection  # only the cycle collector can free it, as when a traceback holds it
    del connection
    gc.collect()


def _detach_then_drop_without_close(engine) -> None:
    connection = _writing(engine)
    connection.detach()  # out of the pool: nothing in SQLAlchemy closes the DBAPI connection any more
    del connection
    gc.collect()


@pytest.mark.parametrize(
    "end",
    [
        _invalidate_after_an_error,
        _invalidate_and_close,
        _close_after_the_pool_was_disposed,
        _garbage_collect_without_close,
        _detach_then_drop_without_close,
    ],
)
def test_a_connection_that_ends_without_commit_frees_the_process_queue(engines, end):
    """However a connection in a transaction ends, its row is gone and the process's next writer runs."""
    mine, _ = engines
    end(mine)
    with mine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (2)"))
    assert _count(mine) == 1


def test_an_open_transaction_holds_the_queue_and_sqlite_alike(engines):
    """A transaction left open (soft-invalidated, not yet collected) blocks this process and another alike."""
    mine, other = engines
    connection = mine.connect()
    connection.begin()
    connection.execute(text("INSERT INTO t VALUES (1)"))
    connection.connection.invalidate(soft=True)  # closed only when returned to the pool
    for engine in (mine, other):
        with pytest.raises(exc.OperationalError), engine.begin() as writer:
            writer.execute(text("INSERT INTO t VALUES (2)"))
    connection.close()
    assert _count(other) == 0


def test_only_the_holder_frees_the_queue_and_only_once(engines, tmp_path):
    """A second release by a former holder, or a non-holder collected as garbage, leaves the holder's turn alone."""
    mine, _ = engines
    fairy = mine.raw_connection()
    locking_connection = type(fairy.dbapi_connection)
    fairy.close()
    path = str(tmp_path / "queue.db")
    first, second, third, bystander = (locking_connection(path, check_same_thread=False) for _ in range(4))
    first.hold_write_lock()
    first.release_write_lock()
    second.hold_write_lock()
    first.release_write_lock()  # e.g. a close() after the commit
    first.close()
    del bystander  # never held the queue
    gc.collect()
    with pytest.raises(sqlite3.OperationalError, match="this process's writers"):
        third.hold_write_lock()
    second.rollback()
    third.hold_write_lock()
    third.release_write_lock()
    for connection in (second, third):
        connection.close()
