"""Problem responses (RFC 9457) for OpenAPI: `responses=problem_responses(401, 403, 404, 409)`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from hub.errors import PROBLEM_BASE, PROBLEM_JSON

ACTOR_PATTERN = r"^[A-Za-z0-9._@-]{1,64}$"  # hub.auth.service checks the header against this


class Problem(BaseModel):
    """RFC 9457 problem details, with the hub's stable `code` and the request id."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    request_id: str | None = None


_EXAMPLES: dict[int, tuple[str, str, str, str, dict[str, Any]]] = {
    400: (
        "Handelende persoon ontbreekt",
        "acting_person_required",
        "Geef de handelende persoon mee in de header X-Acting-Person.",
        "Malformed request: a missing X-Acting-Person, a malformed Idempotency-Key",
        {},
    ),
    401: (
        "Ongeldig toegangstoken",
        "invalid_token",
        "Het toegangstoken is ongeldig of verlopen.",
        "Missing or invalid access token",
        {},
    ),
    403: (
        "Geen toegang",
        "operation_forbidden",
        "De rol 'dji' mag de operatie 'case.read' niet uitvoeren (regel api_access: role_not_permitted).",
        "The policy does not allow this operation for the caller's role",
        {"rule": "api_access", "operation": "case.read"},
    ),
    404: (
        "Niet gevonden",
        "not_found",
        "Deze casus bestaat niet of valt buiten uw regio.",
        "Unknown, or not visible to the caller (no existence leak)",
        {},
    ),
    409: (
        "Stap niet toegestaan",
        "transition_not_allowed",
        "De stap 'plan_recorded' is niet toegestaan in de toestand 'screening'.",
        "Conflict with the current state (transition, notification or idempotency key)",
        {"rule": "transition_table", "state": "screening", "event": "plan_recorded"},
    ),
    410: (
        "Inhoud vernietigd",
        "content_destroyed",
        "De inhoud van deze casus is volgens de bewaartermijn vernietigd.",
        "The content was destroyed under the retention rules",
        {},
    ),
    413: (
        "Verzoek te groot",
        "payload_too_large",
        "Het verzoek is groter dan 262144 bytes.",
        "The body is larger than the hub accepts",
        {"limit": 262144},
    ),
    414: (
        "Query-string te lang",
        "query_too_long",
        "De query-string is langer dan 8192 tekens.",
        "The query string is longer than any route takes (refused before authentication)",
        {"max_length": 8192},
    ),
    422: (
        "Ongeldige invoer",
        "validation_failed",
        "Het BSN voldoet niet aan de elfproef.",
        "Invalid input; the problem names the field, never its value",
        {"field": "subject.bsn"},
    ),
    503: (
        "Dienst niet beschikbaar",
        "policy_unavailable",
        "De beleidsbeslissing kon niet worden genomen; er is niets verstrekt.",
        "The policy engine or the disclosure log failed; nothing was released",
        {},
    ),
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for these statuses, each an application/problem+json example."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        title, code, detail, description, extra = _EXAMPLES[status]
        example = {
            "type": PROBLEM_BASE + code,
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
            "instance": "/v1/cases/9b2e0c3e-6f1d-4a57-9f57-2b7c1c3e8a10",
            "request_id": "5f0c6d3b2a1e4c8d9e7f6a5b4c3d2e1f",
            **extra,
        }
        responses[status] = {
            "model": Problem,
            "description": description,
            "content": {PROBLEM_JSON: {"example": example}},
        }
    return responses


# What every route under /v1 can answer whatever it does: a malformed request or a missing X-Acting-Person
# (400), no valid token (401), a body over the limit (413), a query string over the limit (414), invalid
# input (422), the policy engine, the log or the database down (503). The OAuth endpoints answer their own
# errors (RFC 6749 §5.2) and may hit the body limit or an unavailable database. Found missing by the
# schemathesis run (tests/fuzz).
_V1_STATUSES = (400, 401, 413, 414, 422, 503)
_OAUTH_STATUSES = (413, 503)
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install_openapi(app: FastAPI) -> None:
    """Complete the generated document once: the statuses every route shares, and every /v1 error as
    application/problem+json with the Problem schema (FastAPI's default 422 says application/json)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign] # FastAPI's documented way to extend its schema


def complete_document(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
    for path, item in document.get("paths", {}).items():
        shared = _V1_STATUSES if path.startswith("/v1/") else _OAUTH_STATUSES if path.startswith("/oauth/") else ()
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, entry in problem_responses(*shared).items():
                added = responses.setdefault(
                    str(status), {"description": entry["description"], "content": dict(entry["content"])}
                )
                _as_problem(added)
            if path.startswith("/v1/"):
                _acting_person_required(operation)
            if path.startswith("/oauth/"):
                continue
            for status, response in responses.items():
                if status[0] in "45":
                    _as_problem(response)
    return document


def _as_problem(response: dict[str, Any]) -> None:
    content = response.setdefault("content", {})
    content.pop("application/json", None)
    content.setdefault(PROBLEM_JSON, {})["schema"] = _PROBLEM_REF


def _acting_person_required(operation: dict[str, Any]) -> None:
    """X-Acting-Person is required on every /v1 call (a missing one is the 400 `acting_person_required`); the
    dependency declares it optional only so that it can answer that problem itself. Found by schemathesis."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name", "").lower() == "x-acting-person":
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "pattern": ACTOR_PATTERN, "maxLength": 64}
