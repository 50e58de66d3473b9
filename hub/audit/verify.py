"""Verification of the chain, live (`verify_database`); an export file is verified offline with the same walk
(`verify_export`, hub.audit.verify_export).

The verifier names the first bad sequence number:

- `checkpoint_signature`: a checkpoint whose Ed25519 signature or key id does not hold, or one signed by a
  retired log key beyond the first checkpoint of the current key;
- `gap`: a record is missing (removed, or moved elsewhere in an export);
- `out_of_order`: a record appears again or too early (inserted or reordered in an export);
- `altered`: a record's content no longer matches its own hash (or was changed and rehashed, so that its
  intact successor no longer chains to it);
- `inserted`: a record sits between two records that chain to each other directly;
- `broken_link`: a record's prev_hash does not match its predecessor;
- `rewritten`: the chain is internally consistent but differs from a signed checkpoint (recomputed hashes);
  the first record after the last checkpoint that still matched is named;
- `truncated`: a checkpoint seals records that are no longer there;
- `unauthenticated` (with the log MAC key): a record's MAC is missing or wrong: it was not appended by the hub
  (a forged INSERT) or was changed and rehashed;
- `unsealed_tail_too_long` / `stale_seal` (live, with limits): the chain is intact, but too many records, or
  records for too long, lie after the last signed checkpoint;
- `witness_truncated` / `witness_mismatch` / `witness_signature` (with a witness store, hub.audit.witness): the
  log is shorter than a checkpoint kept outside the database, differs from it, or that checkpoint is forged;
- exports only: `header_signature` (the header, with its `last_seq`, is not signed by the log key), `truncated`
  (fewer records than the signed header names) and `unsealed` (records beyond the signed `last_seq`, or a last
  record that no signed checkpoint covers).

It starts from the genesis hash, or, after pruning, from the newest anchor whose signature holds. Records
after the last checkpoint are chained but not yet sealed: they are reported as `unsealed`.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import rfc8785
from sqlalchemy import Engine
from sqlmodel import Session

from hub.audit import repository
from hub.audit.canonical import GENESIS_HASH, RowHasher
from hub.audit.mac import mac_matches
from hub.audit.signing import LogVerifier
from hub.audit.witness import WitnessStore, compare
from hub.timestamps import as_utc

CHECKPOINT_FIELDS = ("kind", "seq", "head_hash", "signed_at", "key_id", "signature")
_COLUMNS = repository.STREAM_COLUMNS
_SEQ, _PREV, _HASH = _COLUMNS.index("seq"), _COLUMNS.index("prev_hash"), _COLUMNS.index("hash")
_MAC = _COLUMNS.index("mac")


@dataclass
class VerificationResult:
    ok: bool
    records_checked: int = 0
    checkpoints_checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    anchor_seq: int | None = None
    sealed_upto: int | None = None
    unsealed: int = 0
    first_bad_seq: int | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Failure(Exception):
    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def verify_chain(
    rows: Iterable[tuple],
    checkpoints: Sequence[Mapping[str, Any]],
    verifier: LogVerifier,
    start: tuple[int, str] | None = None,
    mac_key: bytes | None = None,
) -> VerificationResult:
    """Verify rows (tuples in repository.STREAM_COLUMNS order, by ascending position) against checkpoints.

    `start` (seq, hash) continues from a known record instead of the genesis or an anchor (parallel ranges).
    With `mac_key` every record must also carry a valid HMAC of its hash (reason `unauthenticated`).
    """
    result = VerificationResult(ok=False)
    try:
        valid = _check_signatures(checkpoints, verifier)
        result.checkpoints_checked = len(valid)
        _walk(iter(rows), valid, result, start, mac_key)
    except _Failure as failure:
        result.first_bad_seq, result.reason = failure.seq, failure.reason
        return result
    result.ok = True
    return result


def _check_signatures(checkpoints: Sequence[Mapping[str, Any]], verifier: LogVerifier) -> list[Mapping[str, Any]]:
    if any(type(cp.get("seq")) is not int for cp in checkpoints):
        raise _Failure(0, "checkpoint_signature")
    ordered = sorted(checkpoints, key=lambda c: c["seq"])
    for cp in ordered:
        if not verifier.verify_checkpoint(cp):  # the key its key_id names: the current or a retired log key
            raise _Failure(cp["seq"], "checkpoint_signature")
    late = verifier.retired_after_current(ordered)
    if late is not None:  # a retired key signed after the current one had taken over
        raise _Failure(late["seq"], "checkpoint_signature")
    return ordered


def _start(first_seq: int | None, checkpoints: list[Mapping[str, Any]]) -> tuple[int, str]:
    anchors = [cp for cp in checkpoints if cp["kind"] == "anchor" and (first_seq is None or cp["seq"] < first_seq)]
    if anchors:
        return anchors[-1]["seq"], anchors[-1]["head_hash"]
    return 0, GENESIS_HASH


def _walk(
    rows: Iterator[tuple],
    checkpoints: list[Mapping[str, Any]],
    result: VerificationResult,
    start: tuple[int, str] | None = None,
    mac_key: bytes | None = None,
) -> None:
    first = next(rows, None)
    start_seq, prev = start or _start(first[_SEQ] if first else None, checkpoints)
    result.anchor_seq = start_seq or None
    expected, prev_prev = start_seq + 1, None
    sealed = {cp["seq"]: cp["head_hash"] for cp in checkpoints if cp["seq"] > start_seq}
    last_good_seal = start_seq
    hasher = RowHasher(_COLUMNS)
    digest_of = hasher.digest
    count = 0
    for row in _chain(first, rows):
        seq = row[_SEQ]
        if seq != expected:
            if type(seq) is not int:
                raise _Failure(expected, "malformed")
            raise _Failure(expected if seq > expected else seq, "gap" if seq > expected else "out_of_order")
        try:
            digest = digest_of(row)
            if digest != row[_HASH]:
                digest = hasher.reference_digest(row)  # the fast path is exact for records; confirm anyway
        except (TypeError, ValueError, AttributeError, rfc8785.CanonicalizationError) as exc:
            raise _Failure(seq, "malformed") from exc
        if row[_PREV] != prev:
            _broken_link(row[_PREV], prev_prev, digest == row[_HASH], seq, start_seq)
        if digest != row[_HASH]:
            raise _Failure(seq, "altered")
        if mac_key is not None and not mac_matches(mac_key, digest, row[_MAC]):
            raise _Failure(seq, "unauthenticated")
        if seq in sealed:
            if sealed[seq] != row[_HASH]:
                raise _Failure(last_good_seal + 1, "rewritten")
            last_good_seal = seq
        prev_prev, prev, expected = prev, row[_HASH], seq + 1
        count += 1
    last_seq = expected - 1
    beyond = [s for s in sealed if s > last_seq]
    if beyond:
        raise _Failure(last_seq + 1, "truncated")
    result.records_checked = count
    result.first_seq = first[_SEQ] if first else None
    result.last_seq = last_seq if count else None
    # A synthetic start (a parallel range) is not a seal; an anchor is.
    result.sealed_upto = (last_good_seal if start is None or last_good_seal > start_seq else 0) or None
    result.unsealed = last_seq - (result.sealed_upto or start_seq) if count else 0


def _broken_link(prev_hash: str, prev_prev: str | None, own_ok: bool, seq: int, start_seq: int) -> None:
    """Name the culprit when a record does not chain to its predecessor."""
    if prev_hash == prev_prev:
        raise _Failure(seq - 1, "inserted")  # this record chains to the one before: the predecessor is extra
    if own_ok and seq - 1 > start_seq:
        raise _Failure(seq - 1, "altered")  # this record is intact: the predecessor was changed and rehashed
    raise _Failure(seq, "broken_link")


def _chain(first: tuple | None, rest: Iterator[tuple]) -> Iterator[tuple]:
    if first is not None:
        yield first
        yield from rest


def _checkpoint_dicts(session: Session) -> list[dict[str, Any]]:
    return [{name: getattr(cp, name) for name in CHECKPOINT_FIELDS} for cp in repository.checkpoints(session)]


@dataclass(frozen=True, slots=True)
class SealLimits:
    """How far the unsealed tail may run (settings max_seal_age_seconds and max_unsealed_records)."""

    max_age: dt.timedelta
    max_unsealed: int

    @classmethod
    def from_settings(cls, settings: Any) -> SealLimits:
        return cls(dt.timedelta(seconds=settings.max_seal_age_seconds), settings.max_unsealed_records)


def verify_database(
    engine: Engine,
    verifier: LogVerifier,
    workers: int = 1,
    min_per_worker: int = 10_000,
    *,
    mac_key: bytes | None = None,
    limits: SealLimits | None = None,
    now: dt.datetime | None = None,
    witnesses: Sequence[WitnessStore] = (),
) -> VerificationResult:
    """Verify the live log: every record from the start (or the anchor) and every checkpoint.

    With workers > 1 the sequence range is split and verified in parallel processes, each range continuing
    from the stored hash of the record before it (which the previous range proves). That is only the fast
    path for an intact log: on any failure the log is verified again in one pass, so the first bad sequence
    number and its reason are exactly those of the sequential verifier.

    With `mac_key` every record's MAC is checked; with `limits` an intact chain still fails when its unsealed
    tail is too long or sealed too long ago (nothing after the last checkpoint is protected by a signature).
    With `witnesses` the log must also reach, and agree with, every checkpoint witnessed outside the database.
    """
    with Session(engine) as session:
        checkpoints = _checkpoint_dicts(session)
        result = None
        if workers > 1:
            parallel = _verify_parallel(engine, session, checkpoints, verifier, workers, min_per_worker, mac_key)
            result = parallel if parallel is not None and parallel.ok else None
        if result is None:
            result = verify_chain(repository.RowStream(engine), checkpoints, verifier, mac_key=mac_key)
        if result.ok:
            check_witnesses(result, witnesses, verifier, lambda seqs: repository.hashes_at(session, seqs), checkpoints)
        if limits is not None and result.ok:
            _check_tail(session, result, checkpoints, limits, now or dt.datetime.now(dt.UTC))
    return result


def check_witnesses(
    result: VerificationResult,
    witnesses: Sequence[WitnessStore],
    verifier: LogVerifier,
    hashes_at: Callable[[list[int]], Mapping[int, str]],
    checkpoints: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Fail a verified chain that is shorter than, or differs from, a checkpoint kept in a witness store, or
    whose `checkpoints` include one a retired key signed beyond a witnessed checkpoint of the current key."""
    reach = result.last_seq or result.anchor_seq or 0
    for store in witnesses:
        mismatch = compare(
            store.checkpoints(),
            verifier,
            first_seq=result.first_seq,
            reach=reach,
            hashes_at=hashes_at,
            checkpoints=checkpoints,
        )
        if mismatch is not None:
            result.ok, result.first_bad_seq, result.reason = False, mismatch.seq, mismatch.reason
            result.problems.append(f"{mismatch.problem} ({store.directory})")
            return


def _check_tail(
    session: Session,
    result: VerificationResult,
    checkpoints: list[dict[str, Any]],
    limits: SealLimits,
    now: dt.datetime,
) -> None:
    """Fail an intact chain whose unsealed tail is longer or older than the limits allow."""
    if not result.unsealed:
        return
    first_unsealed = (result.last_seq or 0) - result.unsealed + 1
    if result.unsealed > limits.max_unsealed:
        result.ok, result.first_bad_seq, result.reason = False, first_unsealed, "unsealed_tail_too_long"
        result.problems.append(
            f"{result.unsealed} records na het laatste checkpoint zijn niet verzegeld "
            f"(ten hoogste {limits.max_unsealed} toegestaan)"
        )
        return
    newest = max((as_utc(cp["signed_at"]) for cp in checkpoints), default=None)
    if newest is None:
        first = repository.record_at(session, first_unsealed)
        newest = first.recorded_time if first is not None else now
    if now - newest > limits.max_age:
        result.ok, result.first_bad_seq, result.reason = False, first_unsealed, "stale_seal"
        result.problems.append(
            f"het laatste checkpoint is ouder dan {int(limits.max_age.total_seconds())} "
            f"seconden terwijl er {result.unsealed} records na komen"
        )


def _verify_range(
    url: str,
    jwks: list[dict[str, Any]],
    checkpoints: list[dict[str, Any]],
    low: int,
    high: int,
    start: tuple[int, str] | None,
    mac_key: bytes | None = None,
) -> VerificationResult:
    from hub.db import make_engine

    engine = make_engine(url)
    try:
        rows = repository.RowStream(engine, upto_seq=high, from_seq=low)
        return verify_chain(rows, checkpoints, LogVerifier.from_jwks(jwks), start, mac_key)
    finally:
        engine.dispose()


def _verify_parallel(
    engine: Engine,
    session: Session,
    checkpoints: list[dict[str, Any]],
    verifier: LogVerifier,
    workers: int,
    min_per_worker: int,
    mac_key: bytes | None,
) -> VerificationResult | None:
    low, high = repository.seq_bounds(session)
    if low is None or high is None or high - low + 1 < min_per_worker * workers:
        return None
    step = (high - low + 1) // workers
    edges = [(low + i * step, high if i == workers - 1 else low + (i + 1) * step - 1) for i in range(workers)]
    starts: list[tuple[int, str] | None] = [None]
    for a, _ in edges[1:]:
        previous = repository.hash_at(session, a - 1)
        if previous is None:
            return None
        starts.append((a - 1, previous))
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(
                _verify_range,
                url,
                verifier.jwks,
                [c for c in checkpoints if c["seq"] <= b or i == workers - 1 or c["kind"] == "anchor"],
                a,
                b,
                start,
                mac_key,
            )
            for i, ((a, b), start) in enumerate(zip(edges, starts, strict=True))
        ]
        parts = [future.result() for future in futures]
    if not all(part.ok for part in parts):
        return None
    return _combine(parts)


def _combine(parts: list[VerificationResult]) -> VerificationResult:
    first, last = parts[0], parts[-1]
    sealed = max((p.sealed_upto or 0) for p in parts) or None
    return VerificationResult(
        ok=True,
        records_checked=sum(p.records_checked for p in parts),
        checkpoints_checked=last.checkpoints_checked,
        first_seq=first.first_seq,
        last_seq=last.last_seq,
        anchor_seq=first.anchor_seq,
        sealed_upto=sealed,
        unsealed=(last.last_seq or 0) - (sealed or (first.anchor_seq or 0)) if last.last_seq else 0,
    )
