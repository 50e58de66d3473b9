"""Refusal under failure: when the database is unavailable, or the policy engine fails halfway, nothing is
released or stored and every client gets a clear 503 RFC 9457 problem, never a 500 and never data.

The database is made unavailable for real (PostgreSQL: this test's own database refuses connections and its
open ones are terminated; SQLite: the files are overwritten in place). The policy engine is the remote PDP
(HUB_OPA_URL) against the OPA stand-in, which is broken mid-run (one entry point replaced by a module that
no longer defines it) and then stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from hub.audit.models import AuditRecord
from hub.config import Settings
from hub.db import make_engine
from hub.exchange.models import Answer, DataRequest
from hub.main import create_app
from partners.load import TEAMS, Calls, CaseRun, Ledger, LoadPlan, run_load
from tests.resilience.conftest import assert_nothing_lost, cut_database
from tests.support.opa import OPA_TOKEN, write_token_file
from tests.support.opa_standin import StandinServer

PROBLEM = "application/problem+json"
TEAM = TEAMS[0]
HOUSING = {"housing": {"situation": "with_family_or_friends", "at_risk_of_loss": True}}


class Started:
    """One case with an answered request and an open one, made through the real API; tokens fetched."""

    def __init__(self, client: TestClient, number: int) -> None:
        calls = Calls(str(client.base_url), Ledger(), retry_seconds=0, stop=threading.Event())
        calls.http = client
        self.case = CaseRun(calls, TEAM, number, f"refusal-{number}")
        self.case.notify()
        self.answered = self.case.ask(TEAM.social, "reintegration", ["housing", "income"])
        self.case.answer(TEAM.social, self.answered, HOUSING)
        self.open = self.case.ask(TEAM.social, "reintegration", ["housing"])
        for client_id in (TEAM.coordinator, TEAM.social, "dji-pi-nieuwegein"):
            self.client(client_id).access_token()

    def client(self, client_id: str):
        return self.case.caller.client(client_id)

    def call(self, name: str) -> httpx.Response:
        client_id, method, path, body = _calls(self)[name]
        return self.client(client_id).request(method, path, json=body)


@pytest.fixture
def started_case(client) -> Started:
    return Started(client, 4711)


def _calls(started: Started) -> dict[str, tuple[str, str, str, dict | None]]:
    """Every kind of call a partner makes: (client_id, method, path, json body)."""
    case = started.case
    new_case = {
        "notification_id": "REFUSAL-2",
        "subject": {"bsn": "999993653", "name": "A. Test", "birth_date": "1990-01-01"},
        "prison": "PI Nieuwegein",
        "started_on": "2026-10-01",
        "expected_release_on": "2026-12-01",
        "municipality": TEAM.municipality,
        "information_sheet": {"conditions": {"housing": {"status": "unknown"}}},
    }
    return {
        "read_answer": (TEAM.coordinator, "GET", f"/v1/requests/{started.answered}/answer", None),
        "new_request": (
            TEAM.coordinator,
            "POST",
            f"/v1/cases/{case.case_id}/requests",
            {"responder": TEAM.social, "activity": "reintegration", "categories": ["income"]},
        ),
        "inbox_item": (TEAM.social, "GET", f"/v1/inbox/{started.open}", None),
        "answer": (TEAM.social, "POST", f"/v1/inbox/{started.open}/answer", {"values": HOUSING}),
        "case_list": (TEAM.coordinator, "GET", "/v1/cases", None),
        "notification": ("dji-pi-nieuwegein", "POST", "/v1/notifications/detention-started", new_case),
    }


def _statuses(started: Started) -> dict[str, tuple[int, str, str]]:
    """Each call's status, content type and problem code (tokens were fetched before the failure)."""
    results = {}
    for name in _calls(started):
        response = started.call(name)
        code = response.json().get("code", "") if response.headers["content-type"] == PROBLEM else "-"
        results[name] = (response.status_code, response.headers["content-type"], code)
    return results


def _counts(database_url: str) -> tuple[int, int, int]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return tuple(
                session.scalar(select(func.count()).select_from(model)) for model in (AuditRecord, DataRequest, Answer)
            )
    finally:
        engine.dispose()


def test_database_unavailable_is_a_503_problem_for_every_call(client, started_case, database_url):
    """Database gone: every call (and a new token, and readiness) is a 503 problem; nothing stored or released."""
    before = _counts(database_url)
    restore = cut_database(database_url)
    try:
        results = _statuses(started_case)
        token = client.post(
            "/oauth/token", data=started_case.client(TEAM.social).authenticated_form(grant_type="client_credentials")
        )
        ready = client.get("/health/ready")
    finally:
        restore()
    unavailable = (503, PROBLEM, "database_unavailable")
    assert results == dict.fromkeys(results, unavailable)
    assert (token.status_code, token.json()["code"]) == (503, "database_unavailable")
    assert token.headers["retry-after"] == "5"
    assert ready.status_code == 503 and ready.json()["checks"]["database"] is False
    if not database_url.startswith("sqlite"):  # the SQLite files were destroyed; PostgreSQL is back
        assert _counts(database_url) == before


@pytest.fixture
def standin() -> Iterator[StandinServer]:
    """The OPA stand-in requiring the hub's token, as docker-compose's OPA does."""
    with StandinServer(Path(Settings(env="dev").policies_dir), token=OPA_TOKEN) as server:
        yield server


@pytest.fixture
def remote_client(database_url, standin, tmp_path) -> Iterator[TestClient]:
    """The app deciding through the remote PDP (HUB_OPA_URL, HUB_OPA_TOKEN_FILE) at the OPA stand-in."""
    app = create_app(
        Settings(
            env="dev",
            database_url=database_url,
            opa_url=standin.url,
            opa_timeout_seconds=2,
            opa_token_file=write_token_file(tmp_path),
        )
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def _break(standin: StandinServer, module: str, package: str) -> None:
    """Replace one policy module in the stand-in by one that no longer defines its entry point (as an edit of
    the mounted file would under OPA's --watch: the hub's token cannot change policies through the API)."""
    standin.replace_module(module, f"package {package}\n\nplaceholder := true\n")


def test_policy_engine_failing_halfway_stores_and_releases_nothing(remote_client, standin, database_url):
    """The API check still answers but the request/answer decision does not: 503, no request, no answer."""
    started = Started(remote_client, 4712)
    before = _counts(database_url)
    _break(standin, "dt/answer.rego", "dt.answer")
    answer = started.call("answer")
    _break(standin, "dt/request.rego", "dt.request")
    request = started.call("new_request")

    for response in (answer, request):
        assert (response.status_code, response.json()["code"]) == (503, "policy_unavailable")
        assert response.headers["content-type"] == PROBLEM and "values" not in response.json()
    assert _counts(database_url) == before


def test_policy_engine_stopped_refuses_every_call(remote_client, standin, database_url):
    """The stand-in stopped mid-run: every call that needs a decision on case content is a 503
    `policy_unavailable` problem and stores nothing. A call that needs only the API-access decision is answered
    from the access table of the revision in force (hub.policy.access_table, issue 11): the `api` rule sees only
    role and operation, so that table is the policy's whole answer for the revision, evaluated when it loaded."""
    started = Started(remote_client, 4713)
    before = _counts(database_url)
    standin.__exit__(None, None, None)
    results = _statuses(started)
    access_only = {"notification": (201, "application/json", "-"), "case_list": (200, "application/json", "-")}
    assert {name: results[name] for name in access_only} == access_only
    decided = {name: outcome for name, outcome in results.items() if name not in access_only}
    assert decided == dict.fromkeys(decided, (503, PROBLEM, "policy_unavailable"))
    assert set(decided) == {"read_answer", "new_request", "inbox_item", "answer"}
    assert _counts(database_url)[1:] == before[1:]  # no request and no answer stored, nothing released


def test_database_cut_under_load_gives_only_503_problems(hub_process, database_url):
    """Mid-load the database refuses connections: no 500 ever; afterwards every acknowledged exchange is kept."""
    restore = []

    def cut(ledger: Ledger) -> None:
        # First something to lose: on a loaded machine the first exchange can take seconds (a cut before it
        # leaves an empty log, and "nothing lost" would hold vacuously). Each worker's first case then runs on.
        give_up = time.monotonic() + 120
        while ledger.acknowledged == 0:
            assert time.monotonic() < give_up, "no exchange was acknowledged before the cut"
            time.sleep(0.02)
        deadline = time.monotonic() + 1.5
        while ledger.acknowledged < 30 and time.monotonic() < deadline:
            time.sleep(0.02)
        restore.append(cut_database(database_url))

    plan = LoadPlan(hub_process.url, partners=4, seconds=2, retry_seconds=1)
    ledger, _elapsed = run_load(plan, during=cut)
    restore[0]()
    hub_process.kill()  # what is tested is over; a graceful stop against a destroyed SQLite file only waits

    assert ledger.server_errors, "the cut was not felt"
    assert {error.split(" ", 1)[1] for error in ledger.server_errors} <= {
        "503 database_unavailable",
        "503 audit_unavailable",
        "503 unknown_error",
    }  # token: OAuth error form
    assert ledger.statuses[500] == 0
    if not database_url.startswith("sqlite"):
        assert_nothing_lost(database_url, ledger)
