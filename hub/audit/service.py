"""The one way into the disclosure log: `record(session, ...)`, inside the caller's transaction.

`record` serialises appends (PostgreSQL: a transaction-scoped advisory lock; SQLite: hub.db starts every
transaction with BEGIN IMMEDIATE, so the write lock is already held), reads the chain head, and adds a
record whose `prev_hash` is the head's hash and whose `hash` is SHA-256 over its RFC 8785 canonical JSON.
It flushes and never commits: the caller's disclosure and its record commit together or not at all. Any
failure raises, so the caller's transaction rolls back and nothing is released (fail closed).

Checkpoints are written by `seal` / `seal_if_due` (hub.audit.checkpoints), not here: the request path never
needs the private log key.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import insert, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from hub.audit import mac, repository
from hub.audit.canonical import SUBJECT_ID_TYPE, record_hash
from hub.audit.errors import AuditWriteFailed
from hub.audit.models import AuditRecord
from hub.audit.trace import TraceContext, new_trace
from hub.timestamps import as_utc

if TYPE_CHECKING:  # types only: the log is below the policy, which never imports it back
    from hub.policy.pep import Decision
    from hub.policy.register import ActivityRef

log = structlog.get_logger(__name__)

EVENT_TYPES = frozenset(
    {
        "request_decided",
        "request_refused",
        "request_redecided",
        "identity_shown",
        "data_received",
        "data_withheld",
        "data_released",
        "data_read",
        "handover",
        "access_report",
        "inspection",
        "content_destroyed",
        "log_pruned",
        "statistics_written",
        "origin_determined",
        "origin_contested",
    }
)
# Events that concern the log itself rather than one person; every other event names exactly one subject.
SUBJECTLESS_EVENTS = frozenset({"inspection", "log_pruned", "statistics_written"})

# The filter of an inspection as stored on its record (L9); every value non-personal.
QUERY_FILTER_FIELDS = frozenset(
    {
        "period_from",
        "period_to",
        "case_id",
        "subject_pseudonym",
        "partner_oin",
        "activity_id",
        "decision_id",
        "event_type",
        "report",
        "region",
    }
)

# The filter each event type may carry: an inspection's query, and the day an access request came in.
FILTER_FIELDS_BY_EVENT = {"inspection": QUERY_FILTER_FIELDS, "access_report": frozenset({"received_on"})}

CHAIN_LOCK_KEY = 0x4454_4855_424C_4F47 & 0x7FFF_FFFF_FFFF_FFFF  # "DTHUBLOG", a signed bigint

_PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")
_OIN = re.compile(r"^[0-9]{20}$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_ACTOR = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")


class InvalidAuditRecord(ValueError):
    """The caller passed a field the log does not accept; nothing is written (a bug in the caller)."""


def record(
    session: Session,
    *,
    event_type: str,
    subject_pseudonym: str | None,
    trace: TraceContext | None = None,
    decision: Decision | None = None,
    activity: ActivityRef | None = None,
    case_id: str | None = None,
    data_request_id: str | None = None,
    from_oin: str | None = None,
    to_oin: str | None = None,
    from_actor: str | None = None,
    to_actor: str | None = None,
    categories_released: Iterable[str] = (),
    categories_withheld: Iterable[str] = (),
    denial_reasons: Mapping[str, str] | None = None,
    event_time: dt.datetime | None = None,
    query_filter: Mapping[str, str] | None = None,
) -> AuditRecord:
    """Append one record about one data subject to the chain, in the caller's transaction.

    `decision` (a hub.policy Decision) supplies the decision id, the policy revision and its activity;
    `activity` (an ActivityRef: id, version, name, legal_basis, retention_days, confidentiality) may be
    given on its own when there is no decision. `from_oin` is the executing (sending) organisation and
    `to_oin` the receiving one; None means the hub itself. Actors are the persons acting for them.
    """
    fields = _validated_fields(
        event_type=event_type,
        subject_pseudonym=subject_pseudonym,
        decision=decision,
        activity=activity or (decision.activity if decision is not None else None),
        case_id=case_id,
        data_request_id=data_request_id,
        from_oin=from_oin,
        to_oin=to_oin,
        from_actor=from_actor,
        to_actor=to_actor,
        categories_released=categories_released,
        categories_withheld=categories_withheld,
        denial_reasons=denial_reasons,
        query_filter=query_filter,
    )
    trace = trace or new_trace()
    now = dt.datetime.now(dt.UTC)
    event_time = as_utc(event_time) if event_time is not None else None
    try:
        head_seq, head_hash = _locked_chain_head(session)
        entry = AuditRecord(
            seq=head_seq + 1,
            record_id=str(uuid.uuid4()),
            event_time=event_time or now,
            recorded_time=now,
            trace_id=trace.trace_id,
            span_id=trace.span_id,
            parent_span_id=trace.parent_span_id,
            prev_hash=head_hash,
            hash="",
            **fields,
        )
        entry.hash = record_hash(entry.model_dump())
        key = mac.current_key()
        entry.mac = mac.record_mac(key, entry.hash) if key is not None else None
        # A Core INSERT of the row (the ORM's unit of work cost more than the statement on the hot path): the
        # returned record is not in the session; records are append-only and are read back by query. (The record
        # has no foreign key: the caller's pending rows may go before it, by the chain-head read's autoflush, or after.)
        session.execute(_INSERT_RECORD, entry.model_dump())
    except SQLAlchemyError as exc:
        log.error("audit.write_failed", event_type=event_type, error_type=type(exc).__name__)
        raise AuditWriteFailed("Het verwerkingenlogboek kon niet worden bijgewerkt; er is niets verstrekt.") from exc
    # At debug: the record itself is the account of this append, and every call's own line (at info) names
    # what it did; one info line per record doubled the application's log lines per exchange (issue 15).
    log.debug("audit.recorded", seq=entry.seq, event_type=event_type, trace_id=trace.trace_id)
    return entry


_INSERT_RECORD = insert(AuditRecord.__table__)  # type: ignore[attr-defined]  # SQLModel sets it on table models


def _locked_chain_head(session: Session) -> tuple[int, str]:
    """Serialise appends for the rest of this transaction and read the chain's head. The caller's pending rows
    are flushed first, so the lock is held for the append only. PostgreSQL: one statement, the lock and the
    head read (migration 0008_audit_chain_head); an empty log falls back to `chain_head` (the newest anchor
    after a full prune, or genesis), under the lock taken. SQLite: BEGIN IMMEDIATE holds the lock already."""
    session.flush()
    if session.get_bind().dialect.name != "postgresql":
        return repository.chain_head(session)
    head = session.execute(_LOCKED_HEAD, {"key": CHAIN_LOCK_KEY}).first()
    return (int(head[0]), head[1]) if head is not None else repository.chain_head(session)


_LOCKED_HEAD = text("SELECT head_seq, head_hash FROM audit_chain_head_locked(:key)")


def lock_chain(session: Session) -> None:
    """Serialise appends for the rest of this transaction (SQLite: BEGIN IMMEDIATE already did)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def _validated_fields(
    *,
    event_type: str,
    subject_pseudonym: str | None,
    decision: Decision | None,
    activity: ActivityRef | None,
    **given: Any,
) -> dict[str, Any]:
    if event_type not in EVENT_TYPES:
        raise InvalidAuditRecord(f"unknown event_type {event_type!r}")
    _check_subject(event_type, subject_pseudonym)
    for name in ("from_oin", "to_oin"):
        _check(name, given[name], _OIN)
    for name in ("case_id", "data_request_id"):
        _check(name, given[name], _IDENTIFIER)
    for name in ("from_actor", "to_actor"):
        _check(name, given[name], _ACTOR)
    released = _categories("categories_released", given.pop("categories_released"))
    withheld = _categories("categories_withheld", given.pop("categories_withheld"))
    reasons = dict(given.pop("denial_reasons") or {})
    _categories("denial_reasons", reasons)
    for reason in reasons.values():
        _check("denial_reasons", reason, _IDENTIFIER)
    query_filter = _query_filter(event_type, given.pop("query_filter"))
    fields = {
        **given,
        "event_type": event_type,
        "subject_pseudonym": subject_pseudonym,
        "subject_id_type": SUBJECT_ID_TYPE if subject_pseudonym else None,
        "categories_released": released,
        "categories_withheld": withheld,
        "denial_reasons": reasons,
        "query_filter": query_filter,
        **_activity_fields(activity),
        **_decision_fields(decision),
    }
    _check_lengths(fields)
    return fields


def _check_lengths(fields: dict[str, Any]) -> None:
    """Refuse what a column cannot hold, the same on SQLite (which would store it) as on PostgreSQL."""
    for name, value in fields.items():
        column = sa_inspect(AuditRecord).columns[name]
        limit = getattr(column.type, "length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise InvalidAuditRecord(f"{name} is longer than {limit} characters")


def _query_filter(event_type: str, given: Mapping[str, str] | None) -> dict[str, str] | None:
    """An inspection's filter (or an access report's day of receipt): known names, identifier-shaped values
    (times, dates, codes, a pseudonym), no BSN."""
    if given is None:
        return None
    allowed = FILTER_FIELDS_BY_EVENT.get(event_type)
    if allowed is None:
        raise InvalidAuditRecord("query_filter belongs to inspection and access_report records only")
    unknown = set(given) - allowed
    if unknown:
        raise InvalidAuditRecord(f"query_filter has unknown fields {sorted(unknown)}")
    for name, value in given.items():
        if not isinstance(value, str):
            raise InvalidAuditRecord(f"query_filter.{name} must be text")
        _check(f"query_filter.{name}", value, _PSEUDONYM if name == "subject_pseudonym" else _IDENTIFIER)
    return dict(sorted(given.items()))


def _check_subject(event_type: str, subject_pseudonym: str | None) -> None:
    if subject_pseudonym is None:
        if event_type not in SUBJECTLESS_EVENTS:
            raise InvalidAuditRecord(f"{event_type} needs exactly one data subject (subject_pseudonym)")
        return
    if not _PSEUDONYM.fullmatch(subject_pseudonym):
        raise InvalidAuditRecord("subject_pseudonym must be a hex HMAC-SHA256 pseudonym, never a BSN")


def _check(name: str, value: str | None, pattern: re.Pattern[str]) -> None:
    if value is not None and not pattern.fullmatch(value):
        raise InvalidAuditRecord(f"{name} is malformed")


def _categories(name: str, values: Iterable[str]) -> list[str]:
    result = sorted(set(values))
    for value in result:
        _check(name, value, _CATEGORY)
    return result


def _activity_fields(activity: ActivityRef | None) -> dict[str, Any]:
    if activity is None:
        return {}
    return {
        "activity_id": activity.id,
        "activity_version": str(activity.version),
        "purpose": getattr(activity, "name", None),
        "legal_basis": _text(activity.legal_basis),
        "retention_days": activity.retention_days,
        "confidentiality": activity.confidentiality,
    }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return "; ".join(str(v) for v in value)


def _decision_fields(decision: Decision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    return {"decision_id": decision.decision_id, "policy_revision": decision.policy_revision}
