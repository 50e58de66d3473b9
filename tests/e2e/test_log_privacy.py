"""The whole seed scenario under `structlog.testing.capture_logs()`: no BSN, name, date of birth, token or
answer value reaches an application log event, at any depth (the events are checked as emitted, before the
scrubber, so the code itself must not log them). It runs on the embedded engine and on a remote OPA (the
stand-in, requiring the hub's bearer token, which must not be logged either)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from structlog.testing import capture_logs

from hub.config import Settings
from partners.scenario import PLAN, POLICE_ANSWER, SECURITY_ANSWER, SOCIAL_ANSWER, Scenario
from tests.support.opa import OPA_TOKEN, write_token_file
from tests.support.opa_standin import StandinServer


@pytest.fixture
def opa_standin() -> Iterator[StandinServer]:
    with StandinServer(Settings(env="dev").policies_dir, token=OPA_TOKEN) as server:
        yield server


@pytest.fixture(params=["embedded", "remote"])
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path) -> Settings:
    """The app's settings (overriding the shared fixture): the embedded engine, or the OPA stand-in."""
    if request.param == "embedded":
        return Settings(env="dev", database_url=database_url, log_json=True, log_witness_dir=tmp_path / "witness")
    standin = request.getfixturevalue("opa_standin")
    return Settings(
        env="dev",
        database_url=database_url,
        log_json=True,
        opa_url=standin.url,
        opa_timeout_seconds=5,
        opa_token_file=write_token_file(tmp_path),
    )


JWT_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


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
    return {person.bsn, person.name, person.birth_date.isoformat(), "landlord_notes", OPA_TOKEN, *tokens, *values}


def _contains(text: str, secret: str) -> bool:
    """Whether `secret` occurs in `text`. A short number (an amount such as 8500) counts only on its own, not
    inside a longer run of letters and digits: random hex ids (trace and decision ids) hold such digit runs by
    chance. Everything else, the 9-digit BSN included, counts wherever it occurs."""
    if secret.isdigit() and len(secret) < 9:
        return re.search(rf"(?<![0-9A-Za-z]){secret}(?![0-9A-Za-z])", text) is not None
    return secret in text


def test_no_personal_data_token_or_answer_value_in_any_log_event(scenario, scenario_clients):
    """Every event of the scenario, serialised with its nested values, holds none of the secrets."""
    with capture_logs() as events:
        scenario.run()
        tokens = [client.access_token() for client in scenario_clients.values()]  # the cached tokens the run used
    assert len(events) > 25  # the run was logged at all (audit.recorded is a debug line since issue 15: 34 events)
    serialised = [json.dumps(event, default=str, ensure_ascii=False) for event in events]
    leaks = {
        (secret[:12], event[:160])
        for secret in _secrets(scenario, tokens)
        for event in serialised
        if _contains(event, secret)
    }
    assert leaks == set()
    # No JWT (token or client assertion): a word that starts as a JSON header does ("eyJ") and has a second
    # segment. A bare "eyJ" inside a random id (a jti, a token id) is chance, not a token.
    assert not [event for event in serialised if JWT_SHAPE.search(event)]
