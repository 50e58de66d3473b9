"""Security headers on every response of every route (issue 12, item 1): no-store on /v1 and the OAuth
endpoints, nosniff, no referrer, a CSP that forbids framing (the strict one on HTML), HSTS under https."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from hub.config import Settings
from hub.main import create_app
from hub.security_headers import API_CSP, HTML_CSP

_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
_SAMPLE = {"kind": "disclosures"}  # every other path parameter is an id
_SAMPLE_ID = "0b1e4f9a-3c2d-4e5f-8a7b-6c5d4e3f2a1b"


def every_call(app) -> list[tuple[str, str]]:
    """(method, concrete path) for every route of the app, HEAD aside."""
    calls = []
    for route in iter_route_contexts(app.routes):
        path = _PATH_PARAMETER.sub(lambda m: _SAMPLE.get(m.group(1), _SAMPLE_ID), route.path)
        calls += [(method, path) for method in sorted((route.methods or set()) - {"HEAD"})]
    return calls


def assert_common_headers(response, path: str) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", path
    assert headers["referrer-policy"] == "no-referrer", path
    assert "frame-ancestors 'none'" in headers["content-security-policy"], path
    expected_csp = HTML_CSP if headers.get("content-type", "").startswith("text/html") else API_CSP
    assert headers["content-security-policy"] == expected_csp, path
    assert "server" not in headers, path
    if path.startswith(("/v1/", "/oauth/")):
        assert headers["cache-control"] == "no-store", path


def test_every_route_answers_with_the_security_headers(app, client):
    """Every route of the app, called as it comes (no token, an empty body), answers with the headers; every
    /v1 and OAuth answer is no-store; no answer is HSTS while the issuer is http."""
    calls = every_call(app)
    assert len(calls) > 30 and any(p.startswith("/v1/") for _, p in calls)  # the walk found the app's routes
    for method, path in calls:
        response = client.request(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
        assert_common_headers(response, path)
        assert "strict-transport-security" not in response.headers, path


def test_an_answer_with_personal_data_is_not_stored(client, auth_headers):
    """A successful /v1 answer (here the caller's own identity) is no-store as well, not only refusals."""
    response = client.get("/v1/me", headers=auth_headers("zvh-gooi-en-vechtstreek"))
    assert response.status_code == 200
    assert response.json()["actor"] == "medewerker-1"
    assert response.headers["cache-control"] == "no-store"
    assert_common_headers(response, "/v1/me")


def test_the_docs_page_gets_the_strict_html_policy(client):
    """/docs is HTML: it gets HTML_CSP (the policy of SCREENS.md §6, which the screens rely on)."""
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == HTML_CSP
    assert response.headers["cache-control"] == "no-store"  # HTML pages are not kept either
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in HTML_CSP


@pytest.fixture
def https_app(database_url: str):
    return create_app(Settings(env="dev", database_url=database_url, issuer="https://hub.example.nl"))


def test_https_issuer_adds_hsts_to_every_answer(https_app):
    """Served over https (the issuer says so), every answer, a 404 and a 401 too, carries HSTS."""
    with TestClient(https_app, base_url="https://hub.example.nl") as client:
        for method, path in every_call(https_app):
            response = client.request(method, path)
            assert response.headers["strict-transport-security"].startswith("max-age=31536000"), path
        assert client.get("/nope").headers["strict-transport-security"].startswith("max-age=")


def test_an_unexpected_failure_keeps_the_headers_and_its_request_id(app, capsys):
    """A 500 (sent by Starlette's error middleware, past every add_middleware layer) still has the headers
    and the request id, and its `request.failed` log line names that request id."""

    @app.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        capsys.readouterr()
        response = client.get("/v1/boom", headers={"X-Request-ID": "req-500"})
    logs = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert response.headers["x-request-id"] == "req-500"
    assert_common_headers(response, "/v1/boom")
    failed = [e for e in logs if e["event"] == "request.failed"]
    assert failed and failed[0]["request_id"] == "req-500"


def test_a_screen_and_every_file_it_loads_get_the_headers(client):
    """A signed-in screen (HTML with personal data: no-store, the strict policy) and each stylesheet, font sheet
    and script it loads from the hub's static mounts (the hub's own and the npm packages'), and a missing
    static file: every answer has the headers, none announces its server."""
    signed_in = client.post(
        "/aanmelden/ontwikkeling",
        data={"client_id": "zvh-gooi-en-vechtstreek", "employee_id": "medewerker-1"},
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    page = client.get("/signalering")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert_common_headers(page, "/signalering")
    assert page.headers["cache-control"] == "no-store"
    files = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)
    assert {path.split("/")[2] for path in files} >= {"hub", "htmx", "utrecht", "tokens", "noto-sans"}
    for path in [*files, "/assets/hub/missing.js"]:
        response = client.get(path)
        assert response.status_code == (404 if "missing" in path else 200), path
        assert_common_headers(response, path)
