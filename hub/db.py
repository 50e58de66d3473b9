"""Database engine and sessions. SQLite is the embedded default; PostgreSQL beyond one machine."""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, cast

import structlog
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine, Row, Table, event, exc
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.config import Settings, normalise_database_url
from hub.errors import HubError, LoggedRefusal, ResponseNotRendered

log = structlog.get_logger(__name__)

SQLITE_BUSY_TIMEOUT = 30  # seconds a transaction waits for SQLite's write lock before it is refused


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT,
                "factory": _locking_connection(_WriteQueue()),
            },
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # pysqlite's own transaction handling is switched off so that BEGIN is ours (see _begin):
            # every transaction takes the write lock up front, which serialises appends to the log chain.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # The threads of one process queue on a lock of their own first, and the one at the head polls
            # for SQLite's write lock every half millisecond: SQLite's busy handler sleeps ever longer (up to
            # 100 ms a time), which under concurrency leaves the write lock idle most of the time. The DBAPI
            # connection releases the process lock once its COMMIT or ROLLBACK has finished, when it is closed
            # (SQLAlchemy's invalidate() closes it), or when it is garbage collected without a close. SQLite's
            # own lock still does the serialising; this only shortens the queue.
            dbapi_connection = conn.connection.dbapi_connection
            try:
                dbapi_connection.hold_write_lock()
                dbapi_connection.begin_immediate()
            except BaseException as error:
                dbapi_connection.release_write_lock()
                if isinstance(error, sqlite3.Error):  # as SQLAlchemy wraps it elsewhere: hub.errors answers 503
                    raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
                raise

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class _WriteQueue:
    """The queue of one process's writers: a lock that knows which connection holds it.

    Only the holder can release it, and only once: a stray second release (a close after the commit, or the
    garbage collector after the close) must not free the queue for a transaction another connection holds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder_guard = threading.Lock()
        self._holder: object | None = None

    def acquire(self, holder: object, timeout: float) -> bool:
        if not self._lock.acquire(timeout=timeout):
            return False
        with self._holder_guard:
            self._holder = holder
        return True

    def release(self, holder: object) -> None:
        with self._holder_guard:
            if self._holder is not holder:
                return
            self._holder = None
        self._lock.release()


def _locking_connection(queue: _WriteQueue) -> type[sqlite3.Connection]:
    """A sqlite3 connection class that holds `queue` from BEGIN until its transaction has ended."""

    class LockingConnection(sqlite3.Connection):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            # The token, not the connection, stands for the holder, so that the queue keeps no connection alive.
            self._queue_token = token = object()
            # A connection dropped without close() (after SQLAlchemy's detach(), say) ends its transaction in
            # sqlite3's C code, which never calls close() below; the queue would stay held for good.
            weakref.finalize(self, queue.release, token)

        def hold_write_lock(self) -> None:
            if not queue.acquire(self._queue_token, timeout=SQLITE_BUSY_TIMEOUT):  # as SQLite's busy timeout
                raise sqlite3.OperationalError(  # refused: hub.errors answers 503
                    f"database is locked (waited {SQLITE_BUSY_TIMEOUT} s for this process's writers)"
                )

        def begin_immediate(self) -> None:
            deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
            self.execute("PRAGMA busy_timeout=0")
            try:
                while True:
                    try:
                        self.execute("BEGIN IMMEDIATE")
                        return
                    except sqlite3.OperationalError as error:
                        if "locked" not in str(error) or time.monotonic() >= deadline:
                            raise
                    time.sleep(0.0005)
            finally:
                self.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")

        def release_write_lock(self) -> None:
            queue.release(self._queue_token)

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.release_write_lock()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.release_write_lock()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.release_write_lock()

    return LockingConnection


def engine_for(settings: Settings) -> Engine:
    return make_engine(settings.sqlalchemy_url)


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: one session, one transaction, committed here and nowhere else.

    Declared with FastAPI's `scope="function"` (see SessionDep), so its exit runs once the route handler has
    returned its `Response`, which holds the rendered bytes, and before a byte is sent:

    - the route returned: the work and its log records commit; a failing commit is raised (hub.errors
      answers 503 when the database is unavailable) and the rendered response is never sent;
    - a `LoggedRefusal`: its refusal record commits, then the problem is rendered;
    - any other problem (`HubError`, a request validation error, a database error): everything rolls back;
    - anything else (building or serialising the response failed, or a bug): everything rolls back and the
      client gets the 500 problem `response_not_rendered`, which carries no content; the log line names the
      error type only.
    """
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
        except LoggedRefusal:
            session.commit()
            raise
        except (HubError, StarletteHTTPException, RequestValidationError, SQLAlchemyError):
            session.rollback()
            raise
        except Exception as exc:
            session.rollback()
            log.error("response.not_rendered", error_type=type(exc).__name__)
            raise ResponseNotRendered(
                "Het antwoord kon niet worden opgebouwd; er is niets verstrekt en niets "
                "vastgelegd. Probeer het opnieuw of meld het bij de beheerder."
            ) from None
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session; every dependency and route of a request shares it (FastAPI's dependency cache)."""


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request (a job, a command, a background task): one session, one transaction,
    committed when the block ends and rolled back when it raises. What runs inside never commits itself; a
    job that keeps its progress step by step opens one unit per step."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def insert_unless_exists(session: Session, model: type[SQLModel], values: dict[str, Any], keys: list[str]) -> bool:
    """`INSERT … ON CONFLICT (keys) DO NOTHING` of one row of `model`, in the session's transaction (one
    statement where a SAVEPOINT, an INSERT and a RELEASE guarded the unique key before). True when this call
    inserted the row. On PostgreSQL a concurrent insert of the same key waits for that transaction to end,
    as the unique index did."""
    statement = _upsert(session.get_bind().dialect.name, model, tuple(keys), None)
    return session.connection().execute(statement, values).first() is not None  # (rowcount is -1 on psycopg)


def insert_or_existing(
    session: Session, model: type[SQLModel], values: dict[str, Any], keys: list[str], *, unchanged: str
) -> Row[Any]:
    """The row of `model` with `values`' keys: inserted from `values`, or the one that exists, as it is, in one
    statement (`INSERT … ON CONFLICT (keys) DO UPDATE SET unchanged = <its own value> RETURNING *`), where a
    read and an `INSERT … ON CONFLICT DO NOTHING` took two. The no-op update locks an existing row until the
    transaction ends (PostgreSQL), as a concurrent insert of the same key waits for the first one to end."""
    statement = _upsert(session.get_bind().dialect.name, model, tuple(keys), unchanged)
    return session.connection().execute(statement, values).one()


@functools.cache
def _upsert(dialect: str, model: type[SQLModel], keys: tuple[str, ...], unchanged: str | None) -> Any:
    """The statement of `insert_unless_exists` (unchanged None) or `insert_or_existing`, built once per shape;
    the row's values are the execution's parameters (building the construct per call cost more than running it)."""
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]  # SQLModel sets it on table models
    insert = (sqlite_insert if dialect == "sqlite" else postgresql_insert)(table)
    if unchanged is None:
        return insert.on_conflict_do_nothing(index_elements=list(keys)).returning(table.c[keys[0]])
    statement = insert.on_conflict_do_update(index_elements=list(keys), set_={unchanged: table.c[unchanged]})
    return statement.returning(*table.c)
