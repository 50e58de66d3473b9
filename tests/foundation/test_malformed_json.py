"""A body that is not JSON gets a problem that says what is wrong and where (issue 12, first hour), not the
character offset shown as a field name ("De invoer is ongeldig in: 30")."""

from __future__ import annotations

import json

import pytest

from tests.cases.conftest import DJI

PATH = "/v1/notifications/detention-started"


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ('{"notification_id": "PI-1",\n "prison": "PI Nieuwegein",,\n "started_on": "2026-11-02"}', 2, 28),
        ('{"notification_id": "PI-1", "subject": {"bsn": "111222333", ', 1, 61),
        ("{'notification_id': 'PI-1'}", 1, 2),
    ],
)
def test_malformed_json_names_line_column_and_reason(client, auth_headers, body, line, column):
    """422 validation_failed whose detail gives the parser's reason with line and column, and whose error
    entry names the body and carries both numbers; the body's text is not echoed."""
    headers = {**auth_headers(DJI), "Content-Type": "application/json"}
    response = client.post(PATH, content=body.encode(), headers=headers)
    problem = response.json()
    assert (response.status_code, problem["code"]) == (422, "validation_failed")
    assert problem["detail"].startswith("De body is geen geldige JSON: ")
    with pytest.raises(json.JSONDecodeError) as parser:  # Python's own parser, as the reference
        json.loads(body)
    assert (parser.value.lineno, parser.value.colno) == (line, column)
    assert problem["detail"].endswith(f"{parser.value.msg} (regel {line}, kolom {column}).")
    assert [(e["field"], e["type"], e["line"], e["column"]) for e in problem["errors"]] == [
        ("body", "json_invalid", line, column)
    ]
    assert "PI Nieuwegein" not in response.text and "111222333" not in response.text
