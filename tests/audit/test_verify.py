"""Verification of the live log names the first bad sequence number, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session

from hub.audit.canonical import record_hash
from hub.audit.checkpoints import seal
from hub.audit.models import AuditRecord
from hub.audit.verify import verify_database
from tests.audit.conftest import DJI_OIN, append, bypass_append_only


def _tamper(engine, *statements: str | tuple[str, dict]) -> None:
    """Play the attacker: bypass the triggers (test only) and run the statements, each with its parameters."""
    bypass_append_only(engine)
    with engine.begin() as connection:
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, {})
            connection.execute(text(sql), params)


def _renumber_up_from(engine, seq: int) -> None:
    """Shift records seq.. up by one, in two steps so the primary key never collides mid-statement."""
    _tamper(
        engine,
        ("UPDATE audit_record SET seq = -seq - 1 WHERE seq >= :seq", {"seq": seq}),
        "UPDATE audit_record SET seq = -seq WHERE seq < 0",
    )


def test_untouched_log_verifies(engine, session, subject, signer):
    """Six records and a checkpoint: verification passes and counts what it checked."""
    append(session, subject, 6)
    seal(session, signer)
    session.commit()
    result = verify_database(engine, signer.verifier)
    assert result.ok, result
    assert (result.records_checked, result.checkpoints_checked, result.sealed_upto) == (6, 1, 6)


def test_unsealed_tail_is_reported(engine, session, subject, signer):
    """Records after the last checkpoint verify as a chain and are counted as unsealed."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 3)
    result = verify_database(engine, signer.verifier)
    assert result.ok and result.unsealed == 3 and result.sealed_upto == 2


def test_altered_record_is_named(engine, session, subject, signer):
    """Changing a field of record 3 makes verification fail at 3."""
    append(session, subject, 6)
    _tamper(engine, ("UPDATE audit_record SET to_oin = :oin WHERE seq = 3", {"oin": DJI_OIN}))
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "altered")


def test_altered_and_rehashed_record_is_named(engine, session, subject, signer):
    """Changing record 3 and recomputing its hash still names 3: record 4 no longer chains to it."""
    append(session, subject, 6)
    with Session(engine) as reader:
        row = reader.get(AuditRecord, 3).model_dump()
    row["to_oin"] = DJI_OIN
    _tamper(
        engine,
        (
            "UPDATE audit_record SET to_oin = :oin, hash = :hash WHERE seq = 3",
            {"oin": DJI_OIN, "hash": record_hash(row)},
        ),
    )
    result = verify_database(engine, signer.verifier)
    assert (result.first_bad_seq, result.reason) == (3, "altered")


def test_removed_record_is_named(engine, session, subject, signer):
    """Deleting record 3 makes verification fail at 3."""
    append(session, subject, 6)
    _tamper(engine, "DELETE FROM audit_record WHERE seq = 3")
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "gap")


def test_inserted_record_is_named(engine, session, subject, signer):
    """A forged, self-consistent record slipped in at 3 (the rest renumbered) is named as 3."""
    append(session, subject, 6)
    with Session(engine) as reader:
        forged = reader.get(AuditRecord, 3).model_dump()
    forged.update(record_id=str(uuid.uuid4()), to_oin=DJI_OIN)
    forged["hash"] = record_hash(forged)
    _renumber_up_from(engine, 3)
    with Session(engine) as writer:
        writer.add(AuditRecord(**forged))
        writer.commit()
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "inserted")


def test_reordered_records_are_named(engine, session, subject, signer):
    """Swapping records 3 and 4 makes verification fail at 3."""
    append(session, subject, 6)
    _tamper(
        engine,
        "UPDATE audit_record SET seq = -1 WHERE seq = 3",
        "UPDATE audit_record SET seq = 3 WHERE seq = 4",
        "UPDATE audit_record SET seq = 4 WHERE seq = -1",
    )
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_rewritten_chain_is_caught_by_the_checkpoint(engine, session, subject, signer):
    """Recomputing every hash after a change keeps the chain consistent, but not the signed checkpoint."""
    append(session, subject, 2)
    seal(session, signer)
    append(session, subject, 4)
    seal(session, signer)
    session.commit()
    with Session(engine) as reader:
        rows = [reader.get(AuditRecord, seq).model_dump() for seq in range(1, 7)]
    rows[3]["to_oin"] = DJI_OIN
    statements = []
    for index in range(3, 6):
        rows[index]["prev_hash"] = rows[index - 1]["hash"]
        rows[index]["hash"] = record_hash(rows[index])
        statements.append(
            (
                "UPDATE audit_record SET to_oin = :to_oin, prev_hash = :prev_hash, hash = :hash WHERE seq = :seq",
                {key: rows[index][key] for key in ("to_oin", "prev_hash", "hash", "seq")},
            )
        )
    _tamper(engine, *statements)
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "rewritten")


def test_truncated_tail_is_caught_by_the_checkpoint(engine, session, subject, signer):
    """Deleting sealed records at the end fails verification at the first missing one."""
    append(session, subject, 5)
    seal(session, signer)
    session.commit()
    _tamper(engine, "DELETE FROM audit_record WHERE seq >= 4")
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 4, "truncated")


def test_forged_checkpoint_signature_is_refused(engine, session, subject, signer):
    """A checkpoint whose signature does not hold fails verification at its sequence number."""
    append(session, subject, 3)
    seal(session, signer)
    session.commit()
    _tamper(engine, ("UPDATE audit_checkpoint SET head_hash = :forged WHERE seq = 3", {"forged": "f" * 64}))
    result = verify_database(engine, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "checkpoint_signature")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_record SET to_oin = NULL WHERE seq = 1",
        "DELETE FROM audit_record WHERE seq = 1",
        "UPDATE audit_checkpoint SET seq = 0",
        "DELETE FROM audit_checkpoint",
    ],
)
def test_the_log_tables_refuse_changes(engine, session, subject, signer, statement):
    """The append-only triggers refuse UPDATE and DELETE on records and checkpoints; the row stays."""
    original = append(session, subject, 1)[0]
    seal(session, signer)
    session.commit()
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with Session(engine) as reader:
        assert reader.get(AuditRecord, 1).to_oin == original.to_oin
    assert verify_database(engine, signer.verifier).ok


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("table", ["audit_record", "audit_checkpoint"])
def test_postgres_refuses_truncate(engine, session, subject, table):
    """TRUNCATE on either log table is refused by its statement trigger on PostgreSQL; the rows stay."""
    append(session, subject, 1)
    with pytest.raises(Exception, match="append-only: TRUNCATE"), engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {table}"))
    with Session(engine) as reader:
        assert reader.get(AuditRecord, 1) is not None


def test_parallel_verification_agrees_with_one_pass(engine, session, subject, signer):
    """Split over 3 processes, an intact log gives the same counts and seal as the sequential verifier."""
    append(session, subject, 5)
    seal(session, signer)
    append(session, subject, 7)
    session.commit()
    one_pass = verify_database(engine, signer.verifier)
    parallel = verify_database(engine, signer.verifier, workers=3, min_per_worker=1)
    assert parallel.ok and one_pass.ok
    assert (
        (parallel.records_checked, parallel.sealed_upto, parallel.unsealed, parallel.last_seq)
        == (one_pass.records_checked, one_pass.sealed_upto, one_pass.unsealed, one_pass.last_seq)
        == (12, 5, 7, 12)
    )


def test_parallel_verification_names_the_same_first_bad_record(engine, session, subject, signer):
    """A change in the third range is reported exactly as the one-pass verifier reports it."""
    append(session, subject, 12)
    _tamper(engine, ("UPDATE audit_record SET to_oin = :oin WHERE seq = 10", {"oin": DJI_OIN}))
    result = verify_database(engine, signer.verifier, workers=3, min_per_worker=1)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 10, "altered")
