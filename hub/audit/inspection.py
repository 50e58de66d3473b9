"""The privacy officer's inspection of the log: filtered queries (each itself logged) and integrity."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from hub.audit import events, repository
from hub.audit.canonical import format_time
from hub.audit.errors import FilterRequired, InvalidBsn, InvalidCursor, InvalidPeriod
from hub.audit.models import AuditCheckpoint, AuditRecord
from hub.audit.schemas import RecordQuery
from hub.audit.signing import LogVerifier
from hub.audit.trace import TraceContext
from hub.audit.verify import SealLimits, VerificationResult, verify_database
from hub.audit.witness import WitnessStore
from hub.auth.principal import Caller
from hub.crypto.pseudonym import is_valid_bsn, pseudonymise

log = structlog.get_logger(__name__)

FILTER_FIELDS = (
    "period_from",
    "period_to",
    "case_id",
    "subject_bsn",
    "subject_pseudonym",
    "partner_oin",
    "activity_id",
    "decision_id",
)
_CURSOR_PREFIX = "seq:"


@dataclass(frozen=True, slots=True)
class RecordPageResult:
    records: list[AuditRecord]
    next_cursor: str | None
    inspection_seq: int


def subject_pseudonym_of(bsn: str, pseudonym_key: str, field: str = "bsn") -> str:
    """The pseudonym of a BSN from a request body; a BSN failing the eleven-test is refused, never echoed."""
    if not is_valid_bsn(bsn):
        raise InvalidBsn(
            "Het BSN is ongeldig: het moet uit negen cijfers (0-9) bestaan en de elfproef doorstaan.", field=field
        )
    return pseudonymise(bsn, pseudonym_key)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(cursor)
        seq = int(text.removeprefix(_CURSOR_PREFIX))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidCursor(
            "De cursor is ongeldig: gebruik next_cursor van de vorige pagina.", field="cursor"
        ) from None
    if seq < 0:
        raise InvalidCursor("De cursor is ongeldig: gebruik next_cursor van de vorige pagina.", field="cursor")
    return seq


def officer_region(caller: Caller) -> str:
    """The region whose records this privacy officer may see (H5). The registry refuses an officer without
    one; should one slip through, "" matches no case, so the officer sees nothing (fail closed)."""
    return caller.partner.region or ""


def filter_document(where: repository.RecordFilter, **extra: str | None) -> dict[str, str]:
    """The filter as stored on the inspection record (L9): every given condition, the subject as pseudonym."""
    values = {
        "period_from": format_time(where.period_from) if where.period_from else None,
        "period_to": format_time(where.period_to) if where.period_to else None,
        "case_id": where.case_id,
        "subject_pseudonym": where.subject_pseudonym,
        "partner_oin": where.partner_oin,
        "activity_id": where.activity_id,
        "decision_id": where.decision_id,
        "event_type": ",".join(where.event_types) or None,
        "region": where.region,
        **extra,
    }
    return {name: value for name, value in values.items() if value}


def record_filter(query: RecordQuery, pseudonym_key: str, region: str) -> repository.RecordFilter:
    """The repository filter for a query; refuses a query without any filter (rule audit.filter_required)."""
    if all(getattr(query, name) is None for name in FILTER_FIELDS):
        raise FilterRequired(
            "Een zoekvraag op het logboek vraagt ten minste één filter: periode, zaak, betrokkene, partner, "
            "verwerkingsactiviteit of besluit.",
            rule="audit.filter_required",
            filters=list(FILTER_FIELDS),
        )
    if query.period_from and query.period_to and query.period_from >= query.period_to:
        raise InvalidPeriod("De periode is leeg: period_from moet vóór period_to liggen.", field="period_from")
    subject = query.subject_pseudonym
    if query.subject_bsn is not None:
        subject = subject_pseudonym_of(query.subject_bsn.get_secret_value(), pseudonym_key, field="subject_bsn")
    return repository.RecordFilter(
        period_from=query.period_from,
        period_to=query.period_to,
        case_id=query.case_id,
        subject_pseudonym=subject,
        partner_oin=query.partner_oin,
        activity_id=query.activity_id,
        decision_id=query.decision_id,
        event_types=(query.event_type,) if query.event_type else (),
        region=region,
    )


def query_records(
    session: Session, caller: Caller, query: RecordQuery, pseudonym_key: str, trace: TraceContext
) -> RecordPageResult:
    """One page of matching records in the officer's region, and an inspection record saying who looked and
    with which filter (in the same commit). Another region's case gives an empty page, like an unknown one."""
    where = record_filter(query, pseudonym_key, officer_region(caller))
    after = decode_cursor(query.cursor)
    rows = repository.filtered_records(session, where, after, query.limit + 1)
    page, more = rows[: query.limit], len(rows) > query.limit
    inspection = record_inspection(
        session,
        caller,
        trace,
        subject_pseudonym=where.subject_pseudonym,
        case_id=where.case_id,
        query_filter=filter_document(where),
    )
    session.flush()
    log.info("audit.inspected", results=len(page), inspection_seq=inspection.seq)
    return RecordPageResult(page, encode_cursor(page[-1].seq) if more else None, inspection.seq)


def record_inspection(
    session: Session,
    caller: Caller,
    trace: TraceContext,
    *,
    subject_pseudonym: str | None = None,
    case_id: str | None = None,
    query_filter: dict[str, str] | None = None,
) -> AuditRecord:
    """Log that the privacy officer read the log (the hub discloses log data to the officer), with the full
    filter, so that what the officer saw can be reconstructed."""
    return events.inspection(
        session,
        subject_pseudonym=subject_pseudonym,
        case_id=case_id,
        trace=trace,
        to_oin=caller.partner.oin,
        to_actor=caller.actor,
        query_filter=query_filter,
    )


@dataclass(frozen=True, slots=True)
class Integrity:
    verification: VerificationResult
    checkpoints_total: int
    checkpoints: list[AuditCheckpoint]


def integrity(
    engine: Engine,
    verifier: LogVerifier,
    newest: int = 100,
    *,
    mac_key: bytes | None = None,
    limits: SealLimits | None = None,
    witnesses: Sequence[WitnessStore] = (),
) -> Integrity:
    """Verify the whole chain now (with the MAC key and the unsealed-tail limits), list the newest checkpoints.

    National by nature (one chain), but it reveals no record: counts, sequence numbers and checkpoint hashes
    only; the records themselves are reachable only through the region-scoped query."""
    verification = verify_database(engine, verifier, mac_key=mac_key, limits=limits, witnesses=witnesses)
    with Session(engine, expire_on_commit=False) as session:
        total = session.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one()
        newest_first = (
            session.execute(
                select(AuditCheckpoint)
                .order_by(col(AuditCheckpoint.seq).desc(), col(AuditCheckpoint.id).desc())
                .limit(newest)
            )
            .scalars()
            .all()
        )
    log.info("audit.integrity_checked", ok=verification.ok, first_bad_seq=verification.first_bad_seq)
    return Integrity(verification, total, list(newest_first))
