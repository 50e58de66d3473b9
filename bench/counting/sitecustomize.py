"""Counters for bench/exchange.py, loaded only in the benchmark's server processes.

bench/exchange.py puts this directory first on PYTHONPATH of the server it counts, so Python imports this
module at start-up; nothing in the hub imports it and it is never on in production. It counts, per process,
with SQLAlchemy's class-level events (every engine of the process): SQL statements (each cursor execute but
BEGIN, SAVEPOINT / RELEASE included), savepoint statements among them, transactions begun, commits, rollbacks and
the pool's pre-ping. On SIGUSR1 it writes the counters as JSON to $BENCH_COUNTS_FILE (written afresh each time).
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.default import DefaultDialect

COUNTS: Counter[str] = Counter()
# $BENCH_TRACE_FILE: also write each statement's first 160 characters there (to see what an exchange runs)
_TRACE = open(os.environ["BENCH_TRACE_FILE"], "a") if os.environ.get("BENCH_TRACE_FILE") else None  # noqa: SIM115


def _statement(_conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    head = statement.lstrip().upper()
    if head.startswith("BEGIN"):  # a transaction's start (the baseline's BEGIN IMMEDIATE): counted as such
        return
    COUNTS["statements"] += 1
    if _TRACE is not None:
        _TRACE.write(" ".join(statement.split())[:160] + "\n")
        _TRACE.flush()
    if head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
        COUNTS["savepoint_statements"] += 1


event.listen(Engine, "before_cursor_execute", _statement)
event.listen(Connection, "begin", lambda _conn: COUNTS.update(["transactions"]))
event.listen(Connection, "commit", lambda _conn: COUNTS.update(["commits"]))
event.listen(Connection, "rollback", lambda _conn: COUNTS.update(["rollbacks"]))

_ping = DefaultDialect._do_ping_w_event


def _counted_ping(self, dbapi_connection):
    COUNTS["pings"] += 1
    return _ping(self, dbapi_connection)


DefaultDialect._do_ping_w_event = _counted_ping


def _dump(_signum, _frame) -> None:
    path = os.environ["BENCH_COUNTS_FILE"]
    with open(path + ".tmp", "w") as out:
        json.dump(dict(COUNTS), out)
    os.replace(path + ".tmp", path)


if os.environ.get("BENCH_COUNTS_FILE"):
    signal.signal(signal.SIGUSR1, _dump)
