"""API access: the role -> operation table of docs/ARCHITECTURE.md, through the policy and the dependency."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends
from structlog.testing import capture_logs

from hub.auth.authorization import authorize
from hub.auth.principal import ROLES, Caller
from hub.auth.routing import AuthorizedRoute
from hub.auth.scopes import ROLE_SCOPES
from hub.policy.pdp import EmbeddedPDP
from hub.policy.pep import check_operation

RESPONDERS = {"dji", "municipal_social", "municipal_security", "police", "probation"}
TABLE: dict[str, set[str]] = {
    "notification.create": {"dji"},
    **{
        op: {"zvh_coordinator"}
        for op in (
            "case.list",
            "case.read",
            "case.transition",
            "request.create",
            "request.list",
            "request.read",
            "handover.create",
        )
    },
    **{op: RESPONDERS for op in ("inbox.list", "inbox.read", "answer.submit")},
    "handover.acknowledge": {"municipal_social"},
    "origin.determine": {"zvh_coordinator"},
    "origin.contest": {"municipal_social"},
    **{op: {"privacy_officer"} for op in ("audit.query", "audit.integrity", "audit.access_report", "audit.report")},
    "monitor.read": {"region_analyst"},
}
CASES = [(role, op) for op in sorted(TABLE) for role in ROLES]


@pytest.mark.parametrize(("role", "operation"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_operation_table(role, operation, embedded_pdp):
    """Each role may call exactly the operations the architecture table gives it."""
    outcome = check_operation(embedded_pdp, role, operation)
    assert outcome.allow is (role in TABLE[operation])
    assert outcome.reason == (None if outcome.allow else "role_not_permitted")
    assert outcome.rule == "dt.api.allow"


def test_token_scopes_match_the_policy_table():
    """The scopes hub.auth puts in a role's token are the operations the policy lets that role call."""
    for role in ROLES:
        assert ROLE_SCOPES[role] == {op for op, roles in TABLE.items() if role in roles}


@pytest.mark.parametrize(
    ("role", "operation", "reason"),
    [
        ("mayor", "case.list", "unknown_role"),
        ("dji", "case.delete", "unknown_operation"),
        ("", "case.list", "unknown_role"),
        (None, "case.list", "invalid_input"),
        ("dji", None, "invalid_input"),
    ],
)
def test_unknown_role_or_operation_is_refused(role, operation, reason, embedded_pdp):
    """An unknown role or operation, or a missing one, is refused with a reason saying which."""
    outcome = check_operation(embedded_pdp, role, operation)  # type: ignore[arg-type]
    assert outcome.allow is False and outcome.reason == reason


@pytest.fixture
def guarded(app):
    """The hub app with one route behind authorize("case.list") (an AuthorizedRoute, as the app requires)."""
    router = APIRouter(route_class=AuthorizedRoute)

    @router.get("/v1/_policy_probe")
    def probe(caller: Caller = Depends(authorize("case.list"))) -> dict[str, str]:  # noqa: B008 - FastAPI
        return {"oin": caller.partner.oin, "actor": caller.actor}

    app.include_router(router)
    return app


def test_authorize_returns_the_caller(guarded, client, auth_headers):
    """A coordinator with a real token passes and the route receives its Caller."""
    response = client.get("/v1/_policy_probe", headers=auth_headers("zvh-gooi-en-vechtstreek"))
    assert response.status_code == 200
    assert response.json()["actor"] == "medewerker-1"


def test_authorize_refuses_naming_the_rule(guarded, client, auth_headers):
    """A municipality may not list cases: 403 problem naming the rule and the reason."""
    with capture_logs() as logs:
        response = client.get("/v1/_policy_probe", headers=auth_headers("gm0402-social"))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "operation_forbidden"
    assert (body["rule"], body["reason"], body["operation"]) == ("dt.api.allow", "role_not_permitted", "case.list")
    assert any(e["event"] == "policy.operation_refused" for e in logs)


def test_authorize_with_broken_engine_refuses(guarded, client, auth_headers, policies_copy):
    """When the engine fails the route is refused with 503 policy_unavailable."""
    path = policies_copy / "dt" / "api.rego"
    path.write_text(path.read_text().replace("decision := {", "decision := 3\n\nold_decision := {"))
    guarded.state.pdp = EmbeddedPDP(policies_copy)
    response = client.get("/v1/_policy_probe", headers=auth_headers("zvh-gooi-en-vechtstreek"))
    assert response.status_code == 503
    assert response.json()["code"] == "policy_unavailable"
    assert response.headers["retry-after"] == "5"


def test_app_carries_the_embedded_pdp(app):
    """create_app installs the embedded decision point when no OPA URL is set."""
    assert isinstance(app.state.pdp, EmbeddedPDP)
    assert app.state.pdp.revision.startswith("sha256:")
