"""Export of the disclosure log as JSON lines, verifiable offline with the public key alone.

Line 1 is a header (format, time of export, the last sequence number, the key id and the public log key as a
JWK), signed with the log key; then every checkpoint; then every record up to that sequence number, with its
`prev_hash` and `hash`. The export seals the head first and ends at that checkpoint, so a signed checkpoint
covers its last record. Times are
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
from hub.audit.models import AuditCheckpoint
from hub.audit.signing import LogSigner, export_header_payload
from hub.audit.witness import checkpoint_document
from hub.db import unit_of_work


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
    return json.dumps(checkpoint_document(checkpoint), separators=(",", ":"))


def seal_head(engine: Engine, signer: LogSigner) -> AuditCheckpoint | None:
    """Seal the head now (and witness it); return the newest checkpoint, which then covers the head."""
    with unit_of_work(engine) as session:
        seal(session, signer)
        return repository.latest_checkpoint(session)


def export_log(engine: Engine, signer: LogSigner, path: Path) -> ExportSummary:
    """Seal the head, then write the log up to that checkpoint to `path` as JSON lines: a signed header,
    checkpoints, records. Records appended after the seal are left for the next export, so a signed checkpoint
    always covers the export's last record. When the log cannot be sealed (SealRefused: it does not verify
    since the last checkpoint; WitnessFailed) nothing is exported. Records are append-only, so reading them
    up to the sealed position gives a consistent export without a long transaction."""
    latest = seal_head(engine, signer)
    last_seq = latest.seq if latest is not None else 0
    with Session(engine) as session:
        checkpoint_lines = [_checkpoint_line(cp) for cp in repository.checkpoints(session, upto_seq=last_seq)]
        session.rollback()
    header: dict[str, Any] = {
        "type": "header",
        "format": FORMAT,
        "exported_at": format_time(dt.datetime.now(dt.UTC)),
        "last_seq": last_seq,
        "key_id": signer.verifier.key_id,
        "public_key": signer.verifier.jwk,
    }
    header["signature"] = signer.sign(export_header_payload(header))
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(header, separators=(",", ":")) + "\n")
        for line in checkpoint_lines:
            handle.write(line + "\n")
        for row in repository.RowStream(engine, upto_seq=last_seq):
            handle.write(_record_line(row) + "\n")
            count += 1
    return ExportSummary(records=count, checkpoints=len(checkpoint_lines), last_seq=last_seq)
