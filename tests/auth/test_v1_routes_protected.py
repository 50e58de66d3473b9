"""Every /v1 operation of the assembled app goes through current_caller (bearer token plus acting person).

Read from the OpenAPI document, so it covers the routes of every capability: current_caller adds the
HTTPBearer security requirement and the X-Acting-Person header to each operation that depends on it.
"""

from __future__ import annotations

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _v1_operations(app) -> dict[str, dict]:
    paths = app.openapi()["paths"]
    return {
        f"{method.upper()} {path}": op
        for path, item in paths.items()
        if path.startswith("/v1")
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def test_every_v1_operation_requires_a_bearer_token_and_an_actor(app):
    """No /v1 operation lacks the bearer-token requirement or the X-Acting-Person header."""
    operations = _v1_operations(app)
    assert "GET /v1/me" in operations
    unprotected = [
        name
        for name, op in operations.items()
        if {"HTTPBearer": []} not in op.get("security", [])
        or "X-Acting-Person" not in {p["name"] for p in op.get("parameters", [])}
    ]
    assert unprotected == []


def test_every_v1_get_refuses_an_anonymous_call(client, app):
    """Each parameterless /v1 GET answers an anonymous call with a 401 invalid_token problem."""
    paths = [name.split(" ", 1)[1] for name in _v1_operations(app) if name.startswith("GET ") and "{" not in name]
    codes = {path: client.get(path).json().get("code") for path in paths}
    assert codes and set(codes.values()) == {"invalid_token"}
