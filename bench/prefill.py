"""Fast synthetic fills for the benchmarks: case rows, and log records as one valid hash chain.

Records are bulk-loaded with executemany INSERTs in batches, each with the hash the verifier computes
(canonical.fast_record_hash) and the MAC under the configured key, so the chain verifies and the hub can
append to it. `fields_for(seq)` shapes each record (event type, case, subject, time...); every field not
given takes a plain data_released value. Case rows hold no content (no ciphertexts): they exist so that the
region filter and the hub's look-ups by case run over a table of the size asked.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session

from hub.audit.canonical import SUBJECT_ID_TYPE, fast_record_hash
from hub.audit.mac import record_mac
from hub.audit.models import AuditRecord
from hub.audit.repository import chain_head
from hub.cases.models import Case

OINS = ["00000009990000001000", "00000009990000008000", "00000009990000016000", "00000009990000019000"]
CATEGORIES = ["housing", "income", "debts", "care", "detention", "supervision"]
REGION = "gooi-en-vechtstreek"
BATCH = 20000

FieldsFor = Callable[[int], dict[str, Any]]


def synthetic(seq: int, prev: str, mac_key: bytes | None, fields: dict[str, Any]) -> dict[str, Any]:
    """One record at `seq` after `prev`: plain data_released values, `fields` over them, hash and MAC."""
    moment = fields.get("event_time") or dt.datetime.now(dt.UTC)
    row: dict[str, Any] = {
        "seq": seq,
        "record_id": str(uuid.UUID(int=random.getrandbits(128))),
        "event_type": "data_released",
        "event_time": moment,
        "recorded_time": moment,
        "case_id": None,
        "data_request_id": f"req-{seq}",
        "trace_id": f"{random.getrandbits(128):032x}",
        "span_id": f"{random.getrandbits(64):016x}",
        "parent_span_id": None,
        "activity_id": "reintegration",
        "activity_version": "1.0.0",
        "purpose": "Re-integratie",
        "legal_basis": "Pbw art. 18a",
        "retention_days": 730,
        "confidentiality": "vertrouwelijk",
        "subject_pseudonym": f"{random.getrandbits(256):064x}",
        "subject_id_type": SUBJECT_ID_TYPE,
        "from_oin": OINS[1],
        "to_oin": OINS[0],
        "from_actor": "mw-1",
        "to_actor": f"coord-{seq % 40}",
        "categories_released": random.sample(CATEGORIES, 2),
        "categories_withheld": [],
        "denial_reasons": {},
        "decision_id": f"dec-{seq}",
        "policy_revision": "a" * 64,
        "prev_hash": prev,
        "query_filter": None,
    }
    row.update(fields)
    row["recorded_time"] = row["event_time"]
    row["hash"] = fast_record_hash(row)
    row["mac"] = record_mac(mac_key, row["hash"]) if mac_key is not None else None
    return row


def fill_log(engine: Engine, upto: int, mac_key: bytes | None, fields_for: FieldsFor) -> int:
    """Append synthetic records after the chain's head up to sequence number `upto`; the new head's seq."""
    with Session(engine) as session:
        seq, prev = chain_head(session)
    table = AuditRecord.__table__
    while seq < upto:
        batch = []
        for _ in range(min(BATCH, upto - seq)):
            seq += 1
            row = synthetic(seq, prev, mac_key, fields_for(seq))
            prev = row["hash"]
            batch.append(row)
        with engine.begin() as connection:
            connection.execute(table.insert(), batch)
    analyse(engine, "audit_record")
    return seq


def analyse(engine: Engine, table: str) -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk fill, as autovacuum would soon after. Without
    it the planner still thinks the table is nearly empty and picks plans (a nested loop over a whole year) that
    no live database would run. SQLite gathers no statistics unless asked, in the hub too: left as it is."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f'ANALYZE "{table}"'))


def fill_cases(engine: Engine, count: int, *, prefix: str = "case-", regions: tuple[str, ...] = (REGION,)) -> None:
    """`count` case rows `prefix`0.. (ids as the records' case_id), spread round-robin over `regions`."""
    now = dt.datetime.now(dt.UTC)
    table = Case.__table__
    for start in range(0, count, BATCH):
        rows = [
            {
                "id": f"{prefix}{i}",
                "region": regions[i % len(regions)],
                "municipality": "GM0402",
                "subject_pseudonym": f"{random.getrandbits(256):064x}",
                "state": "notified",
                "consent": "unknown",
                "risk": "none",
                "prison": "PI Bench",
                "detention_started_on": dt.date(2026, 1, 5),
                "started_notification_id": f"n-{prefix}{i}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, min(count, start + BATCH))
        ]
        with engine.begin() as connection:
            connection.execute(table.insert(), rows)
    analyse(engine, "case")
