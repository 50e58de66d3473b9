"""OAuth scopes are enforced: a down-scoped real token reaches only the operations it names (RFC 6750 §3.1)."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from tests.auth.conftest import HILVERSUM_SOCIAL, ZVH

BODY = {"responder": HILVERSUM_SOCIAL, "activity": "reintegration", "categories": ["housing"]}


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("post", "/v1/cases/case-x/requests", "request.create"),
        ("get", "/v1/cases/case-x", "case.read"),
        ("post", "/v1/cases/case-x/handover", "handover.create"),
    ],
)
def test_down_scoped_token_is_refused_outside_its_scope(partner_client, method, path, operation):
    """A ZVH token scoped to case.list gets 403 insufficient_scope naming the operation and the missing scope."""
    hub = partner_client(ZVH, scope="case.list")
    with capture_logs() as logs:
        response = getattr(hub, method)(path, **({"json": BODY} if method == "post" else {}))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "insufficient_scope"
    assert body["operation"] == operation and body["missing_scope"] == operation
    assert operation in body["detail"]
    assert [e["operation"] for e in logs if e["event"] == "auth.scope_refused"] == [operation]


def test_down_scoped_token_still_reaches_its_own_operation(partner_client):
    """The same down-scoped token lists cases: the scope it holds is honoured."""
    response = partner_client(ZVH, scope="case.list").get("/v1/cases")
    assert response.status_code == 200
    assert "items" in response.json()


def test_full_token_passes_the_scope_check(partner_client):
    """A token with all of the role's scopes reaches request.create (the route then answers 404 for no case)."""
    response = partner_client(ZVH).post("/v1/cases/case-x/requests", json=BODY)
    assert response.status_code == 404


def test_role_refusal_comes_before_the_scope_check(partner_client):
    """An operation the role may not call stays operation_forbidden (the policy's answer), scope or not."""
    response = partner_client(HILVERSUM_SOCIAL, scope="inbox.list").get("/v1/cases")
    assert response.status_code == 403
    assert response.json()["code"] == "operation_forbidden"
