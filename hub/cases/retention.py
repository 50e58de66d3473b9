"""Retention of case content: destroy it by deleting its data key (crypto-shredding).

Content expires per processing activity, counted from the closing of the case: the key of scope X (an
activity id) is destroyed `retention_days(X)` after `closed_at`, with the days from the register of
processing activities (hub.policy.register). The case's own content (scope "case": identity, information
sheet, plan) is kept as long as the longest-kept activity the case had content under, and at least as long
as `reintegration`, the activity under which DJI's notification arrived. Every destruction is recorded in
the disclosure log as `content_destroyed`, in the same transaction. The timeline and the log stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.audit import events
from hub.audit.trace import TraceContext, new_trace
from hub.cases import repository
from hub.cases.models import Case
from hub.crypto.envelope import destroy_key
from hub.crypto.models import CASE_SCOPE, CaseKey
from hub.db import unit_of_work
from hub.idempotency import purge_expired
from hub.policy.register import ActivityRef, Register, UnknownActivity
from hub.timestamps import as_utc

log = structlog.get_logger(__name__)

CASE_ACTIVITY = "reintegration"


@dataclass(frozen=True, slots=True)
class Destroyed:
    case_id: str
    scope: str
    retention_days: int


def _ref(register: Register, scope: str) -> ActivityRef | None:
    try:
        return register.get(CASE_ACTIVITY if scope == CASE_SCOPE else scope).ref
    except UnknownActivity:
        return None


def retention_days(register: Register, scope: str, scopes_of_case: list[str]) -> int:
    """Days after closing that content of `scope` is kept. Unknown scopes keep the longest in the register."""
    if scope != CASE_SCOPE:
        ref = _ref(register, scope)
        return ref.retention_days if ref else max(a.ref.retention_days for a in register.activities.values())
    others = [retention_days(register, s, []) for s in scopes_of_case if s != CASE_SCOPE]
    return max([retention_days(register, CASE_ACTIVITY, []), *others])


def run_retention(
    engine: Engine, register: Register, now: datetime | None = None, trace: TraceContext | None = None
) -> list[Destroyed]:
    """Destroy every expired key of every closed case, one unit of work per case (a failure part-way keeps what
    was destroyed before it, with its log records). Returns what was destroyed."""
    now = as_utc(now or datetime.now(UTC))
    trace = trace or new_trace()
    destroyed: list[Destroyed] = []
    with unit_of_work(engine) as session:
        case_ids = [case.id for case in repository.closed_with_live_keys(session)]
    for case_id in case_ids:
        with unit_of_work(engine) as session:
            case = session.get(Case, case_id)
            if case is not None:
                destroyed += _expire_case(session, register, case, now, trace)
    with unit_of_work(engine) as session:
        purged = purge_expired(session, now)
    log.info("retention.run", destroyed=len(destroyed), idempotency_records_purged=purged)
    return destroyed


def _expire_case(
    session: Session, register: Register, case: Case, now: datetime, trace: TraceContext
) -> list[Destroyed]:
    keys = list(session.exec(select(CaseKey).where(CaseKey.case_id == case.id)))
    scopes = [k.scope for k in keys]
    assert case.closed_at is not None
    closed_at = case.closed_at
    done: list[Destroyed] = []
    for key in keys:
        if key.wrapped_key is None:
            continue
        days = retention_days(register, key.scope, scopes)
        if closed_at + timedelta(days=days) > now:
            continue
        destroy_key(session, key, now)
        events.content_destroyed(
            session,
            subject_pseudonym=case.subject_pseudonym,
            trace=trace.child(),
            activity=_ref(register, key.scope),
            case_id=case.id,
        )
        done.append(Destroyed(case.id, key.scope, days))
    if all(k.wrapped_key is None for k in keys):
        case.content_destroyed_at = now
        session.add(case)
    for item in done:
        log.info("case.content_destroyed", case_id=item.case_id, scope=item.scope, days=item.retention_days)
    return done
