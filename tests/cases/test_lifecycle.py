"""The transition table of DESIGN.md §3: every allowed step, guards, and a sample of illegal steps."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from hub.auth.principal import Caller
from hub.cases.errors import TransitionNotAllowed
from hub.cases.lifecycle import TRANSITIONS, CaseEventType, Facts, next_state, transition
from hub.cases.models import Case, CaseEvent, CaseState, Consent, Risk

S, E, C, R = CaseState, CaseEventType, Consent, Risk

# (from, event, consent, risk, expected to) — one row per allowed branch of the table.
ALLOWED = [
    (S.notified, E.screening_started, C.unknown, R.none, S.screening),
    (S.notified, E.visit_recorded, C.unknown, R.none, S.screening),
    (S.screening, E.visit_recorded, C.unknown, R.none, S.screening),
    (S.weighing, E.visit_recorded, C.yes, R.none, S.weighing),
    (S.plan, E.visit_recorded, C.yes, R.none, S.plan),
    (S.outreach, E.visit_recorded, C.no, R.signalled, S.outreach),
    (S.screening, E.weighing_recorded, C.no, R.none, S.weighing),
    (S.weighing, E.weighing_recorded, C.yes, R.signalled, S.weighing),
    (S.outreach, E.weighing_recorded, C.yes, R.signalled, S.outreach),
    (S.plan, E.weighing_recorded, C.yes, R.none, S.plan),
    (S.weighing, E.plan_recorded, C.yes, R.none, S.plan),
    (S.outreach, E.plan_recorded, C.yes, R.signalled, S.plan),
    (S.plan, E.plan_recorded, C.yes, R.none, S.plan),
    (S.weighing, E.outreach_started, C.no, R.signalled, S.outreach),
    (S.weighing, E.outreach_started, C.unknown, R.signalled, S.outreach),
    (S.weighing, E.case_closed, C.no, R.none, S.closed),
    (S.outreach, E.case_closed, C.no, R.none, S.closed),
    (S.handed_over, E.case_closed, C.yes, R.none, S.closed),
    (S.notified, E.detention_ended, C.unknown, R.none, S.closed),
    (S.screening, E.detention_ended, C.yes, R.none, S.handed_over),
    (S.weighing, E.detention_ended, C.no, R.signalled, S.closed),
    (S.plan, E.detention_ended, C.yes, R.none, S.handed_over),
    (S.outreach, E.detention_ended, C.no, R.signalled, S.closed),
    (S.closed, E.detention_ended, C.no, R.none, S.closed),
    (S.handed_over, E.handover_sent, C.yes, R.none, S.handed_over),
    (S.handed_over, E.handover_acknowledged, C.yes, R.none, S.closed),
    (S.plan, E.evaluation_recorded, C.yes, R.none, S.plan),
    (S.handed_over, E.evaluation_recorded, C.yes, R.none, S.handed_over),
]

# (from, event, consent, risk, rule named in the refusal)
ILLEGAL = [
    (S.notified, E.plan_recorded, C.yes, R.none, "transition_table"),
    (S.notified, E.weighing_recorded, C.yes, R.none, "transition_table"),
    (S.screening, E.plan_recorded, C.yes, R.none, "transition_table"),
    (S.screening, E.case_closed, C.no, R.none, "transition_table"),
    (S.weighing, E.plan_recorded, C.no, R.none, "plan_needs_consent"),
    (S.weighing, E.plan_recorded, C.unknown, R.signalled, "plan_needs_consent"),
    (S.weighing, E.outreach_started, C.yes, R.signalled, "outreach_needs_risk_without_consent"),
    (S.weighing, E.outreach_started, C.no, R.none, "outreach_needs_risk_without_consent"),
    (S.weighing, E.case_closed, C.yes, R.none, "close_after_weighing_needs_no_help_no_risk"),
    (S.weighing, E.case_closed, C.no, R.signalled, "close_after_weighing_needs_no_help_no_risk"),
    (S.outreach, E.case_closed, C.no, R.signalled, "close_outreach_needs_no_risk"),
    (S.plan, E.handover_sent, C.yes, R.none, "transition_table"),
    (S.handed_over, E.detention_ended, C.yes, R.none, "transition_table"),
    (S.handed_over, E.plan_recorded, C.yes, R.none, "transition_table"),
    (S.closed, E.visit_recorded, C.yes, R.none, "case_closed"),
    (S.closed, E.weighing_recorded, C.yes, R.none, "case_closed"),
    (S.closed, E.handover_acknowledged, C.yes, R.none, "case_closed"),
    (S.weighing, E.evaluation_recorded, C.yes, R.none, "transition_table"),
    (S.closed, E.evaluation_recorded, C.yes, R.none, "case_closed"),
]


def test_every_table_entry_is_covered() -> None:
    """The ALLOWED vectors exercise every (state, event) entry of the table."""
    assert {(row[0], row[1]) for row in ALLOWED} == set(TRANSITIONS)


@pytest.mark.parametrize(("state", "event", "consent", "risk", "expected"), ALLOWED)
def test_allowed_transition(state, event, consent, risk, expected) -> None:
    """Each allowed step leads to the state DESIGN.md §3 prescribes."""
    assert next_state(state, event, Facts(consent, risk)) is expected


@pytest.mark.parametrize(("state", "event", "consent", "risk", "rule"), ILLEGAL)
def test_illegal_transition_names_the_rule(state, event, consent, risk, rule) -> None:
    """An illegal step is a 409 that names the rule which refuses it."""
    with pytest.raises(TransitionNotAllowed) as refused:
        next_state(state, event, Facts(consent, risk))
    assert refused.value.status == 409
    assert refused.value.extra["rule"] == rule
    assert refused.value.extra["state"] == state.value


def _case(session: Session, state: CaseState) -> Case:
    from datetime import date

    case = Case(
        region="gooi-en-vechtstreek",
        municipality="GM0402",
        subject_pseudonym="b" * 64,
        state=state.value,
        prison="PI Nieuwegein",
        detention_started_on=date(2026, 11, 2),
        started_notification_id="n",
    )
    session.add(case)
    session.commit()
    return case


def test_transition_records_who_and_when(session: Session, coordinator: Caller) -> None:
    """transition() moves the state and writes a timeline event with actor, OIN and time."""
    case = _case(session, S.screening)
    transition(
        session, case, E.weighing_recorded, coordinator, payload={"consent": "yes"}, consent=C.yes, risk=R.signalled
    )
    session.commit()
    stored = session.get(Case, case.id, populate_existing=True)
    assert (stored.state, stored.consent, stored.risk) == ("weighing", "yes", "signalled")
    event = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert (event.type, event.actor, event.organisation_oin) == (
        "weighing_recorded",
        "regisseur-1",
        coordinator.partner.oin,
    )
    assert (event.from_state, event.to_state) == ("screening", "weighing") and event.at is not None


def test_refused_transition_changes_nothing(session: Session, coordinator: Caller) -> None:
    """A refused step leaves state, facts and timeline untouched."""
    case = _case(session, S.weighing)
    with pytest.raises(TransitionNotAllowed):
        transition(session, case, E.plan_recorded, coordinator, consent=C.no)
    session.rollback()
    stored = session.get(Case, case.id, populate_existing=True)
    assert (stored.state, stored.consent) == ("weighing", "unknown")
    assert session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).all() == []


def test_closing_sets_closed_at(session: Session, coordinator: Caller) -> None:
    """A step into `closed` stamps closed_at, from which retention counts."""
    case = _case(session, S.handed_over)
    transition(session, case, E.handover_acknowledged, coordinator)
    assert case.state == "closed" and case.closed_at is not None
