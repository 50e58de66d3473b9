"""DJI's notifications: `detention_started` opens a case, `detention_ended` records the end.

Both are idempotent on DJI's notification id (per sending establishment): a repeat with the same body gets
the first answer again and changes nothing; a repeat with another body is a 409. The body is recognised by a
keyed HMAC of its canonical JSON (RFC 8785), never by a plain hash, because it holds a BSN.

Why this beside `Idempotency-Key` (hub.idempotency, on every POST): the two answer different repeats. The
notification id is DJI's own name for a fact (a detention started), kept for as long as the case: DJI's systems
resend a notification after a restart, with a new HTTP request and no memory of an Idempotency-Key, and the
same fact must not open a second case. The Idempotency-Key is a client's name for one HTTP request, kept 24
hours, and replays that request's response byte for byte. A resend under the same key is answered by the key
(the service does not run); any other repeat reaches this module.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime

import rfc8785
import structlog
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hub.audit import events
from hub.auth.principal import Caller
from hub.cases import repository
from hub.cases.errors import NotificationConflict
from hub.cases.lifecycle import CaseEventType, transition
from hub.cases.models import Case, CaseEvent, CaseState, DjiNotification
from hub.cases.schemas import DetentionEndedCreate, DetentionStartedCreate, NotificationResult
from hub.cases.service import IDENTITY, INFORMATION_SHEET, CaseContext, case_facts, follow_change
from hub.crypto.pseudonym import is_valid_bsn, pseudonymise
from hub.db import insert_unless_exists
from hub.errors import ValidationFailed
from hub.origin.service import Opening, opening

log = structlog.get_logger(__name__)

STARTED, ENDED = "detention_started", "detention_ended"
DETENTION_CATEGORY = "detention"


@dataclass(frozen=True, slots=True)
class Outcome:
    result: NotificationResult
    created: bool  # False: a repeat, answered from the first time


def detention_started(session: Session, ctx: CaseContext, caller: Caller, data: DetentionStartedCreate) -> Outcome:
    """Open a case for the ZVH of the region of the municipality of origin (or replay the first answer).

    The repeat check is the notification's own `INSERT ... ON CONFLICT DO NOTHING`, right after the case's
    row (its foreign key): a repeat removes the case row this transaction just wrote and answers as the
    first time; a concurrent first notification (PostgreSQL) is waited for by the unique index, then read."""
    digest = _digest(ctx, data)
    now = datetime.now(UTC)
    try:
        opened = _validate_started(caller, data, now)
    except ValidationFailed:  # a repeat (or a reused id) is answered as such first, as it always was
        repeat = _repeat(session, caller, data.notification_id, STARTED, digest)
        if repeat is not None:
            return repeat
        raise
    case = Case(
        region=opened.region,
        municipality=data.municipality,
        origin=opened.origin.value,
        origin_open_since=opened.open_since,
        subject_pseudonym=pseudonymise(data.subject.bsn, ctx.pseudonym_key),
        prison=data.prison,
        detention_started_on=data.started_on,
        expected_release_on=data.expected_release_on,
        started_notification_id=data.notification_id,
        created_at=now,
        updated_at=now,
    )
    # The content is encrypted before the case's row is written, so its INSERT carries the ciphertexts.
    key = ctx.envelope.new_case_key(session, case.id)
    identity = {"bsn": data.subject.bsn, "name": data.subject.name, "birth_date": data.subject.birth_date.isoformat()}
    case.identity_ciphertext = ctx.envelope.encrypt_json(session, case.id, IDENTITY, identity)
    sheet = data.information_sheet.model_dump(mode="json")
    case.information_sheet_ciphertext = ctx.envelope.encrypt_json(session, case.id, INFORMATION_SHEET, sheet)
    session.add(case)
    session.flush()
    result = NotificationResult(notification_id=data.notification_id, case_id=case.id, state=CaseState(case.state))
    if not _insert_notification(session, caller, data.notification_id, STARTED, digest, case, result):
        session.delete(case)  # nothing of this transaction's case stays: its key and event were not added yet
        session.flush()
        repeat = _repeat(session, caller, data.notification_id, STARTED, digest)
        if repeat is None:  # the conflicting row is gone again (deleted concurrently): a broken database
            raise NotificationConflict("De melding kon niet worden vastgelegd.", field="notification_id")
        return repeat
    session.add(key)
    session.add(
        CaseEvent(
            case_id=case.id,
            type=CaseEventType.detention_started.value,
            actor=caller.actor,
            organisation_oin=caller.partner.oin,
            at=now,
            from_state=None,
            to_state=case.state,
            payload={"notification_id": data.notification_id, "origin": opened.origin.value},
        )
    )
    categories = [DETENTION_CATEGORY, *sorted(sheet["conditions"])]
    _log_received(session, ctx, caller, case, categories)
    log.info("case.opened", case_id=case.id, region=opened.region, origin=opened.origin.value)
    return Outcome(result, created=True)


def detention_ended(session: Session, ctx: CaseContext, caller: Caller, data: DetentionEndedCreate) -> Outcome:
    """Record the end: an open case moves to handover, or closes when there is nothing to hand over."""
    digest = _digest(ctx, data)
    repeat = _repeat(session, caller, data.notification_id, ENDED, digest)
    if repeat is not None:
        return repeat
    if not is_valid_bsn(data.bsn):
        raise ValidationFailed("Het BSN voldoet niet aan de elfproef.", field="bsn")
    case = repository.case_started_by(  # locked: a step on the case at the same time waits, or is read here
        session, data.started_notification_id, pseudonymise(data.bsn, ctx.pseudonym_key), lock=True
    )
    if case is None:
        raise ValidationFailed(
            "Er is geen detentie van deze persoon met dit meldingsnummer.", field="started_notification_id"
        )
    if data.ended_on < case.detention_started_on:
        raise ValidationFailed("Het einde van de detentie ligt voor het begin.", field="ended_on")
    if case.detention_ended_on is not None:
        raise NotificationConflict(
            "Het einde van deze detentie is al gemeld met een ander meldingsnummer.",
            field="notification_id",
            rule="detention_already_ended",
        )
    before = case_facts(case)
    case.detention_ended_on = data.ended_on
    case.ended_notification_id = data.notification_id
    entry = transition(
        session,
        case,
        CaseEventType.detention_ended,
        caller,
        payload={"notification_id": data.notification_id, "ended_on": data.ended_on.isoformat()},
    )
    _log_received(session, ctx, caller, case, [DETENTION_CATEGORY])
    follow_change(session, ctx, case, before, caller, entry.at)
    result = NotificationResult(notification_id=data.notification_id, case_id=case.id, state=CaseState(case.state))
    outcome = _store(session, ctx, caller, data, ENDED, digest, case, result)
    log.info("case.detention_ended", case_id=case.id, state=case.state)
    return outcome


def _validate_started(caller: Caller, data: DetentionStartedCreate, now: datetime) -> Opening:
    """Where the case goes (the region of the municipality of origin, or of the prison when DJI does not know
    the municipality: hub.origin.service), once the input passes every check."""
    if not is_valid_bsn(data.subject.bsn):
        raise ValidationFailed("Het BSN voldoet niet aan de elfproef.", field="subject.bsn")
    opened = opening(caller, data.municipality, now)
    if data.expected_release_on is not None and data.expected_release_on < data.started_on:
        raise ValidationFailed(
            "De verwachte vrijlating ligt voor het begin van de detentie.", field="expected_release_on"
        )
    if data.subject.birth_date >= data.started_on or data.subject.birth_date > date.today():
        raise ValidationFailed(
            "De geboortedatum moet voor het begin van de detentie liggen.", field="subject.birth_date"
        )
    return opened


def _digest(ctx: CaseContext, data: BaseModel) -> str:
    key = hmac.new(ctx.pseudonym_key.encode(), b"dt-hub notification digest v1", hashlib.sha256).digest()
    return hmac.new(key, rfc8785.dumps(data.model_dump(mode="json")), hashlib.sha256).hexdigest()


def _repeat(session: Session, caller: Caller, notification_id: str, kind: str, digest: str) -> Outcome | None:
    stored = repository.notification(session, caller.partner.oin, notification_id)
    if stored is None:
        return None
    if stored.kind != kind or not hmac.compare_digest(stored.body_digest, digest):
        raise NotificationConflict(
            "Dit meldingsnummer is al gebruikt voor een andere melding.",
            field="notification_id",
            rule="notification_id_reused",
        )
    log.info("notification.repeated", kind=kind, case_id=stored.case_id)
    return Outcome(NotificationResult.model_validate(stored.result), created=False)


def _log_received(session: Session, ctx: CaseContext, caller: Caller, case: Case, categories: list[str]) -> None:
    events.data_received(
        session,
        subject_pseudonym=case.subject_pseudonym,
        trace=ctx.trace,
        activity=ctx.register.get("reintegration").ref,
        case_id=case.id,
        from_oin=caller.partner.oin,
        from_actor=caller.actor,
        categories_released=categories,
    )


def _insert_notification(
    session: Session,
    caller: Caller,
    notification_id: str,
    kind: str,
    digest: str,
    case: Case,
    result: NotificationResult,
) -> bool:
    """The notification's row, unless one with its id exists (then False: a repeat, or a reused id)."""
    values = {
        "sender_oin": caller.partner.oin,
        "notification_id": notification_id,
        "kind": kind,
        "body_digest": digest,
        "case_id": case.id,
        "result": result.model_dump(mode="json"),
        "received_at": datetime.now(UTC),
    }
    return insert_unless_exists(session, DjiNotification, values, ["sender_oin", "notification_id"])


def _store(
    session: Session,
    ctx: CaseContext,
    caller: Caller,
    data: BaseModel,
    kind: str,
    digest: str,
    case: Case,
    result: NotificationResult,
) -> Outcome:
    notification_id = result.notification_id
    session.add(
        DjiNotification(
            sender_oin=caller.partner.oin,
            notification_id=notification_id,
            kind=kind,
            body_digest=digest,
            case_id=case.id,
            result=result.model_dump(mode="json"),
        )
    )
    try:
        session.flush()
    except IntegrityError:  # the same notification, arriving twice at once: the other one won (all rolls back)
        session.rollback()
        repeat = _repeat(session, caller, notification_id, kind, digest)
        if repeat is None:
            raise
        return repeat
    return Outcome(result, created=True)
