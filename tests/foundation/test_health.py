"""Liveness and readiness."""


def test_live_answers_ok(client):
    """/health/live says the process is up."""
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_database_and_registry(client):
    """/health/ready checks the database and the partner registry, and says which is which."""
    response = client.get("/health/ready")
    body = response.json()
    assert body["checks"]["database"] is True
    assert set(body["checks"]) == {"database", "registry"}
    assert response.status_code == (200 if body["checks"]["registry"] else 503)


def test_every_response_carries_a_request_id(client):
    """A well-formed X-Request-ID is echoed; the problem body of an error carries it too."""
    response = client.get("/nope", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["request_id"] == "abc-123"
    assert response.json()["code"] == "not_found"
