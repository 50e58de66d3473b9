"""Offline verification of an export file (`verify_export`), with the public log key the reader holds.

The export's own checks come on top of the chain's (hub.audit.verify): `header_signature` (the header, with its
`last_seq`, is not signed by the log key), `truncated` (fewer records than the signed header names) and
`unsealed` (records beyond the signed `last_seq`, or a last record that no signed checkpoint covers).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hub.audit import repository
from hub.audit.signing import LogVerifier, export_header_payload
from hub.audit.verify import VerificationResult, check_witnesses, verify_chain
from hub.audit.witness import WitnessStore

_COLUMNS = repository.STREAM_COLUMNS
_SEQ, _HASH = _COLUMNS.index("seq"), _COLUMNS.index("hash")


def read_export(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], Iterator[tuple]]:
    """The header, the checkpoints and a stream of the records of an export file."""
    handle = path.open("r", encoding="utf-8")
    header = json.loads(handle.readline() or "{}")
    if header.get("type") != "header":
        handle.close()
        raise ValueError("not a disclosure-log export: the first line is not its header")
    checkpoints: list[dict[str, Any]] = []
    first_record: dict[str, Any] | None = None
    for line in handle:
        item = json.loads(line)
        if item.get("type") == "checkpoint":
            checkpoints.append(item)
            continue
        first_record = item
        break

    def records() -> Iterator[tuple]:
        with handle:
            if first_record is not None:
                yield _export_row(json.dumps(first_record))
            for line in handle:
                yield _export_row(line)

    return header, checkpoints, records()


def _export_row(line: str) -> tuple:
    """One record line as a row; an unreadable or misplaced line becomes a row the walk calls malformed."""
    try:
        item = json.loads(line)
    except ValueError:
        return (None,) * len(_COLUMNS)
    if not isinstance(item, dict) or item.get("type") != "record":
        return (None,) * len(_COLUMNS)
    return tuple(item.get(name) for name in _COLUMNS)


def verify_export(
    path: Path,
    verifier: LogVerifier,
    mac_key: bytes | None = None,
    witnesses: Sequence[WitnessStore] = (),
) -> VerificationResult:
    """Verify an export offline with the public log key you hold (the hub's well-known route, or your copy).

    The export verifies only when its header (with `last_seq`) is signed by that key, its records run exactly
    up to `last_seq`, and a signed checkpoint covers the last of them: so a cut-short export (records and
    checkpoints dropped, `last_seq` set back) or a forged tail fails without the MAC key. With the log MAC key
    the records' MACs are checked too; with `witnesses` the export must agree with the kept checkpoints.
    """
    header, checkpoints, rows = read_export(path)
    witnessed = [(store, store.checkpoints()) for store in witnesses]
    wanted = {doc.get("seq") for _, docs in witnessed for _, doc in docs}
    seen: dict[int, str] = {}
    result = verify_chain(_tap(rows, wanted, seen), checkpoints, verifier, mac_key=mac_key)
    header_problem = _header_problem(header, checkpoints, verifier) if result.ok else None
    if header_problem is not None:
        result.ok, result.reason = False, "header_signature"
        result.first_bad_seq = header.get("last_seq") if type(header.get("last_seq")) is int else 0
        result.problems.append(header_problem)
        return result
    if result.ok:
        _check_covered(result, header["last_seq"])
    if result.ok:
        check_witnesses(result, witnesses, verifier, lambda seqs: {s: seen[s] for s in seqs if s in seen}, checkpoints)
    return result


def _tap(rows: Iterator[tuple], wanted: set[Any], seen: dict[int, str]) -> Iterator[tuple]:
    """Pass the rows on, noting the hashes at the witnessed positions."""
    for row in rows:
        if row[_SEQ] in wanted:
            seen[row[_SEQ]] = row[_HASH]
        yield row


def _header_problem(
    header: Mapping[str, Any], checkpoints: Sequence[Mapping[str, Any]], verifier: LogVerifier
) -> str | None:
    # The header seals last_seq: signed by a retired key, it may not reach a checkpoint of the current key (the
    # export was then made after the rotation, when the hub signs with the current key only).
    current = [cp["seq"] for cp in checkpoints if cp.get("key_id") == verifier.key_id and type(cp["seq"]) is int]
    last_seq = header.get("last_seq")
    if header.get("key_id") != verifier.key_id and current and type(last_seq) is int and last_seq >= min(current):
        return (
            "de kop van het export is ondertekend met een vervangen sleutel, na een checkpoint met de huidige sleutel"
        )
    try:
        key = verifier.key_for(header["key_id"])  # the current key or a retired one the verifier holds
        good = (
            type(header["last_seq"]) is int
            and key is not None
            and key.verify(header["signature"], export_header_payload(dict(header)))
        )
    except (KeyError, TypeError, ValueError):
        good = False
    return None if good else "de kop van het export (met last_seq) is niet ondertekend met deze sleutel"


def _check_covered(result: VerificationResult, last_seq: int) -> None:
    """The records run exactly up to the signed last_seq, and a signed checkpoint covers the last one."""
    reach = result.last_seq or result.anchor_seq or 0
    if reach < last_seq:
        bad, reason, problem = reach + 1, "truncated", f"het export eindigt bij {reach}, de kop noemt {last_seq}"
    elif reach > last_seq:
        bad, reason, problem = last_seq + 1, "unsealed", f"records na het ondertekende laatste volgnummer {last_seq}"
    elif result.records_checked and result.sealed_upto != last_seq:
        bad = (result.sealed_upto or result.anchor_seq or 0) + 1
        reason, problem = "unsealed", f"geen ondertekend checkpoint dekt het laatste record ({last_seq})"
    else:
        return
    result.ok, result.first_bad_seq, result.reason = False, bad, reason
    result.problems.append(problem)
