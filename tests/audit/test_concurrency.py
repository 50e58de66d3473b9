"""Several processes appending at once still make one linear chain without gaps."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select
from sqlmodel import Session

from hub.audit.models import AuditRecord
from hub.audit.service import record
from hub.audit.verify import verify_database
from hub.db import make_engine

WRITERS, PER_WRITER = 4, 25


def _writer(url: str, subject: str, count: int, start: multiprocessing.synchronize.Event) -> None:
    """One process with its own engine: wait for the start signal, then append `count` records, one per txn."""
    engine = make_engine(url)
    start.wait()
    for _ in range(count):
        with Session(engine) as session:
            record(session, event_type="data_read", subject_pseudonym=subject, case_id="case-1")
            session.commit()
    engine.dispose()


def test_concurrent_processes_keep_one_chain(database_url, engine, subject, signer):
    """4 processes x 25 appends: sequence 1..100 without gaps, and the whole chain verifies."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_writer, args=(database_url, subject, PER_WRITER, start)) for _ in range(WRITERS)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * WRITERS
    with Session(engine) as session:
        seqs = session.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars().all()
        distinct_prev = session.execute(select(func.count(func.distinct(AuditRecord.prev_hash)))).scalar_one()
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))
    assert distinct_prev == WRITERS * PER_WRITER  # no two records share a predecessor: no fork in the chain
    result = verify_database(engine, signer.verifier)
    assert result.ok and result.records_checked == WRITERS * PER_WRITER
