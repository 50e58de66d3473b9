"""Queries on the disclosure log. Read-only, except the INSERT that `service.record` performs via the ORM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, column, false, func, or_, select, table, text
from sqlmodel import Session, col

from hub.audit.canonical import GENESIS_HASH, HASHED_FIELDS, JSON_FIELDS, TIME_FIELDS
from hub.audit.models import AuditCheckpoint, AuditRecord

STREAM_COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, "hash", "mac")
_BATCH = 5000
# hub.cases' table, by name only (audit does not import the cases capability): the region of a record is the
# region of its case. Case rows are never deleted (retention only destroys their content), so a closed case's
# records stay in its region.
_CASE = table("case", column("id"), column("region"))


def in_region(region: str | None):
    """The condition "the record belongs to a case of `region`"; None or "" matches nothing (fail closed)."""
    if not region:
        return false()
    return col(AuditRecord.case_id).in_(select(_CASE.c.id).where(_CASE.c.region == region))


def chain_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last record; after a full prune the newest anchor; (0, genesis) when empty."""
    last = session.execute(
        select(col(AuditRecord.seq), col(AuditRecord.hash)).order_by(col(AuditRecord.seq).desc()).limit(1)
    ).first()
    if last is not None:
        return int(last[0]), last[1]
    anchor = latest_anchor(session)
    if anchor is not None:
        return anchor.seq, anchor.head_hash
    return 0, GENESIS_HASH


def latest_anchor(session: Session) -> AuditCheckpoint | None:
    return (
        session.execute(
            select(AuditCheckpoint)
            .where(col(AuditCheckpoint.kind) == "anchor")
            .order_by(col(AuditCheckpoint.seq).desc())
            .limit(1)
        )
        .scalars()
        .first()
    )


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return (
        session.execute(
            select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq).desc(), col(AuditCheckpoint.id).desc()).limit(1)
        )
        .scalars()
        .first()
    )


def checkpoints(session: Session, upto_seq: int | None = None) -> list[AuditCheckpoint]:
    query = select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq), col(AuditCheckpoint.id))
    if upto_seq is not None:
        query = query.where(col(AuditCheckpoint.seq) <= upto_seq)
    return list(session.execute(query).scalars())


def last_seq_before(session: Session, cutoff: dt.datetime) -> int | None:
    """The highest sequence number recorded before `cutoff`."""
    return session.execute(select(func.max(AuditRecord.seq)).where(col(AuditRecord.recorded_time) < cutoff)).scalar()


def record_at(session: Session, seq: int) -> AuditRecord | None:
    return session.get(AuditRecord, seq)


def seq_bounds(session: Session) -> tuple[int | None, int | None]:
    """The lowest and highest sequence numbers present."""
    low, high = session.execute(select(func.min(AuditRecord.seq), func.max(AuditRecord.seq))).one()
    return low, high


def hash_at(session: Session, seq: int) -> str | None:
    return session.execute(select(col(AuditRecord.hash)).where(col(AuditRecord.seq) == seq)).scalar()


def hashes_at(session: Session, seqs: list[int]) -> dict[int, str]:
    """The hashes of the records at these positions (those present), in batches."""
    found: dict[int, str] = {}
    for start in range(0, len(seqs), 500):
        batch = seqs[start : start + 500]
        rows = session.execute(
            select(col(AuditRecord.seq), col(AuditRecord.hash)).where(col(AuditRecord.seq).in_(batch))
        )
        found.update({int(seq): digest for seq, digest in rows})
    return found


def _stream_column(name: str, dialect: str) -> str:
    """On PostgreSQL, JSON columns as their stored text (the hasher parses each distinct text once, where
    psycopg would parse every value) and times as UTC text in SQLite's layout (the chain's form is then a
    string operation). SQLite returns both as text anyway."""
    if dialect != "postgresql":
        return name
    if name in JSON_FIELDS:
        return f"{name}::text"
    if name in TIME_FIELDS:
        return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return name


def _select_rows(dialect: str, conditions: list[str]) -> str:
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    names = [_stream_column(c, dialect) for c in STREAM_COLUMNS]
    return f"SELECT {', '.join(names)} FROM audit_record{where} ORDER BY seq"  # noqa: S608 - fixed names


def segment_rows(session: Session, from_seq: int, upto_seq: int) -> list[tuple]:
    """The raw rows from_seq..upto_seq (STREAM_COLUMNS order) read in the session's own transaction, so the
    sealer verifies exactly what it is about to sign. Bounded by the checkpoint interval."""
    sql = _select_rows(session.get_bind().dialect.name, ["seq >= :low", "seq <= :high"])
    return [tuple(row) for row in session.execute(text(sql), {"low": from_seq, "high": upto_seq})]


@dataclass(frozen=True, slots=True)
class RowStream:
    """Raw rows of the log in sequence order, as tuples in STREAM_COLUMNS order, without ORM overhead."""

    engine: Engine
    upto_seq: int | None = None
    from_seq: int | None = None

    def __iter__(self) -> Iterator[tuple]:
        dialect = self.engine.dialect.name
        mark = "?" if dialect == "sqlite" else "%s"
        bounds = [(f"seq >= {mark}", self.from_seq), (f"seq <= {mark}", self.upto_seq)]
        conditions = [(sql, value) for sql, value in bounds if value is not None]
        params = tuple(value for _, value in conditions)
        sql = _select_rows(dialect, [sql for sql, _ in conditions])
        # A raw DBAPI connection: on SQLite it reads without the BEGIN IMMEDIATE write lock that every
        # SQLAlchemy transaction takes (hub.db), so verifying or exporting never blocks appends.
        raw = self.engine.raw_connection()
        try:
            # On PostgreSQL a named (server-side) cursor keeps memory constant over millions of rows.
            driver = raw.driver_connection
            if dialect == "postgresql" and driver is not None:
                cursor = driver.cursor(name="audit_stream")
            else:
                cursor = raw.cursor()
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(_BATCH):
                yield from batch
            cursor.close()
        finally:
            raw.rollback()
            raw.close()


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Conditions on the log; `subject_pseudonym` never a BSN."""

    period_from: dt.datetime | None = None
    period_to: dt.datetime | None = None
    case_id: str | None = None
    subject_pseudonym: str | None = None
    partner_oin: str | None = None
    activity_id: str | None = None
    decision_id: str | None = None
    event_types: tuple[str, ...] = ()
    # The privacy officer's region: only records of cases in it. UNSCOPED only for the hub's own jobs.
    region: str | None = None
    scoped: bool = True

    def conditions(self) -> list:
        rec = AuditRecord
        scope = [in_region(self.region)] if self.scoped else []
        pairs = [
            (self.period_from, lambda v: col(rec.event_time) >= v),
            (self.period_to, lambda v: col(rec.event_time) < v),
            (self.case_id, lambda v: col(rec.case_id) == v),
            (self.subject_pseudonym, lambda v: col(rec.subject_pseudonym) == v),
            (self.partner_oin, lambda v: or_(col(rec.from_oin) == v, col(rec.to_oin) == v)),
            (self.activity_id, lambda v: col(rec.activity_id) == v),
            (self.decision_id, lambda v: col(rec.decision_id) == v),
            (self.event_types or None, lambda v: col(rec.event_type).in_(v)),
        ]
        return scope + [make(value) for value, make in pairs if value is not None]


def filtered_records(session: Session, where: RecordFilter, after_seq: int, limit: int) -> list[AuditRecord]:
    """Up to `limit` records matching `where` with seq > after_seq, in sequence order."""
    query = (
        select(AuditRecord)
        .where(*where.conditions(), col(AuditRecord.seq) > after_seq)
        .order_by(col(AuditRecord.seq))
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def subject_records(
    session: Session, pseudonym: str, event_types: tuple[str, ...], region: str | None
) -> list[AuditRecord]:
    """Every record about one subject of the given types in cases of `region` (index
    ix_audit_record_subject_pseudonym)."""
    where = RecordFilter(subject_pseudonym=pseudonym, event_types=event_types, region=region)
    return filtered_records(session, where, 0, 1_000_000)
