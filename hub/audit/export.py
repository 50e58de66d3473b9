"""Export of the disclosure log as JSON lines, verifiable offline with the public key alone.

Line 1 is a header (format, time of export, the public log key as a JWK, the last sequence number); then
every checkpoint; then every record up to that sequence number, with its `prev_hash` and `hash`. Times are
written in the chain's one textual form (UTC, microseconds, Z), so the export hashes exactly as the database.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from hub.audit import repository
from hub.audit.canonical import FORMAT, JSON_FIELDS, TIME_FIELDS, format_time
from hub.audit.checkpoints import seal
from hub.audit.signing import LogSigner, LogVerifier
from hub.audit.verify import CHECKPOINT_FIELDS


@dataclass(frozen=True, slots=True)
class ExportSummary:
    records: int
    checkpoints: int
    last_seq: int


def _record_line(row: tuple) -> str:
    item: dict[str, Any] = {"type": "record"}
    for name, value in zip(repository.STREAM_COLUMNS, row, strict=True):
        if name in TIME_FIELDS:
            value = format_time(value)
        elif name in JSON_FIELDS and isinstance(value, str):
            value = json.loads(value)
        item[name] = value
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def _checkpoint_line(checkpoint: Any) -> str:
    item = {"type": "checkpoint", **{name: getattr(checkpoint, name) for name in CHECKPOINT_FIELDS}}
    item["signed_at"] = format_time(item["signed_at"])
    return json.dumps(item, separators=(",", ":"))


def seal_head(engine: Engine, signer: LogSigner) -> None:
    """Seal the head now, so an export is covered by a checkpoint up to its last record."""
    with Session(engine) as session:
        seal(session, signer)
        session.commit()


def export_log(engine: Engine, verifier: LogVerifier, path: Path) -> ExportSummary:
    """Write the log to `path` as JSON lines: header, checkpoints, records (records are append-only, so
    reading them up to the head captured first gives a consistent export without a long transaction)."""
    with Session(engine) as session:
        last_seq, _ = repository.chain_head(session)
        checkpoint_lines = [_checkpoint_line(cp) for cp in repository.checkpoints(session, upto_seq=last_seq)]
        session.rollback()
    header = {
        "type": "header",
        "format": FORMAT,
        "exported_at": format_time(dt.datetime.now(dt.UTC)),
        "last_seq": last_seq,
        "public_key": verifier.jwk,
    }
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(header, separators=(",", ":")) + "\n")
        for line in checkpoint_lines:
            handle.write(line + "\n")
        for row in repository.RowStream(engine, upto_seq=last_seq):
            handle.write(_record_line(row) + "\n")
            count += 1
    return ExportSummary(records=count, checkpoints=len(checkpoint_lines), last_seq=last_seq)
