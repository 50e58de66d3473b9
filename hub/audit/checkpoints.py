"""Signed checkpoints: every N records or T seconds the hub seals (sequence, head hash, time) with its log key.

`seal_if_due` is called by the hub's background sealer (hub.audit.install) and by `hub audit checkpoint`
(cron); `seal` is called by `hub audit export` so that an export is sealed up to its last record. All of them
take the chain lock, so a checkpoint always names a head that exists in the same transaction. Every checkpoint
is written to the witness store (hub.audit.witness) before it is stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from hub.audit import mac, repository
from hub.audit.errors import SealRefused, WitnessFailed
from hub.audit.models import AuditCheckpoint
from hub.audit.service import lock_chain
from hub.audit.signing import LogSigner, checkpoint_payload
from hub.audit.verify import CHECKPOINT_FIELDS, verify_chain
from hub.config import Settings
from hub.db import unit_of_work

log = structlog.get_logger(__name__)


def seal(
    session: Session,
    signer: LogSigner,
    *,
    kind: str = "checkpoint",
    seq: int | None = None,
    head_hash: str | None = None,
    now: dt.datetime | None = None,
) -> AuditCheckpoint | None:
    """Sign the current head (or the given seq/hash, for an anchor). None when there is nothing to seal."""
    lock_chain(session)
    if seq is None:
        seq, head_hash = repository.chain_head(session)
        latest = repository.latest_checkpoint(session)
        if seq == 0 or (latest is not None and latest.seq >= seq and kind == "checkpoint"):
            return None
        verify_before_sealing(session, signer, latest, seq)
    assert head_hash is not None  # noqa: S101 - given together with seq by the prune job
    signed_at = now or dt.datetime.now(dt.UTC)
    key_id = signer.verifier.key_id
    checkpoint = AuditCheckpoint(
        kind=kind,
        seq=seq,
        head_hash=head_hash,
        signed_at=signed_at,
        key_id=key_id,
        signature=signer.sign(checkpoint_payload(kind, seq, head_hash, signed_at, key_id)),
    )
    witness(signer, checkpoint)
    session.add(checkpoint)
    session.flush()
    log.info("audit.sealed", kind=kind, seq=seq)
    return checkpoint


def witness(signer: LogSigner, checkpoint: AuditCheckpoint) -> None:
    """Write the checkpoint to the witness store before it is stored (hub.audit.witness): when that fails,
    WitnessFailed rolls the sealing transaction back, so no checkpoint exists without its witness."""
    if signer.witness is None:
        log.error("audit.witness_failed", seq=checkpoint.seq, reason="no_witness_store")
        raise WitnessFailed("Er is geen getuige ingesteld (HUB_LOG_WITNESS_DIR); er is niets verzegeld.")
    signer.witness.write(checkpoint)


def verify_before_sealing(session: Session, signer: LogSigner, latest: AuditCheckpoint | None, head_seq: int) -> None:
    """Verify the segment after the newest checkpoint (its signature, the sealed head still in place, every
    record since: chain, hashes and, with the log MAC key, MACs) before signing it: the sealer never launders a
    forged or rewritten tail into a sealed one (review finding H6). Refuses with `audit.seal_refused`."""
    start, checkpoints, low = None, [], 1
    if latest is not None:
        checkpoints = [{name: getattr(latest, name) for name in CHECKPOINT_FIELDS}]
        start, low = (latest.seq, latest.head_hash), latest.seq + 1
    result = verify_chain(
        repository.segment_rows(session, low, head_seq), checkpoints, signer.verifier, start, mac.current_key()
    )
    if result.ok and latest is not None:
        stored = repository.hash_at(session, latest.seq)
        if stored is not None and stored != latest.head_hash:  # None: pruned behind an anchor
            result.ok, result.first_bad_seq, result.reason = False, latest.seq, "rewritten"
    reached = result.last_seq or (latest.seq if latest is not None else 0)
    if result.ok and reached != head_seq:
        result.ok, result.first_bad_seq, result.reason = False, head_seq, "gap"
    if not result.ok:
        log.error("audit.seal_refused", first_bad_seq=result.first_bad_seq, reason=result.reason)
        raise SealRefused(
            f"Het logboek is niet intact sinds het laatste checkpoint (eerste afwijkende volgnummer "
            f"{result.first_bad_seq}); er wordt niets verzegeld.",
            first_bad_seq=result.first_bad_seq,
            reason=result.reason,
        )


def seal_if_due(
    session: Session, signer: LogSigner, settings: Settings, now: dt.datetime | None = None
) -> AuditCheckpoint | None:
    """Seal when N records were appended since the last checkpoint, or T seconds passed with new records."""
    now = now or dt.datetime.now(dt.UTC)
    lock_chain(session)
    head_seq, _ = repository.chain_head(session)
    latest = repository.latest_checkpoint(session)
    sealed_seq = latest.seq if latest is not None else 0
    if head_seq <= sealed_seq:
        return None
    latest_time = latest.signed_at if latest is not None else None
    by_count = head_seq - sealed_seq >= settings.checkpoint_every_records
    by_time = latest_time is None or (now - latest_time).total_seconds() >= settings.checkpoint_every_seconds
    if not (by_count or by_time):
        return None
    return seal(session, signer, now=now)


def seal_once(engine: Engine, signer: LogSigner, settings: Settings) -> AuditCheckpoint | None:
    """One sealing round in its own transaction."""
    with unit_of_work(engine) as session:
        return seal_if_due(session, signer, settings)


async def run_sealer(engine: Engine, signer: LogSigner, settings: Settings) -> None:
    """Background task: look every few seconds whether a checkpoint is due (count or time)."""
    interval = min(settings.checkpoint_every_seconds, 5)
    while True:
        try:
            await asyncio.to_thread(seal_once, engine, signer, settings)
        except (SealRefused, WitnessFailed):
            pass  # logged as audit.seal_refused / audit.witness_failed; verification then fails on the tail
        except Exception as exc:  # noqa: BLE001 - the sealer must survive a passing database outage
            log.error("audit.seal_failed", error_type=type(exc).__name__)
        await asyncio.sleep(interval)
