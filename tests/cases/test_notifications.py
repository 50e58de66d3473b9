"""DJI's notifications through the service: opening, idempotency, validation, the end of detention."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from hub.audit.models import AuditRecord
from hub.auth.principal import Caller
from hub.cases import notifications
from hub.cases.models import Case, CaseEvent, DjiNotification
from hub.cases.schemas import DetentionEndedCreate, DetentionStartedCreate, ScreeningStarted, WeighingRecorded
from hub.cases.service import CaseContext, read_identity, record_event
from hub.crypto.models import CaseKey
from hub.errors import HubError

from .conftest import BSN, OTHER_BSN, started_body


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _started(notification_id: str = "PI-NWG-1", **changes) -> DetentionStartedCreate:
    return DetentionStartedCreate.model_validate(started_body(notification_id, **changes))


def _ended(
    notification_id: str = "PI-NWG-2", bsn: str = BSN, ended_on: str = "2027-01-15", started: str = "PI-NWG-1"
) -> DetentionEndedCreate:
    return DetentionEndedCreate(
        notification_id=notification_id, started_notification_id=started, bsn=bsn, ended_on=ended_on
    )


def test_detention_started_opens_case_for_region(session: Session, ctx: CaseContext, dji: Caller) -> None:
    """The case goes to the region of the municipality of origin, identity only as ciphertext."""
    outcome = notifications.detention_started(session, ctx, dji, _started())
    case = session.get(Case, outcome.result.case_id)
    assert outcome.created and outcome.result.state == "notified"
    assert (case.region, case.municipality, case.state) == ("gooi-en-vechtstreek", "GM0402", "notified")
    assert BSN.encode() not in case.identity_ciphertext and len(case.subject_pseudonym) == 64
    assert read_identity(session, ctx, case).bsn == BSN
    event = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert (event.type, event.organisation_oin, event.actor) == (
        "detention_started",
        dji.partner.oin,
        "dji-medewerker-7",
    )
    record = session.exec(select(AuditRecord).where(AuditRecord.case_id == case.id)).one()
    assert record.event_type == "data_received" and record.from_oin == dji.partner.oin
    assert "housing" in record.categories_released and "detention" in record.categories_released


def test_repeat_returns_same_result_and_creates_nothing(session: Session, ctx: CaseContext, dji: Caller) -> None:
    """The same notification twice: the same answer, one case, one notification row, one log record."""
    first = notifications.detention_started(session, ctx, dji, _started())
    again = notifications.detention_started(session, ctx, dji, _started())
    assert again.result == first.result and not again.created
    assert (_count(session, Case), _count(session, DjiNotification), _count(session, AuditRecord)) == (1, 1, 1)
    # The repeat wrote its own case row before the notification's insert found the first: nothing of it stays.
    assert (_count(session, CaseKey), _count(session, CaseEvent)) == (1, 1)
    assert read_identity(session, ctx, session.get(Case, first.result.case_id)).bsn == BSN


def test_reused_id_with_invalid_body_is_conflict_not_validation(
    session: Session, ctx: CaseContext, dji: Caller
) -> None:
    """A notification id already used answers as a reused id (409) even when the new body would not pass the
    checks (422): the repeat is recognised first, as before the check became the insert itself."""
    notifications.detention_started(session, ctx, dji, _started())
    with pytest.raises(HubError) as refused:
        notifications.detention_started(session, ctx, dji, _started(municipality="GM9999"))
    assert (refused.value.status, refused.value.extra["rule"]) == (409, "notification_id_reused")
    assert (_count(session, Case), _count(session, DjiNotification)) == (1, 1)


def test_repeat_with_other_body_is_conflict(session: Session, ctx: CaseContext, dji: Caller) -> None:
    """The same notification id with another body is a 409 and stores nothing."""
    notifications.detention_started(session, ctx, dji, _started())
    with pytest.raises(HubError) as refused:
        notifications.detention_started(session, ctx, dji, _started(prison="PI Vught"))
    assert (refused.value.status, refused.value.extra["rule"]) == (409, "notification_id_reused")
    assert _count(session, Case) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": {"bsn": "111222334", "name": "X", "birth_date": "1990-01-01"}}, "subject.bsn"),
        ({"subject": {"bsn": "12345678", "name": "X", "birth_date": "1990-01-01"}}, "subject.bsn"),
        ({"subject": {"bsn": "abcdefghi", "name": "X", "birth_date": "1990-01-01"}}, "subject.bsn"),
        ({"subject": {"bsn": "000000000", "name": "X", "birth_date": "1990-01-01"}}, "subject.bsn"),
        ({"municipality": "GM9999"}, "municipality"),
        ({"municipality": "GM0363"}, "municipality"),
        ({"expected_release_on": "2026-11-01"}, "expected_release_on"),
        ({"subject": {"bsn": BSN, "name": "X", "birth_date": "2026-12-01"}}, "subject.birth_date"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    session: Session, ctx: CaseContext, dji: Caller, changes, field
) -> None:
    """Invalid BSN, unknown municipality, dates out of order: 422 naming the field, nothing stored."""
    with pytest.raises(HubError) as refused:
        notifications.detention_started(session, ctx, dji, _started(**changes))
    session.rollback()
    assert (refused.value.status, refused.value.extra["field"]) == (422, field)
    assert BSN not in refused.value.detail and "111222334" not in refused.value.detail
    assert (_count(session, Case), _count(session, CaseKey), _count(session, AuditRecord)) == (0, 0, 0)


def test_new_detention_opens_new_linked_case(session: Session, ctx: CaseContext, dji: Caller) -> None:
    """A second detention of the same person is a new case with the same subject pseudonym."""
    first = notifications.detention_started(session, ctx, dji, _started())
    second = notifications.detention_started(
        session, ctx, dji, _started("PI-NWG-9", started_on="2027-03-01", expected_release_on=None)
    )
    a, b = session.get(Case, first.result.case_id), session.get(Case, second.result.case_id)
    assert a.id != b.id and a.subject_pseudonym == b.subject_pseudonym


def test_end_without_consent_closes(session: Session, ctx: CaseContext, dji: Caller) -> None:
    """Detention ends before any weighing: nothing to hand over, the case closes."""
    case_id = notifications.detention_started(session, ctx, dji, _started()).result.case_id
    outcome = notifications.detention_ended(session, ctx, dji, _ended())
    case = session.get(Case, case_id, populate_existing=True)
    assert outcome.result.state == "closed" and case.state == "closed" and case.closed_at is not None
    assert str(case.detention_ended_on) == "2027-01-15"


def test_end_with_consent_hands_over(session: Session, ctx: CaseContext, dji: Caller, coordinator: Caller) -> None:
    """With consent given in the weighing, the end of detention moves the case to handed_over."""
    case_id = notifications.detention_started(session, ctx, dji, _started()).result.case_id
    record_event(session, ctx, coordinator, case_id, ScreeningStarted(type="screening_started"))
    record_event(
        session, ctx, coordinator, case_id, WeighingRecorded(type="weighing_recorded", consent="yes", risk="none")
    )
    outcome = notifications.detention_ended(session, ctx, dji, _ended())
    assert outcome.result.state == "handed_over"
    again = notifications.detention_ended(session, ctx, dji, _ended())
    assert again.result == outcome.result and not again.created


@pytest.mark.parametrize(
    ("ended", "field"),
    [
        ({"ended_on": "2026-11-01"}, "ended_on"),
        ({"bsn": OTHER_BSN}, "started_notification_id"),
        ({"bsn": "111222334"}, "bsn"),
        ({"started": "PI-UNKNOWN"}, "started_notification_id"),
    ],
)
def test_bad_end_is_refused(session: Session, ctx: CaseContext, dji: Caller, ended, field) -> None:
    """An end before the start, another person or an unknown detention: 422, the case unchanged."""
    case_id = notifications.detention_started(session, ctx, dji, _started()).result.case_id
    session.commit()  # the start's own unit of work (services never commit)
    with pytest.raises(HubError) as refused:
        notifications.detention_ended(session, ctx, dji, _ended(**ended))
    session.rollback()
    assert (refused.value.status, refused.value.extra["field"]) == (422, field)
    case = session.get(Case, case_id, populate_existing=True)
    assert case.state == "notified" and case.detention_ended_on is None


def test_second_end_with_other_id_is_conflict(session: Session, ctx: CaseContext, dji: Caller) -> None:
    """A detention ends once: another end notification for it is a 409."""
    notifications.detention_started(session, ctx, dji, _started())
    notifications.detention_ended(session, ctx, dji, _ended())
    with pytest.raises(HubError) as refused:
        notifications.detention_ended(session, ctx, dji, _ended("PI-NWG-3"))
    assert (refused.value.status, refused.value.extra["rule"]) == (409, "detention_already_ended")
