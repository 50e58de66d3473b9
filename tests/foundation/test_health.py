"""Liveness and readiness."""

import tempfile
from pathlib import Path


def test_live_answers_ok(client):
    """/health/live says the process is up."""
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_database_registry_and_policy_engine(client):
    """/health/ready checks the database, the partner registry and the policy engine, and says which is which."""
    response = client.get("/health/ready")
    body = response.json()
    assert body["checks"]["database"] is True
    assert body["checks"]["policy_engine"] is True  # the embedded engine with its bundle loaded
    assert set(body["checks"]) == {"database", "registry", "policy_engine"}
    assert response.status_code == (200 if body["checks"]["registry"] else 503)


def test_ready_is_503_naming_the_policy_engine_when_opa_is_unreachable(settings):
    """With a remote OPA that does not answer, the hub starts but is not ready: 503 naming the policy engine,
    with Retry-After. Once OPA answers (the stand-in), it is ready again."""
    from fastapi.testclient import TestClient

    from hub.config import ROOT
    from hub.main import create_app
    from tests.support.opa import OPA_TOKEN, write_token_file
    from tests.support.opa_standin import StandinServer

    server = StandinServer(ROOT / "policies", token=OPA_TOKEN)  # bound, not yet listening
    folder = Path(tempfile.mkdtemp())
    remote = settings.model_copy(
        update={"opa_url": server.url, "opa_timeout_seconds": 2.0, "opa_token_file": write_token_file(folder)}
    )
    with TestClient(create_app(remote), base_url="http://127.0.0.1:8000") as client:
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["checks"]["policy_engine"] is False and "policy_engine" in body["failing"]
        assert body["checks"]["database"] is True
        assert response.headers["retry-after"] == "5"
        with server:
            assert client.get("/health/ready").json()["checks"]["policy_engine"] is True


def test_ready_is_503_naming_the_policy_engine_when_opa_has_no_bundle_loaded(settings, tmp_path):
    """OPA answers (/health, the token) but holds none of the hub's policies, as OPA started on an empty or
    unloadable policy folder: every decision is undefined, so the hub is not ready: 503 naming the policy engine,
    with Retry-After. (A liveness probe of OPA alone would call it ready.)"""
    import re
    import shutil

    from fastapi.testclient import TestClient

    from hub.config import ROOT
    from hub.main import create_app
    from tests.support.opa import OPA_TOKEN, write_token_file
    from tests.support.opa_standin import StandinServer

    unloaded = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", unloaded)
    for module in unloaded.rglob("*.rego"):  # no module at the hub's entry points: data.dt.* is undefined
        module.write_text(re.sub(r"^package dt\.", "package unloaded.", module.read_text(), flags=re.MULTILINE))
    remote = settings.model_copy(
        update={"opa_url": "", "opa_timeout_seconds": 2.0, "opa_token_file": write_token_file(tmp_path)}
    )
    with StandinServer(unloaded, token=OPA_TOKEN) as server:
        app = create_app(remote.model_copy(update={"opa_url": server.url}))
        assert app.state.pdp.healthy() is True  # OPA itself is up
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["policy_engine"] is False and "policy_engine" in body["failing"]
    assert response.headers["retry-after"] == "5"


def test_every_response_carries_a_request_id(client):
    """A well-formed X-Request-ID is echoed; the problem body of an error carries it too."""
    response = client.get("/nope", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["request_id"] == "abc-123"
    assert response.json()["code"] == "not_found"
