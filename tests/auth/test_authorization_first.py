"""Authentication and the API-access decision come before input validation, on every protected route.

A caller without a valid token gets 401, and a role the policy refuses gets 403, whatever it sends: never a
422 that names the fields of a route it may not call (security review item "422 before 403"). The routes
are read from the assembled app (`app.routes`), so a new route is covered without touching this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from hub.auth.authorization import authorize
from hub.auth.dependencies import CallerDep, current_caller
from hub.auth.principal import Caller
from hub.auth.routing import AuthorizedRoute, check_routes
from hub.auth.scopes import scopes_for
from hub.config import Settings
from hub.crypto.devkeys import generate as generate_dev_keys
from hub.errors import ValidationFailed
from hub.main import create_app
from hub.policy.pep import check_operation
from partners.client import DEV_KEYS, HubClient
from tests.conftest import BACKENDS, fresh_database
from tests.support.auth import partner_key

MALFORMED_JSON = b'{"categories": ["housing", '  # cut off: FastAPI decodes it before any dependency runs
JSON = {"Content-Type": "application/json"}
BAD_VALUE = "!"  # not an int, date-time, enum member, boolean or CBS code
BAD_SEGMENT = "geen-geldige-id"  # not a UUID


@dataclass(frozen=True, slots=True)
class ProtectedRoute:
    method: str
    path: str
    operation: str | None  # the route's authorize(operation); None: only authenticated (GET /v1/me)
    takes_body: bool
    query: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def malformed(self) -> dict:
        """Arguments for a request whose path, query and body are all malformed for this route."""
        path = self.path
        for name in _path_names(self.path):
            path = path.replace("{" + name + "}", BAD_SEGMENT)
        return {
            "method": self.method,
            "url": path,
            "params": dict.fromkeys(self.query, BAD_VALUE),
            "content": MALFORMED_JSON,
            "headers": JSON,
        }


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _dependants(dependant: Dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _calls(dependant: Dependant) -> set:
    return {d.call for d in _dependants(dependant)}


def protected_routes(app: FastAPI) -> list[ProtectedRoute]:
    """Every route of the app whose dependencies include the bearer-token check, with its operation."""
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        calls = _calls(route.dependant)
        if current_caller not in calls:
            continue
        operations = {c.operation for c in calls if hasattr(c, "operation")}
        assert len(operations) <= 1, f"{route.path} authorizes {operations}"
        query = tuple(sorted({p.alias for d in _dependants(route.dependant) for p in d.query_params}))
        found += [
            ProtectedRoute(method, route.path, next(iter(operations), None), route.body_field is not None, query)
            for method in sorted(route.methods - {"HEAD"})
        ]
    return found


def _listed_app() -> FastAPI:
    """The app as create_app assembles it, only to read its routes at collection time (no database use)."""
    generate_dev_keys()
    return create_app(Settings(env="dev", database_url="sqlite://", log_json=True))


ROUTES = protected_routes(_listed_app())
WITH_OPERATION = [r for r in ROUTES if r.operation]
WITH_BODY = [r for r in WITH_OPERATION if r.takes_body]


@dataclass(frozen=True, slots=True)
class Hub:
    """One app per database for this module: its calls only read, and issue tokens."""

    app: FastAPI
    client: TestClient
    partners: dict[str, HubClient]

    def headers(self, client_id: str) -> dict[str, str]:
        """A real access token of `client_id` (cached until shortly before it expires) and an acting person."""
        if client_id not in self.partners:
            self.partners[client_id] = HubClient(
                client_id,
                partner_key(client_id),
                base_url=str(self.client.base_url),
                actor="medewerker-1",
                http=self.client,
            )
        return self.partners[client_id].headers()

    def client_ids(self, operation: str, *, allowed: bool) -> list[str]:
        """Development partners whose role the real policy allows (or refuses) `operation`; allowed ones
        also get it in their token's scope."""
        registry = self.app.state.registry
        return sorted(
            p.client_id
            for p in registry.all()
            if check_operation(self.app.state.pdp, p.role, operation).allow is allowed
            and (not allowed or operation in scopes_for(p.role))
        )


@pytest.fixture(scope="module", params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with fresh_database(request, tmp_path_factory.mktemp("authorization-first")) as url:
        app = create_app(Settings(env="dev", database_url=url, log_json=True))
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            yield Hub(app, client, {})
        app.state.engine.dispose()


def test_the_listing_finds_the_routes_of_every_capability() -> None:
    """The walk over app.routes sees the protected routes of auth, cases, exchange and audit, with and
    without a body, so the parametrised tests below are not vacuous."""
    names = {str(r) for r in ROUTES}
    assert {
        "GET /v1/me",
        "POST /v1/notifications/detention-started",
        "GET /v1/cases",
        "POST /v1/cases/{case_id}/requests",
        "POST /v1/inbox/{request_id}/answer",
        "POST /v1/audit/records/query",
        "GET /v1/audit/reports/{kind}",
    } <= names
    assert len(WITH_BODY) >= 6
    assert all(r.path.startswith("/v1/") for r in ROUTES)


def test_the_listing_app_serves_the_same_routes_as_the_tested_app(hub: Hub) -> None:
    """The routes read at collection time are those of the app the tests talk to."""
    assert [str(r) for r in protected_routes(hub.app)] == [str(r) for r in ROUTES]


def test_every_protected_route_authorizes_before_it_parses(hub: Hub) -> None:
    """Each route that checks a token is an AuthorizedRoute that found its authorization."""
    originals = [_original(hub.app, r) for r in ROUTES]
    assert [
        str(r)
        for r, o in zip(ROUTES, originals, strict=True)
        if not isinstance(o, AuthorizedRoute) or o.authorization is None
    ] == []
    check_routes(hub.app)


def test_the_app_refuses_to_start_with_a_route_that_would_parse_first(sqlite_template: Path) -> None:
    """A protected route added without AuthorizedRoute stops the app at start-up, before it serves."""
    app = create_app(Settings(env="dev", database_url=f"sqlite:///{sqlite_template}", log_json=True))

    @app.post("/v1/cases/{case_id}/plain")
    def plain(case_id: str, body: dict, caller: CallerDep) -> dict:
        return {}

    with pytest.raises(RuntimeError, match=r"/v1/cases/\{case_id\}/plain checks a token"), TestClient(app):
        pass


def test_authorization_runs_before_a_dependency_declared_ahead_of_it(settings: Settings) -> None:
    """On an AuthorizedRoute, a dependency that refuses its input (a 422 problem) but is declared before the
    route's authorize(operation) does not answer before it: 401 without a token, 403 for a refused role."""
    app = create_app(settings)
    router = APIRouter(prefix="/v1/probe", route_class=AuthorizedRoute)

    def strict(cursor: str | None = None) -> None:
        raise ValidationFailed("De cursor is ongeldig.", field="cursor")

    # Defaults, not annotations: with `from __future__ import annotations` a local `strict` would not resolve.
    @router.get("")
    def probe(_: None = Depends(strict), caller: Caller = Depends(authorize("case.read"))) -> dict:  # noqa: B008
        return {}

    app.include_router(router)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        police = HubClient(
            "politie-midden-nederland",
            DEV_KEYS / "politie-midden-nederland.key.pem",
            base_url=str(client.base_url),
            actor="medewerker-1",
            http=client,
        )
        anonymous = client.get("/v1/probe", params={"cursor": BAD_VALUE}).json()
        refused = police.get("/v1/probe", params={"cursor": BAD_VALUE}).json()
        coordinator = HubClient(
            "zvh-gooi-en-vechtstreek",
            DEV_KEYS / "zvh-gooi-en-vechtstreek.key.pem",
            base_url=str(client.base_url),
            actor="medewerker-1",
            http=client,
        )
        allowed = coordinator.get("/v1/probe", params={"cursor": BAD_VALUE}).json()
    assert (anonymous["status"], anonymous["code"]) == (401, "invalid_token")
    assert (refused["status"], refused["code"]) == (403, "operation_forbidden")
    assert (allowed["status"], allowed["code"], allowed["field"]) == (422, "validation_failed", "cursor")


def _original(app: FastAPI, route: ProtectedRoute) -> APIRoute:
    return next(
        r.original_route
        for r in iter_route_contexts(app.routes)
        if r.path == route.path and route.method in (r.methods or ())
    )


@pytest.mark.parametrize("authorization", [None, "Bearer geen.geldig.token"], ids=["no-token", "invalid-token"])
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_valid_token_is_401_before_any_input_is_validated(
    hub: Hub, route: ProtectedRoute, authorization: str | None
) -> None:
    """Without a valid token, a malformed path, query and body get 401 invalid_token, never a 422."""
    arguments = route.malformed()
    if authorization:
        arguments["headers"] = {
            **arguments["headers"],
            "Authorization": authorization,
            "X-Acting-Person": "medewerker-1",
        }
    response = hub.client.request(**arguments)
    body = response.json()
    assert (response.status_code, body["code"]) == (401, "invalid_token")
    assert "errors" not in body


@pytest.mark.parametrize("route", WITH_OPERATION, ids=str)
def test_a_refused_role_gets_403_before_any_input_is_validated(hub: Hub, route: ProtectedRoute) -> None:
    """A valid token of a role the API policy refuses gets 403 operation_forbidden for a malformed call,
    never a 422; the refusal is logged once, as before."""
    refused = hub.client_ids(route.operation, allowed=False)
    if not refused:
        pytest.skip(f"the policy allows {route.operation} to every role")
    arguments = route.malformed()
    headers = {**arguments.pop("headers"), **hub.headers(refused[0])}
    with capture_logs() as logs:
        response = hub.client.request(**arguments, headers=headers)
    body = response.json()
    assert (response.status_code, body["code"], body.get("operation")) == (403, "operation_forbidden", route.operation)
    assert "errors" not in body
    assert [e["operation"] for e in logs if e["event"] == "policy.operation_refused"] == [route.operation]


@pytest.mark.parametrize("route", WITH_BODY, ids=str)
def test_an_allowed_role_still_gets_the_422_for_a_malformed_body(hub: Hub, route: ProtectedRoute) -> None:
    """Once authorized, the same malformed JSON is a 422 naming the body: validation moved, it did not go."""
    allowed = hub.client_ids(route.operation, allowed=True)
    assert allowed, f"no development partner may call {route.operation}"
    path = route.path
    for name in _path_names(path):
        path = path.replace("{" + name + "}", "0b6f4f1e-7a55-4a53-9c1a-0d6c2a4f7e10")
    response = hub.client.request(
        route.method, path, content=MALFORMED_JSON, headers={**JSON, **hub.headers(allowed[0])}
    )
    body = response.json()
    assert (response.status_code, body["code"]) == (422, "validation_failed")
    assert [e["type"] for e in body["errors"]] == ["json_invalid"]


def test_an_allowed_role_still_gets_the_422_for_malformed_query_and_path(hub: Hub) -> None:
    """Once authorized, malformed query and path values are 422 problems naming them."""
    headers = hub.headers("zvh-gooi-en-vechtstreek")
    listed = hub.client.get("/v1/cases", params={"limit": BAD_VALUE, "state": BAD_VALUE}, headers=headers).json()
    one = hub.client.get(f"/v1/cases/{BAD_SEGMENT}", headers=headers).json()
    assert (listed["status"], sorted(e["field"] for e in listed["errors"])) == (422, ["limit", "state"])
    assert (one["status"], [e["field"] for e in one["errors"]]) == (422, ["case_id"])
