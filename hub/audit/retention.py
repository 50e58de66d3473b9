"""Retention of the disclosure log: records are kept at least four years (settings.log_retention_days).

`prune` removes the oldest segment, and only like this, in one transaction:

1. take the chain lock; find the last record recorded before now - retention;
2. verify the chain from its current start up to that record (a damaged segment is never anchored away);
3. write a signed checkpoint of kind "anchor" over that record's hash;
4. on PostgreSQL, `set_config('hub.audit_prune_upto', seq, true)` (transaction-local) so the append-only
   trigger lets exactly these DELETEs through; on SQLite the trigger allows a DELETE only below an anchor;
5. delete the records up to the anchor and append a `log_pruned` record.

Verification then starts from the anchor. Case-content expiry (crypto-shredding) belongs to hub.cases, which
records `content_destroyed` through hub.audit.service.record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine, delete, text
from sqlmodel import Session, col

from hub.audit import events, mac, repository
from hub.audit.checkpoints import seal
from hub.audit.errors import PruneRefused
from hub.audit.models import AuditRecord
from hub.audit.service import lock_chain
from hub.audit.signing import LogSigner
from hub.audit.verify import CHECKPOINT_FIELDS, verify_chain
from hub.config import Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PruneResult:
    anchor_seq: int
    removed: int


def prune(
    session: Session, signer: LogSigner, settings: Settings, now: dt.datetime | None = None
) -> PruneResult | None:
    """Remove records older than the retention period behind a signed anchor. None when nothing is due."""
    now = now or dt.datetime.now(dt.UTC)
    lock_chain(session)
    upto = repository.last_seq_before(session, now - dt.timedelta(days=settings.log_retention_days))
    if upto is None:
        return None
    _verify_segment(session, signer, upto)
    target = repository.record_at(session, upto)
    assert target is not None  # noqa: S101 - found by the query above, under the chain lock
    seal(session, signer, kind="anchor", seq=upto, head_hash=target.hash, now=now)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('hub.audit_prune_upto', :upto, true)"), {"upto": str(upto)})
    removed = session.connection().execute(delete(AuditRecord).where(col(AuditRecord.seq) <= upto)).rowcount
    session.expunge_all()
    events.log_pruned(session, event_time=now)
    log.info("audit.pruned", anchor_seq=upto, removed=removed)
    return PruneResult(anchor_seq=upto, removed=removed)


def _verify_segment(session: Session, signer: LogSigner, upto: int) -> None:
    checkpoints = [
        {name: getattr(cp, name) for name in CHECKPOINT_FIELDS} for cp in repository.checkpoints(session, upto_seq=upto)
    ]
    engine = session.get_bind()
    if not isinstance(engine, Engine):  # the hub's sessions are bound to an engine (hub.db)
        raise TypeError("the log's retention needs a session bound to an engine")
    result = verify_chain(
        repository.RowStream(engine, upto_seq=upto), checkpoints, signer.verifier, mac_key=mac.current_key()
    )
    if not result.ok:
        log.error("audit.prune_refused", first_bad_seq=result.first_bad_seq, reason=result.reason)
        raise PruneRefused(
            f"Het logboek is niet intact (eerste afwijkende volgnummer {result.first_bad_seq}); "
            "er wordt niets opgeschoond.",
            first_bad_seq=result.first_bad_seq,
            reason=result.reason,
        )
