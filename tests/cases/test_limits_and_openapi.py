"""The body size limit (413 problem, nothing stored), problem responses in OpenAPI, and clean logs."""

from __future__ import annotations

import json

import pytest
import structlog
from sqlmodel import Session, func, select

from hub.cases.models import Case

from .conftest import BSN, DJI, ZVH_GOOI, started_body


def _cases(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Case)).one()


def _oversized(settings) -> bytes:
    body = started_body()
    body["information_sheet"]["conditions"]["housing"]["help_question"] = "x" * settings.max_body_bytes
    return json.dumps(body).encode()


def test_oversized_body_is_413_problem(partner_client, settings, engine) -> None:
    """A body over max_body_bytes with a declared length: 413 problem, no case stored."""
    response = partner_client(DJI).post(
        "/v1/notifications/detention-started",
        content=_oversized(settings),
        headers={"Content-Type": "application/json"},
    )
    body = response.json()
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert body["code"] == "payload_too_large" and body["limit"] == settings.max_body_bytes
    assert _cases(engine) == 0


def test_streamed_oversized_body_is_413_problem(partner_client, settings, engine) -> None:
    """A chunked body without Content-Length is counted as it arrives: 413 problem, no case stored."""
    data = _oversized(settings)

    def chunks():
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    response = partner_client(DJI).post(
        "/v1/notifications/detention-started", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert _cases(engine) == 0


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/v1/notifications/detention-started", "post", {"401", "403", "409", "413", "422"}),
        ("/v1/cases/{case_id}/events", "post", {"404", "409", "413", "422"}),
        ("/v1/cases/{case_id}", "get", {"401", "403", "404"}),
    ],
)
def test_openapi_documents_problems(client, path, method, statuses) -> None:
    """Each route documents its problem responses as application/problem+json with an example."""
    operation = client.get("/openapi.json").json()["paths"][path][method]
    assert statuses <= set(operation["responses"])
    for status in statuses:
        example = operation["responses"][status]["content"]["application/problem+json"]["example"]
        assert example["status"] == int(status) and example["code"]


def test_bsn_never_in_logs(partner_client) -> None:
    """Opening a case, reading it and its identity: no log event carries the BSN or a token."""
    with structlog.testing.capture_logs() as logs:
        case_id = partner_client(DJI).post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]
        zvh = partner_client(ZVH_GOOI)
        zvh.get(f"/v1/cases/{case_id}/identity")
        zvh.post(
            "/v1/notifications/detention-started",
            json=started_body(subject={"bsn": "111222334", "name": "X", "birth_date": "1990-01-01"}),
        )
    text = json.dumps(logs, default=str)
    assert any(e["event"] == "case.opened" for e in logs)
    assert BSN not in text and "111222334" not in text and "eyJ" not in text
