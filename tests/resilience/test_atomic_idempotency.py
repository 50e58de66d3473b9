"""The fixes the crash and failure drills called for, checked directly on a real database.

- hub.idempotency: the reservation, the service's work and the stored response belong to the request's one
  unit of work (hub.db), so they commit together. Before, a SIGKILL between the service's commit and
  the stored response left the key "in use" for 24 hours (the crash drill got 409 idempotency_key_in_use).
- hub.errors.database_unavailable: which database errors are a 503 (unreachable) and which stay a 500 (a bug).
"""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlmodel import Session

from hub.audit.models import AuditRecord
from hub.audit.service import record
from hub.errors import database_unavailable
from hub.idempotency import IdempotencyRecord, complete, reserve


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def _reserve_and_work(engine) -> tuple[Session, IdempotencyRecord]:
    session = Session(engine, expire_on_commit=False)
    reservation = reserve(session, "gm0402-social", "key-1", "a" * 64)
    record(
        session,
        event_type="inspection",
        subject_pseudonym=None,
        to_oin="00000009990000019000",
        to_actor="fg-1",
        query_filter={"case_id": "x"},
    )
    session.flush()  # the service's work, in the request's transaction (services never commit)
    return session, reservation


def test_work_without_stored_response_does_not_survive_a_crash(engine):
    """The process dies after the service's work, before the response is stored: neither is kept."""
    session, _reservation = _reserve_and_work(engine)
    session.close()  # the connection goes away as in a SIGKILL: its open transaction rolls back
    assert _count(engine, AuditRecord) == 0
    assert _count(engine, IdempotencyRecord) == 0


def test_work_and_stored_response_commit_together(engine):
    """With the response stored, the work and the replayable response are both committed."""
    session, reservation = _reserve_and_work(engine)
    complete(session, reservation, 201, "application/json", b'{"ok": true}')
    session.commit()  # the unit of work's one commit
    session.close()
    assert _count(engine, AuditRecord) == 1
    with Session(engine) as check:
        stored = check.get(IdempotencyRecord, ("gm0402-social", "key-1"))
        assert (stored.status_code, stored.response_body) == (201, '{"ok": true}')


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (sa_exc.OperationalError("SELECT 1", {}, Exception("connection refused")), True),
        (sa_exc.InterfaceError("SELECT 1", {}, Exception("connection closed")), True),
        (sa_exc.DatabaseError("SELECT 1", {}, Exception("file is not a database")), True),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (sa_exc.ProgrammingError("SELEC 1", {}, Exception("syntax error")), False),
        (sa_exc.DataError("INSERT", {}, Exception("value too long")), False),
    ],
)
def test_which_database_errors_are_unavailability(error, unavailable):
    """Unreachable or unusable database: 503; a statement the database rejected: stays a 500 (a bug)."""
    assert database_unavailable(error) is unavailable
