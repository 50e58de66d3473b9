"""A policy engine that cannot decide gives the same answer on every route that asks it: 503
`policy_unavailable` with `Retry-After`, raised by the enforcement point (hub.policy.pep), and nothing stored,
released or logged. One test, parametrized over every route that asks the policy: each /v1 route asks the
API-access rule (`dt.api`), and the routes that decide or release ask `dt.request`, `dt.case_read` or
`dt.answer` as well."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from hub.cases.models import Case
from hub.policy.pdp import EmbeddedPDP
from tests.auth.test_authorization_first import WITH_OPERATION
from tests.exchange.conftest import BSN, SOCIAL, ZVH, counts

UNDEFINED = "package dt.{name}\n\nimport rego.v1\n\nnothing_here := true\n"
HOUSING = {"situation": "with_family_or_friends", "at_risk_of_loss": True}
ASKED = {"responder": SOCIAL, "activity": "reintegration", "categories": ["housing"]}
API = "api"
CALLER_OF = {  # a partner whose role the working policy lets call the operation (the broken one decides nothing)
    "notification": "dji-pi-nieuwegein",
    "inbox": SOCIAL,
    "answer": SOCIAL,
    "handover.acknowledge": SOCIAL,
    "audit": "fg-gooi-en-vechtstreek",
}

# (rule made undefined, route): every /v1 route under the API-access rule, and each deciding or releasing route
# under the rule it decides with.
RELEASES = [
    ("request", "POST /v1/cases/{case_id}/requests"),
    ("request", "GET /v1/inbox/{request_id}"),
    ("request", "POST /v1/inbox/{request_id}/answer"),
    ("answer", "POST /v1/inbox/{request_id}/answer"),
    ("request", "GET /v1/requests/{request_id}/answer"),
    ("request", "POST /v1/cases/{case_id}/handover"),
    ("request", "GET /v1/handovers/{handover_id}"),
    ("case_read", "GET /v1/cases/{case_id}/identity"),
    ("case_read", "GET /v1/cases/{case_id}/information-sheet"),
]
CASES = [(API, str(route)) for route in WITH_OPERATION] + RELEASES


def _caller(operation: str | None) -> str:
    for prefix, client_id in CALLER_OF.items():
        if operation and operation.startswith(prefix):
            return client_id
    return ZVH


def _operation(route: str) -> str | None:
    return next((r.operation for r in WITH_OPERATION if str(r) == route), None)


@pytest.fixture
def break_rule(app, settings, tmp_path) -> Callable[[str], None]:
    """Swap the app's engine for the real one with the rule `name` deciding nothing (undefined)."""

    def use(name: str) -> None:
        target = tmp_path / "policies"
        shutil.copytree(Path(settings.policies_dir), target)
        (target / "dt" / f"{name}.rego").write_text(UNDEFINED.format(name=name))
        for test_file in (target / "dt").glob("*_test.rego"):
            test_file.unlink()
        app.state.pdp = EmbeddedPDP(target)

    return use


@pytest.fixture
def ids(request, open_case, ask, hub, weigh, plan, end_detention) -> dict[str, str]:
    """The ids the route under test needs, made with the working policy: a case and, where the route needs
    them, a request (answered when it is read), a finished case and its handover."""
    rule, route = request.node.callspec.params["case"]
    case_id = open_case()
    found = {"case_id": case_id}
    if rule == API or not re.search(r"request_id|handover", route):
        return found
    request_id = ask(case_id, SOCIAL, ["housing"]).json()["id"]
    found["request_id"] = request_id
    if route.endswith("/v1/inbox/{request_id}") or route.endswith("/inbox/{request_id}/answer"):
        return found
    sent = hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}})
    assert sent.status_code == 201, sent.text
    if route.endswith("/answer"):
        return found
    assert hub(ZVH).get(f"/v1/requests/{request_id}/answer").status_code == 200
    weigh(case_id, consent="yes", risk="none")
    plan(case_id)
    end_detention(case_id)
    if route.startswith("GET"):
        handed = hub(ZVH).post(f"/v1/cases/{case_id}/handover")
        assert handed.status_code == 201, handed.text
        found["handover_id"] = handed.json()["id"]
    return found


def _call(route: str, ids: dict[str, str]) -> tuple[str, str, dict[str, Any] | None]:
    method, path = route.split(" ", 1)
    for name in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + name + "}", ids.get(name, str(uuid.uuid4())))
    body = ASKED if path.endswith("/requests") else {"values": {"housing": HOUSING}} if "/inbox/" in path else None
    return method, path, body if method == "POST" else None


def _cases(db) -> int:
    return db.all(select(func.count()).select_from(Case))[0]


@pytest.mark.parametrize("case", CASES, ids=[f"{rule}:{route}" for rule, route in CASES])
def test_an_engine_that_cannot_decide_is_503_everywhere_and_stores_nothing(case, ids, hub, db, break_rule):
    """503 policy_unavailable with Retry-After, no personal data in the body, nothing stored or logged."""
    rule, route = case
    method, path, body = _call(route, ids)
    client = hub(
        _caller(_operation(route)) if rule == API else SOCIAL if "/inbox/" in path or "/handovers/" in path else ZVH
    )
    client.access_token()  # the token is issued by the working hub; only the engine breaks
    before, cases = counts(db), _cases(db)
    break_rule(rule)
    response = client.request(method, path, json=body)
    assert (response.status_code, response.json()["code"]) == (503, "policy_unavailable"), response.text
    assert response.headers["retry-after"] == "5"
    assert BSN not in response.text and "with_family_or_friends" not in response.text
    assert counts(db) == before and _cases(db) == cases
