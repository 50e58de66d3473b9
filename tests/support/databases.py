"""Test support: a fresh PostgreSQL database for every test, made ahead and dropped behind the test.

`CREATE DATABASE ... TEMPLATE` and `DROP DATABASE` each take 0.3-1 s on this machine, nearly all of it the
server writing and syncing files while the test process waits. One background thread keeps `AHEAD` databases
made from the migrated template ready, and another drops each one after its test, so that wait overlaps the
tests' own work. Isolation is unchanged: every database is made from the template for one test, handed out
once, and dropped after it (`WITH (FORCE)`, as before); none is ever reused. A failure to make one is raised
in the test that asked for it.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, text

AHEAD = 2  # databases kept ready; each holds only the schema (the copy is ~8 MB, mostly system catalogs)
_STOP = None


class PostgresDatabases:
    """Databases copied from `template`, handed out once each (`take`) and dropped after use (`give_back`)."""

    def __init__(self, admin: Callable[[], Engine], template: str, ahead: int = AHEAD) -> None:
        self._admin = admin
        self._template = template
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._to_make: queue.Queue[bool | None] = queue.Queue()
        # Bounded: when the server drops more slowly than the tests finish, a test waits at its end rather than
        # leaving a growing pile of databases (and of server work) behind it.
        self._to_drop: queue.Queue[str | None] = queue.Queue(maxsize=ahead)
        self._made: set[str] = set()  # made and not yet dropped: all dropped by close()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._maker, name="test-db-maker", daemon=True),
            threading.Thread(target=self._dropper, name="test-db-dropper", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        for _ in range(ahead):
            self._to_make.put(True)

    def take(self) -> str:
        """The name of a database made for this test alone."""
        self._to_make.put(True)  # one more for a later test
        made = self._ready.get()
        if isinstance(made, BaseException):
            raise made
        return made

    def give_back(self, name: str) -> None:
        """The test is done with the database: drop it (in the background; waits while `ahead` drops are due)."""
        self._to_drop.put(name)

    def close(self) -> None:
        """Stop both threads, then drop every database still standing (ready ones, and any not yet dropped)."""
        self._to_make.put(_STOP)
        self._to_drop.put(_STOP)
        for thread in self._threads:
            thread.join()
        engine = self._admin()
        try:
            with engine.connect() as connection:
                for name in sorted(self._made):
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._made.clear()
        finally:
            engine.dispose()

    def _maker(self) -> None:
        engine = self._admin()
        try:
            while self._to_make.get() is not _STOP:
                name = f"hub_t_{uuid.uuid4().hex[:12]}"
                try:
                    with engine.connect() as connection:
                        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
                except Exception as exc:  # handed to the test that takes it, which fails with it
                    self._ready.put(exc)
                    continue
                with self._lock:
                    self._made.add(name)
                self._ready.put(name)
        finally:
            engine.dispose()

    def _dropper(self) -> None:
        engine = self._admin()
        try:
            while (name := self._to_drop.get()) is not _STOP:
                try:
                    with engine.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                except Exception:  # noqa: S112 - kept in _made: close() drops it again, and raises if it cannot
                    continue
                with self._lock:
                    self._made.discard(name)
        finally:
            engine.dispose()
