"""The whole seed scenario under `structlog.testing.capture_logs()`: no BSN, name, date of birth, token or
answer value reaches an application log event, at any depth (the events are checked as emitted, before the
scrubber, so the code itself must not log them)."""

from __future__ import annotations

import json
from typing import Any

from structlog.testing import capture_logs

from partners.scenario import PLAN, POLICE_ANSWER, SECURITY_ANSWER, SOCIAL_ANSWER, Scenario


def _strings(value: Any) -> list[str]:
    """Every string and number at any depth of an answer or plan."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, bool) or value is None:
        return []
    return [str(value)]


def _secrets(scenario: Scenario, tokens: list[str]) -> set[str]:
    person = scenario.person
    values = {s for part in (SOCIAL_ANSWER, SECURITY_ANSWER, POLICE_ANSWER, PLAN) for s in _strings(part)}
    # Short enum words ("none", "medium") are too common to prove anything; identifying strings and
    # free text are what must never appear.
    values = {v for v in values if len(v) >= 8 or v.isdigit() and len(v) >= 4}
    return {person.bsn, person.name, person.birth_date.isoformat(), "landlord_notes", *tokens, *values}


def test_no_personal_data_token_or_answer_value_in_any_log_event(scenario, scenario_clients):
    """Every event of the scenario, serialised with its nested values, holds none of the secrets."""
    with capture_logs() as events:
        scenario.run()
        tokens = [client.access_token() for client in scenario_clients.values()]  # the cached tokens the run used
    assert len(events) > 50  # the run was logged at all
    serialised = [json.dumps(event, default=str, ensure_ascii=False) for event in events]
    leaks = {(secret[:12], event[:160]) for secret in _secrets(scenario, tokens) for event in serialised
             if secret in event}
    assert leaks == set()
    assert not [event for event in serialised if "eyJ" in event]  # no JWT (token or client assertion)
