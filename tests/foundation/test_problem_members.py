"""Problem bodies (RFC 9457): the standard members and the correlation id (`request_id`, the X-Request-ID of the
HTTP call) keep one meaning in every problem type; extension members never overwrite them."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import hub
from hub.errors import RESERVED_MEMBERS, HubError, install_error_handlers
from hub.logging import RequestContextMiddleware
from tests.cases.conftest import DJI

HUB_DIR = Path(hub.__file__).parent
SKIPPED = ("hub.asgi", "hub.migrations")  # an app built at import; Alembic scripts


def _every_problem_type() -> list[type[HubError]]:
    for module in pkgutil.walk_packages(hub.__path__, "hub."):
        if not module.name.startswith(SKIPPED):
            importlib.import_module(module.name)
    found, todo = [], [HubError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


PROBLEM_TYPES = _every_problem_type()


def test_the_problem_types_were_found():
    """The discovery sees the problem types of every capability (so the tests below cannot pass on nothing)."""
    names = {cls.__name__ for cls in PROBLEM_TYPES}
    assert {"NotFound", "AlreadyAnswered", "RequestNotOpen", "TransitionNotAllowed", "OperationForbidden"} <= names


def _client(error: HubError) -> TestClient:
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    return TestClient(app)


@pytest.mark.parametrize("problem_type", PROBLEM_TYPES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_problem_type_keeps_its_standard_and_correlation_members(problem_type):
    """Each problem type renders type/title/status/detail/code/instance and the call's request_id, beside its
    own extension members."""
    error = problem_type("Uitleg.", data_request_id="req-1", rule="some_rule")
    response = _client(error).get("/boom", headers={"X-Request-ID": "corr-42"})
    body = response.json()
    assert response.status_code == problem_type.status
    assert body["request_id"] == "corr-42" == response.headers["x-request-id"]
    assert body["code"] == problem_type.code and body["status"] == problem_type.status
    assert body["type"].endswith("/" + problem_type.code) and body["title"] == problem_type.title
    assert body["detail"] == "Uitleg." and body["instance"] == "/boom"
    assert body["data_request_id"] == "req-1" and body["rule"] == "some_rule"


@pytest.mark.parametrize("member", sorted(RESERVED_MEMBERS))
@pytest.mark.parametrize("problem_type", PROBLEM_TYPES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_no_problem_type_accepts_an_extension_under_a_reserved_name(problem_type, member):
    """Passing a standard or correlation member as an extension is a bug, refused where the problem is made."""
    with pytest.raises(TypeError, match=member):
        problem_type("Uitleg.", **{member: "overwritten"})


def test_no_code_passes_a_reserved_member_to_a_problem():
    """No call in hub/ that makes a problem type passes a reserved name as a keyword (the data request's id
    travels as `data_request_id`)."""
    names = {cls.__name__ for cls in PROBLEM_TYPES}
    offending = []
    for path in sorted(HUB_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if called in names:
                offending += [
                    f"{path.relative_to(HUB_DIR)}:{node.lineno} {kw.arg}"
                    for kw in node.keywords
                    if kw.arg in RESERVED_MEMBERS
                ]
    assert offending == []


STANDARD = ("type", "title", "status", "detail", "instance", "code", "request_id")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "extension"),
    [
        ("GET", "/nope", None, 404, "not_found", None),
        ("DELETE", "/health/live", None, 405, "method_not_allowed", None),
        ("POST", "/v1/notifications/detention-started", b'{"notification_id": ', 422, "validation_failed", "errors"),
        ("POST", "/v1/notifications/detention-started", b"{}", 422, "validation_failed", "errors"),
        ("POST", "/v1/notifications/detention-started", "too_large", 413, "payload_too_large", "limit"),
    ],
    ids=["route", "method", "malformed_json", "invalid_body", "body_size"],
)
def test_problems_made_outside_the_problem_types_keep_their_members(
    client, auth_headers, settings, method, path, body, status, code, extension
):
    """The problems the hub renders without a problem type (an unknown route or method, a body that is not JSON
    or does not fit the schema, a body over the limit, before any route runs) carry the same standard members and
    the call's own correlation id, beside their extension member."""
    content = b"x" * (settings.max_body_bytes + 1) if body == "too_large" else body
    headers = {**auth_headers(DJI), "Content-Type": "application/json", "X-Request-ID": "corr-7"}
    response = client.request(method, path, content=content, headers=headers)
    problem = response.json()
    assert (response.status_code, response.headers["content-type"]) == (status, "application/problem+json")
    assert {name: problem[name] for name in STANDARD} == {
        "type": f"https://dt-hub.example/problems/{code}",
        "title": problem["title"],
        "status": status,
        "detail": problem["detail"],
        "instance": path,
        "code": code,
        "request_id": "corr-7",
    }
    assert problem["title"] and problem["detail"] and response.headers["x-request-id"] == "corr-7"
    assert extension is None or extension in problem
