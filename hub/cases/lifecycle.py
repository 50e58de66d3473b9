"""A case's life (DESIGN.md §3) as data: the transition table and the one function that applies it.

`TRANSITIONS[(state, event)]` lists the branches of that step, each with a guard on the case's facts
(consent, risk) after the event; the first branch whose guard holds gives the next state. A step that is
not in the table, or whose guards all fail, is refused with a 409 problem that names the rule. Nothing but
`transition()` sets `Case.state`.

```
detention_started ─► notified ─► screening ─► weighing ─┬─► plan ─────────────┐
                                                        ├─► outreach ─► plan   │
                                                        └─► closed             │
detention_ended (any open state) ──────────────────────────► handed_over ─► closed
```

When detention ends, a case moves to handed_over when there is something to hand over (the person gave
consent: help is voluntary and a handover carries support data), and otherwise closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import structlog
from sqlmodel import Session

from hub.auth.principal import Caller
from hub.cases.errors import TransitionNotAllowed
from hub.cases.models import Case, CaseEvent, CaseState, Consent, Risk

log = structlog.get_logger(__name__)


class CaseEventType(StrEnum):
    detention_started = "detention_started"  # the case is opened (timeline only; not in the table)
    screening_started = "screening_started"
    visit_recorded = "visit_recorded"
    weighing_recorded = "weighing_recorded"
    plan_recorded = "plan_recorded"
    outreach_started = "outreach_started"
    detention_ended = "detention_ended"
    handover_sent = "handover_sent"
    handover_acknowledged = "handover_acknowledged"
    case_closed = "case_closed"
    risk_notice_received = "risk_notice_received"  # DJI's 18b/BIJ notice (timeline only, hub.notices)
    evaluation_recorded = "evaluation_recorded"  # the basic conditions after the plan (hub.monitoring)
    # The municipality of origin (issue 16; hub.origin.service): timeline only, the state does not change.
    origin_determined = "origin_determined"
    origin_contested = "origin_contested"


@dataclass(frozen=True, slots=True)
class Facts:
    consent: Consent
    risk: Risk


@dataclass(frozen=True, slots=True)
class Guard:
    name: str
    explanation_nl: str
    holds: Callable[[Facts], bool]


@dataclass(frozen=True, slots=True)
class Branch:
    to: CaseState
    guard: Guard | None = None


ALWAYS: Guard | None = None
CONSENT_GIVEN = Guard(
    "plan_needs_consent",
    "Een plan kan alleen met toestemming van de betrokkene (toestemming: ja).",
    lambda f: f.consent is Consent.yes,
)
OUTREACH_WARRANTED = Guard(
    "outreach_needs_risk_without_consent",
    "Outreach alleen zonder toestemming van de betrokkene en met een gesignaleerd veiligheidsrisico.",
    lambda f: f.consent is not Consent.yes and f.risk is Risk.signalled,
)
SUPPORT_ENDS = Guard(
    "close_after_weighing_needs_no_help_no_risk",
    "Na de weging sluit een casus alleen als de betrokkene geen hulp wil en er geen veiligheidsrisico is.",
    lambda f: f.consent is not Consent.yes and f.risk is Risk.none,
)
RISK_GONE = Guard(
    "close_outreach_needs_no_risk",
    "Outreach sluit alleen af als er geen veiligheidsrisico meer is.",
    lambda f: f.risk is Risk.none,
)
SOMETHING_TO_HAND_OVER = Guard(
    "handover_needs_consent",
    "Er is iets over te dragen wanneer de betrokkene toestemming gaf.",
    lambda f: f.consent is Consent.yes,
)
NOTHING_TO_HAND_OVER = Guard(
    "close_when_nothing_to_hand_over",
    "Zonder toestemming is er niets over te dragen; de casus sluit.",
    lambda f: f.consent is not Consent.yes,
)

S, E = CaseState, CaseEventType
_ENDED = [Branch(S.handed_over, SOMETHING_TO_HAND_OVER), Branch(S.closed, NOTHING_TO_HAND_OVER)]

TRANSITIONS: dict[tuple[CaseState, CaseEventType], list[Branch]] = {
    (S.notified, E.screening_started): [Branch(S.screening)],
    (S.notified, E.visit_recorded): [Branch(S.screening)],
    (S.screening, E.visit_recorded): [Branch(S.screening)],
    (S.weighing, E.visit_recorded): [Branch(S.weighing)],
    (S.plan, E.visit_recorded): [Branch(S.plan)],
    (S.outreach, E.visit_recorded): [Branch(S.outreach)],
    (S.screening, E.weighing_recorded): [Branch(S.weighing)],
    (S.weighing, E.weighing_recorded): [Branch(S.weighing)],
    (S.outreach, E.weighing_recorded): [Branch(S.outreach)],
    (S.plan, E.weighing_recorded): [Branch(S.plan)],
    (S.weighing, E.plan_recorded): [Branch(S.plan, CONSENT_GIVEN)],
    (S.outreach, E.plan_recorded): [Branch(S.plan, CONSENT_GIVEN)],
    (S.plan, E.plan_recorded): [Branch(S.plan, CONSENT_GIVEN)],
    (S.weighing, E.outreach_started): [Branch(S.outreach, OUTREACH_WARRANTED)],
    (S.weighing, E.case_closed): [Branch(S.closed, SUPPORT_ENDS)],
    (S.outreach, E.case_closed): [Branch(S.closed, RISK_GONE)],
    (S.handed_over, E.case_closed): [Branch(S.closed)],
    (S.notified, E.detention_ended): _ENDED,
    (S.screening, E.detention_ended): _ENDED,
    (S.weighing, E.detention_ended): _ENDED,
    (S.plan, E.detention_ended): _ENDED,
    (S.outreach, E.detention_ended): _ENDED,
    (S.closed, E.detention_ended): [Branch(S.closed)],  # recorded on a case closed before release
    (S.handed_over, E.handover_sent): [Branch(S.handed_over)],
    (S.handed_over, E.handover_acknowledged): [Branch(S.closed)],
    # The evaluation after the plan, at handover or before closing; recorded once (hub.monitoring.facts).
    (S.plan, E.evaluation_recorded): [Branch(S.plan)],
    (S.handed_over, E.evaluation_recorded): [Branch(S.handed_over)],
}
del S, E


def allowed_events(state: CaseState) -> list[str]:
    """The events the table accepts in `state` (guards not evaluated)."""
    return sorted(event.value for (s, event) in TRANSITIONS if s is state)


def next_state(state: CaseState, event: CaseEventType, facts: Facts) -> CaseState:
    """The state after `event`, or TransitionNotAllowed naming the rule that refuses it."""
    branches = TRANSITIONS.get((state, event))
    if branches is None:
        rule = "case_closed" if state is CaseState.closed else "transition_table"
        raise TransitionNotAllowed(
            f"De stap '{event.value}' is niet toegestaan in de toestand '{state.value}'.",
            rule=rule,
            state=state.value,
            event=event.value,
            allowed_events=allowed_events(state),
        )
    for branch in branches:
        if branch.guard is None or branch.guard.holds(facts):
            return branch.to
    guard = branches[0].guard
    assert guard is not None
    raise TransitionNotAllowed(
        guard.explanation_nl,
        rule=guard.name,
        state=state.value,
        event=event.value,
        consent=facts.consent.value,
        risk=facts.risk.value,
    )


def transition(
    session: Session,
    case: Case,
    event: CaseEventType,
    by: Caller,
    *,
    payload: dict[str, Any] | None = None,
    consent: Consent | None = None,
    risk: Risk | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Apply `event` to `case` (with the weighing's new consent and risk), record it on the timeline.

    Refuses with TransitionNotAllowed before changing anything. Flushes, never commits.
    """
    facts = Facts(consent=consent or Consent(case.consent), risk=risk or Risk(case.risk))
    before = CaseState(case.state)
    after = next_state(before, event, facts)
    now = at or datetime.now(UTC)
    case.consent, case.risk = facts.consent.value, facts.risk.value
    case.state = after.value
    case.updated_at = now
    closing = after is CaseState.closed and case.closed_at is None
    if closing:
        case.closed_at = now
    entry = CaseEvent(
        case_id=case.id,
        type=event.value,
        actor=by.actor,
        organisation_oin=by.partner.oin,
        at=now,
        from_state=before.value,
        to_state=after.value,
        payload=payload or {},
    )
    session.add(case)
    session.add(entry)
    session.flush()
    if closing:  # the case's facts are final: its anonymous statistics, in this transaction
        from hub.monitoring.facts import write_closed_case

        write_closed_case(session, case)
    log.info(
        "case.transitioned", case_id=case.id, case_event=event.value, from_state=before.value, to_state=after.value
    )
    return entry
