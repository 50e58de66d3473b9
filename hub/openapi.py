"""Problem responses (RFC 9457) for OpenAPI: `responses=problem_responses(401, 403, 404, 409)`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from hub.errors import PROBLEM_BASE, PROBLEM_JSON


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
    400: ("Handelende persoon ontbreekt", "acting_person_required",
          "Geef de handelende persoon mee in de header X-Acting-Person.",
          "Malformed request: a missing X-Acting-Person, a malformed Idempotency-Key", {}),
    401: ("Ongeldig toegangstoken", "invalid_token", "Het toegangstoken is ongeldig of verlopen.",
          "Missing or invalid access token", {}),
    403: ("Geen toegang", "operation_forbidden",
          "De rol 'dji' mag de operatie 'case.read' niet uitvoeren (regel api_access: role_not_permitted).",
          "The policy does not allow this operation for the caller's role",
          {"rule": "api_access", "operation": "case.read"}),
    404: ("Niet gevonden", "not_found", "Deze casus bestaat niet of valt buiten uw regio.",
          "Unknown, or not visible to the caller (no existence leak)", {}),
    409: ("Stap niet toegestaan", "transition_not_allowed",
          "De stap 'plan_recorded' is niet toegestaan in de toestand 'screening'.",
          "Conflict with the current state (transition, notification or idempotency key)",
          {"rule": "transition_table", "state": "screening", "event": "plan_recorded"}),
    410: ("Inhoud vernietigd", "content_destroyed",
          "De inhoud van deze casus is volgens de bewaartermijn vernietigd.",
          "The content was destroyed under the retention rules", {}),
    413: ("Verzoek te groot", "payload_too_large", "Het verzoek is groter dan 262144 bytes.",
          "The body is larger than the hub accepts", {"limit": 262144}),
    422: ("Ongeldige invoer", "validation_failed", "Het BSN voldoet niet aan de elfproef.",
          "Invalid input; the problem names the field, never its value", {"field": "subject.bsn"}),
    503: ("Dienst niet beschikbaar", "policy_unavailable",
          "De beleidsbeslissing kon niet worden genomen; er is niets verstrekt.",
          "The policy engine or the disclosure log failed; nothing was released", {}),
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for these statuses, each an application/problem+json example."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        title, code, detail, description, extra = _EXAMPLES[status]
        example = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail,
                   "code": code, "instance": "/v1/cases/9b2e0c3e-6f1d-4a57-9f57-2b7c1c3e8a10",
                   "request_id": "5f0c6d3b2a1e4c8d9e7f6a5b4c3d2e1f", **extra}
        responses[status] = {"model": Problem, "description": description,
                             "content": {PROBLEM_JSON: {"example": example}}}
    return responses
