"""The declarations the fuzzing found wanting: every error a problem with its schema, the statuses every
route shares, OAuth errors in their own form, and times with their offset on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hub.config import Settings
from hub.errors import PROBLEM_JSON
from hub.main import create_app
from tests.matrix.world import World, partner_clients

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def operations(document: dict, prefix: str):
    for path, item in document["paths"].items():
        if path.startswith(prefix):
            for method, operation in item.items():
                yield f"{method.upper()} {path}", operation


@pytest.fixture(scope="module")
def document(sqlite_template: Path) -> dict:
    """The OpenAPI document as the app serves it (the same on either database)."""
    return create_app(Settings(env="dev", database_url=f"sqlite:///{sqlite_template}", log_json=True)).openapi()


def test_every_v1_error_is_a_problem_with_its_schema(document: dict) -> None:
    """Each 4xx/5xx of a /v1 operation is application/problem+json with the Problem schema, nothing else."""
    wrong = [
        f"{label} {status}"
        for label, operation in operations(document, "/v1/")
        for status, response in operation["responses"].items()
        if status[0] in "45"
        and response.get("content", {})
        != {PROBLEM_JSON: {**response["content"].get(PROBLEM_JSON, {}), "schema": PROBLEM_REF}}
    ]
    assert wrong == []
    assert set(document["components"]["schemas"]["Problem"]["required"]) >= {"type", "title", "status", "code"}


@pytest.mark.parametrize("status", ["400", "401", "413", "414", "422", "503"])
def test_every_v1_operation_declares_the_shared_statuses(document: dict, status: str) -> None:
    """What any /v1 route can answer (bad request, no token, body or query too long, invalid, down) is declared."""
    assert [label for label, operation in operations(document, "/v1/") if status not in operation["responses"]] == []


@pytest.mark.parametrize("status", ["400", "401"])
def test_oauth_errors_are_declared_in_rfc6749_form(document: dict, status: str) -> None:
    """The OAuth endpoints declare their errors as RFC 6749 §5.2 JSON (`error` required), not as problems."""
    schemas = [
        operation["responses"][status]["content"]["application/json"]["schema"]
        for _, operation in operations(document, "/oauth/")
    ]
    assert len(schemas) == 3
    assert all(schema["required"] == ["error"] for schema in schemas)


def test_every_v1_operation_requires_the_acting_person(document: dict) -> None:
    """X-Acting-Person is a required header of every /v1 operation, with the pattern the hub checks (schemathesis
    found operations whose schema said optional; issue 12, first hour)."""
    wrong = [
        label
        for label, operation in operations(document, "/v1/")
        if not any(
            p["in"] == "header" and p["name"] == "X-Acting-Person" and p.get("required") is True
            for p in operation.get("parameters", [])
        )
    ]
    assert wrong == []
    assert len(list(operations(document, "/v1/"))) > 20


@pytest.mark.parametrize(
    ("path", "fields", "required"),
    [
        (
            "/oauth/token",
            {"grant_type", "scope", "client_assertion_type", "client_assertion", "client_id"},
            ["grant_type"],
        ),
        ("/oauth/revoke", {"token", "token_type_hint", "client_assertion_type", "client_assertion"}, ["token"]),
        ("/oauth/introspect", {"token", "token_type_hint", "client_assertion_type", "client_assertion"}, ["token"]),
    ],
)
def test_oauth_form_fields_are_documented(document: dict, path: str, fields: set[str], required: list[str]) -> None:
    """The OAuth endpoints document their form fields (was an empty object)."""
    form = document["paths"][path]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(form["properties"]) >= fields
    assert form["required"] == required


def test_times_carry_their_offset(client) -> None:
    """A case read back (SQLite drops the zone; PostgreSQL keeps it) shows its times with an offset."""
    world = World(partner_clients(client, actor="decl-1"))
    zvh = world.client_for("zvh-gooi-en-vechtstreek")
    case = zvh.get(f"/v1/cases/{world.case}").json()
    event = zvh.get(f"/v1/cases/{world.case}/timeline").json()["items"][0]
    moments = [case["created_at"], case["updated_at"], event["at"]]
    assert [datetime.fromisoformat(m).utcoffset() for m in moments] == [timedelta(0)] * 3
