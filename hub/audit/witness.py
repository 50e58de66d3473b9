"""The witness: every signed checkpoint is also kept outside the database (issue 12, item 3).

A checkpoint in the database proves nothing about a database that was rolled back or truncated together with
its checkpoints. So `seal` also writes each checkpoint to a witness store: a folder (`HUB_LOG_WITNESS_DIR`, in
compose its own volume) that the database cannot change, the way Certificate Transparency logs are witnessed.

- One file per checkpoint, `<seq, 20 digits>-<kind>.json`, holding the checkpoint exactly as an export line
  does (`{"type": "checkpoint", kind, seq, head_hash, signed_at, key_id, signature}`).
- Append-only: a file is written once, atomically (a temporary file, fsynced, hard-linked to its name, which
  fails when the name exists), made read-only, and never rewritten. A second checkpoint for the same position
  and head (a seal whose database commit failed, then retried) keeps the first file; one for the same position
  with another head is a conflict: the database was rolled back under the witness.
- When the witness cannot be written, the checkpoint is not stored either: `seal` raises `WitnessFailed`
  before the checkpoint row is added, so the sealer's transaction rolls back and logs `audit.witness_failed`
  (alert on it). Appends go on; nothing is sealed until the witness works again, and live verification then
  fails with `stale_seal` / `unsealed_tail_too_long`. A checkpoint is never silently unwitnessed.

`compare` checks a verified chain against witnessed checkpoints: the chain must reach every witnessed position
(`witness_truncated`) and hold the witnessed head hash there (`witness_mismatch`); each witnessed checkpoint's
signature must hold (`witness_signature`), under the key its key_id names, the current log key or one retired
by a rotation (an unknown key id fails). The failure names the checkpoint's file.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from hub.audit.canonical import format_time
from hub.audit.errors import WitnessFailed

if TYPE_CHECKING:  # hub.audit.signing builds a WitnessStore for its signer
    from hub.audit.signing import LogVerifier

log = structlog.get_logger(__name__)

WITNESS_FIELDS = ("kind", "seq", "head_hash", "signed_at", "key_id", "signature")
_SUFFIX = ".json"


def checkpoint_document(checkpoint: Any) -> dict[str, Any]:
    """A checkpoint (row or mapping) as the JSON document of an export line and a witness file."""
    get = checkpoint.get if isinstance(checkpoint, Mapping) else lambda name: getattr(checkpoint, name)
    item: dict[str, Any] = {"type": "checkpoint", **{name: get(name) for name in WITNESS_FIELDS}}
    item["signed_at"] = format_time(item["signed_at"])
    return item


def file_name(kind: str, seq: int) -> str:
    return f"{seq:020d}-{kind}{_SUFFIX}"


@dataclass(frozen=True, slots=True)
class WitnessStore:
    """A folder of witnessed checkpoints, one read-only file each."""

    directory: Path

    def write(self, checkpoint: Any) -> Path:
        """Witness one checkpoint (atomically, never overwriting); raises WitnessFailed when it cannot."""
        document = checkpoint_document(checkpoint)
        target = self.directory / file_name(document["kind"], document["seq"])
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                self._create(target, json.dumps(document, separators=(",", ":")).encode("utf-8") + b"\n")
            existing = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.error("audit.witness_failed", seq=document["seq"], error_type=type(exc).__name__)
            raise WitnessFailed(
                "Het checkpoint kon niet bij de getuige worden vastgelegd; er is niets verzegeld.",
                seq=document["seq"],
            ) from exc
        if existing.get("head_hash") != document["head_hash"] or existing.get("key_id") != document["key_id"]:
            log.error("audit.witness_failed", seq=document["seq"], reason="conflict", file=target.name)
            raise WitnessFailed(
                f"De getuige heeft al een ander checkpoint op volgnummer {document['seq']} ({target.name}): "
                "het logboek in de database wijkt af van wat eerder is verzegeld; er is niets verzegeld.",
                seq=document["seq"],
            )
        return target

    def _create(self, target: Path, data: bytes) -> None:
        temporary = self.directory / f".{target.name}.{secrets.token_hex(8)}.tmp"
        try:
            with temporary.open("xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.chmod(0o444)
            with contextlib.suppress(FileExistsError):  # a concurrent seal of the same checkpoint: compared after
                os.link(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        _fsync_directory(self.directory)

    def checkpoints(self) -> list[tuple[str, dict[str, Any]]]:
        """Every witnessed checkpoint as (file name, document), by position; an unreadable file is kept as an
        empty document, so that comparing fails on it instead of skipping it."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob(f"*{_SUFFIX}")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                document = {}
            found.append((path.name, document if isinstance(document, dict) else {}))
        return found


def _fsync_directory(directory: Path) -> None:
    """Make the new name durable (POSIX); a platform without directory fsync skips it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@dataclass(frozen=True, slots=True)
class WitnessMismatch:
    """The first witnessed checkpoint the chain does not honour."""

    seq: int
    reason: str
    problem: str


def compare(
    witnessed: Iterable[tuple[str, Mapping[str, Any]]],
    verifier: LogVerifier,
    *,
    first_seq: int | None,
    reach: int,
    hashes_at: Callable[[list[int]], Mapping[int, str]],
    checkpoints: Sequence[Mapping[str, Any]] = (),
) -> WitnessMismatch | None:
    """Check a chain that verified (records first_seq..reach, or none up to an anchor at reach) against
    witnessed checkpoints. Positions before first_seq were pruned behind an anchor and are not compared.
    With the chain's own `checkpoints`, none of them (nor a witness file) may be signed by a retired log key
    beyond the first checkpoint the current key signed, in the witness store or the chain."""
    items = list(witnessed)
    for name, document in items:
        if not verifier.verify_checkpoint(document):  # with the key its key_id names, if the hub knows it
            return WitnessMismatch(
                _seq_of(document), "witness_signature", f"het getuige-checkpoint {name} heeft geen geldige handtekening"
            )
    late = verifier.retired_after_current([*(document for _, document in items), *checkpoints])
    if late is not None:
        late_names = [name for name, document in items if document is late]
        if not late_names:
            return WitnessMismatch(
                late["seq"],
                "checkpoint_signature",
                f"checkpoint {late['seq']} van het logboek is ondertekend met een vervangen sleutel, na een "
                "getuige-checkpoint met de huidige sleutel",
            )
        return WitnessMismatch(
            late["seq"],
            "witness_signature",
            f"het getuige-checkpoint {late_names[0]} is ondertekend met een vervangen sleutel, na een checkpoint met "
            "de huidige sleutel",
        )
    beyond = [(name, doc) for name, doc in items if doc["seq"] > reach]
    if beyond:
        name, document = beyond[0]
        return WitnessMismatch(
            document["seq"],
            "witness_truncated",
            f"het logboek eindigt bij {reach}, maar het getuige-checkpoint {name} verzegelde volgnummer "
            f"{document['seq']}",
        )
    low = first_seq if first_seq is not None else reach + 1
    wanted = [doc["seq"] for _, doc in items if doc["seq"] >= low]
    found = hashes_at(wanted) if wanted else {}
    for name, document in items:
        if document["seq"] >= low and found.get(document["seq"]) != document["head_hash"]:
            return WitnessMismatch(
                document["seq"],
                "witness_mismatch",
                f"het logboek wijkt af van het getuige-checkpoint {name} op volgnummer {document['seq']}",
            )
    return None


def _seq_of(document: Mapping[str, Any]) -> int:
    seq = document.get("seq")
    return seq if type(seq) is int else 0
