"""The authorization matrix (tests/matrix/table.py) holds: every cell is a real call with a real token on a
real object, on SQLite and PostgreSQL; and the table covers exactly the app's routes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from hub.config import Settings
from hub.main import create_app
from tests.matrix.table import GROUPS, PRINCIPALS, ROWS, TABLE_COLUMNS, Row, parse
from tests.matrix.world import World, partner_clients

# The problem (or OAuth error) each refusal must carry, so a 404 from a typo in a path cannot pass for one.
PROBLEM = {401: "invalid_token", 403: "operation_forbidden", 404: "not_found"}
OAUTH_ERROR = {400: "invalid_client"}
# Cells whose refusal is the policy's decision on the object, not the API-access rule: (path, column) -> code.
CELL_PROBLEM = {("/v1/risk-notices/{notice_id}", "sec"): "notice_read_refused"}
# List routes: (the column the object belongs to, the object). Every other column's list must not show it.
LISTS = {
    "/v1/cases": ("zvh", "case"),
    "/v1/inbox": ("soc", "request_open"),
    "/v1/handovers": ("soc", "handover"),
    "/v1/origin-determinations": ("soc", "determination"),
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, HEAD aside (Starlette adds it to each GET)."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in (route.methods or set()) - {"HEAD"}
    }


def openapi_operations(app: FastAPI) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}


@pytest.fixture(scope="module")
def bare_app(sqlite_template: Path) -> FastAPI:
    """The app as create_app builds it (routes only; nothing is called)."""
    return create_app(Settings(env="dev", database_url=f"sqlite:///{sqlite_template}", log_json=True))


def test_every_route_has_a_row(bare_app: FastAPI) -> None:
    """A route (or an OpenAPI operation) the table does not list fails the suite."""
    listed = {row.route for row in ROWS}
    assert sorted(app_routes(bare_app) - listed) == []
    assert sorted(openapi_operations(bare_app) - listed) == []


def test_every_row_names_a_route(bare_app: FastAPI) -> None:
    """A row for a route the app no longer has fails the suite."""
    assert sorted({row.route for row in ROWS} - app_routes(bare_app)) == []


def test_each_route_has_one_row() -> None:
    """No route is listed twice (two rows could expect different statuses)."""
    routes = [row.route for row in ROWS]
    assert sorted({r for r in routes if routes.count(r) > 1}) == []


def test_a_new_route_without_a_row_is_caught(sqlite_template: Path) -> None:
    """The coverage check sees a route added after the table was written."""
    app = create_app(Settings(env="dev", database_url=f"sqlite:///{sqlite_template}", log_json=True))

    @app.post("/v1/cases/{case_id}/unlisted")
    def unlisted(case_id: str) -> dict[str, str]:
        return {"case_id": case_id}

    assert app_routes(app) - {row.route for row in ROWS} == {("POST", "/v1/cases/{case_id}/unlisted")}


@pytest.mark.parametrize(
    "line",
    [
        "GET /v1/me - 200 200 200 200 200 200 200 200 200",  # a column short
        "GET /v1/me - 200 200 200 200 200 200 200 200 200 ok",  # not a status
        "GET /v1/me - 200 200 200 200 200 200 200 200 200 401 200",  # a column too many
    ],
)
def test_a_malformed_row_is_refused(line: str) -> None:
    """The table parser refuses a row whose cells do not match the header."""
    header = "method path on " + " ".join(TABLE_COLUMNS)
    with pytest.raises(ValueError, match="malformed row"):
        parse(f"{header}\n{line}")


def test_every_column_is_a_registered_partner(dev_registry) -> None:
    """Each column is a real partner of the role the table says (or no one, for `anon`)."""
    roles = {
        column: dev_registry.by_client_id(client_id).role
        for column, client_id in PRINCIPALS.items()
        if client_id is not None
    }
    assert roles == {
        "dji": "dji",
        "zvh": "zvh_coordinator",
        "soc": "municipal_social",
        "sec": "municipal_security",
        "pol": "police",
        "prb": "probation",
        "fg": "privacy_officer",
        "zvhX": "zvh_coordinator",
        "gmX": "municipal_social",
        "ana": "region_analyst",
    }
    assert dev_registry.by_client_id(PRINCIPALS["zvhX"]).region != dev_registry.by_client_id(PRINCIPALS["zvh"]).region
    assert dev_registry.by_client_id(PRINCIPALS["gmX"]).municipality != "GM0402"


def cells(group: str) -> Iterator[tuple[Row, str]]:
    """The group's cells in a safe order: GETs before POSTs; in a row, refusals before successes."""
    rows = [row for row in ROWS if row.group == group]
    for row in sorted(rows, key=lambda r: r.method != "GET"):
        yield from sorted(((row, column) for column in PRINCIPALS), key=lambda cell: cell[0].expect[cell[1]] < 300)


SCREEN_GROUPS = {"signin", "screens", "origin-screens", "officer", "monitor"}
SCREEN_PROBLEM = {403: "Geen toegang", 404: "Niet gevonden"}
# Screen lists: (the column the object belongs to, the object), shown by its short reference.
SCREEN_LISTS = {
    "/casussen": ("zvh", "case"),
    "/inbox": ("soc", "request_open"),
    "/overdrachten": ("soc", "handover"),
}


def screen_session(client: httpx.Client, sessions: dict[str, str], column: str) -> dict[str, str]:
    """The column's signed-in browser session (the development picker), as a Cookie header."""
    client_id = PRINCIPALS[column]
    if client_id is None:
        return {}
    if column not in sessions:
        client.cookies.clear()
        response = client.post(
            "/aanmelden/ontwikkeling",
            data={"client_id": client_id, "employee_id": "medewerker-1"},
            headers={"Sec-Fetch-Site": "same-origin"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:200]
        sessions[column] = response.cookies["hub_session"]
    return {"Cookie": f"hub_session={sessions[column]}"}


def screen_call(world: World, client: httpx.Client, row: Row, column: str, sessions: dict[str, str]) -> httpx.Response:
    path = world.path_of(row)
    if row.path == "/afmelden":  # ends the session: a spare one of its own
        sessions.pop(column, None)
    headers = {**screen_session(client, sessions, column), "Sec-Fetch-Site": "same-origin"}
    if row.path == "/afmelden":
        sessions.pop(column, None)
    client.cookies.clear()
    return client.request(row.method, path, headers=headers, follow_redirects=False, **world.screen_inputs(row))


def call(
    world: World, client: httpx.Client, row: Row, column: str, sessions: dict[str, str] | None = None
) -> httpx.Response:
    client_id = PRINCIPALS[column]
    if row.group in SCREEN_GROUPS:
        return screen_call(world, client, row, column, {} if sessions is None else sessions)
    path = world.path_of(row)
    if row.path.startswith("/oauth/"):
        return client.post(path, data=world.oauth_form(row, client_id))
    if client_id is None:
        return client.request(row.method, path, **world.inputs(row))
    return world.client_for(client_id).request(row.method, path, **world.inputs(row))


def mismatch(world: World, row: Row, column: str, response: httpx.Response) -> str | None:
    expected = row.expect[column]
    if response.status_code != expected:
        return f"{row} as {column}: expected {expected}, got {response.status_code} {response.text[:200]}"
    if row.path in LISTS and expected == 200:
        owner, name = LISTS[row.path]
        listed = getattr(world, name) in response.text
        if listed != (column == owner):
            return f"{row} as {column}: the {name} is {'listed' if listed else 'missing'}"
    if row.group in SCREEN_GROUPS:
        if row.path in SCREEN_LISTS and expected == 200:
            owner, name = SCREEN_LISTS[row.path]
            listed = getattr(world, name).replace("-", "")[:8].upper() in response.text
            if listed != (column == owner):
                return f"{row} as {column}: the {name} is {'listed' if listed else 'missing'}"
        if expected in SCREEN_PROBLEM and SCREEN_PROBLEM[expected] not in response.text:
            return f"{row} as {column}: expected the page '{SCREEN_PROBLEM[expected]}'"
        signing_in = row.path in ("/sessie/verlengen", "/aanmelden/ontwikkeling")
        to_sign_in = response.headers.get("location") in ("/", "/uitgelogd")
        if expected == 303 and PRINCIPALS[column] is None and not signing_in and not to_sign_in:
            return f"{row} as {column}: sent to {response.headers.get('location')}, not to sign in"
        return None
    codes = OAUTH_ERROR if row.path.startswith("/oauth/") else PROBLEM
    if expected in codes:
        body = response.json()
        found = body.get("error") if row.path.startswith("/oauth/") else body.get("code")
        wanted = CELL_PROBLEM.get((row.path, column), codes[expected])
        if found != wanted:
            return f"{row} as {column}: expected {wanted}, got {found}"
    return None


@pytest.mark.parametrize("group", GROUPS)
def test_the_matrix_holds(group: str, client) -> None:
    """Every cell of the group's rows answers the status (and refusal code) the table gives it."""
    world = World(partner_clients(client, actor="matrix-1"))  # real keys, real tokens from the test app
    for row in ROWS:  # every object the group's rows act on or list exists before the first call
        if row.group == group:
            world.path_of(row)
            if row.path in LISTS:
                getattr(world, LISTS[row.path][1])
            if row.group in SCREEN_GROUPS and row.path in SCREEN_LISTS:
                getattr(world, SCREEN_LISTS[row.path][1])
    checked, failures = 0, []
    sessions: dict[str, str] = {}
    for row, column in cells(group):
        failure = mismatch(world, row, column, call(world, client, row, column, sessions))
        checked += 1
        if failure:
            failures.append(failure)
    assert failures == []
    assert checked == len(PRINCIPALS) * sum(row.group == group for row in ROWS)
