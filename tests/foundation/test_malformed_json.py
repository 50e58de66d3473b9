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
    assert problem["detail"].endswith(f" (regel {line}, kolom {column}).")
    assert parser.value.msg not in problem["detail"]  # the parser's English reason is given in Dutch
    assert [(e["field"], e["type"], e["line"], e["column"]) for e in problem["errors"]] == [
        ("body", "json_invalid", line, column)
    ]
    assert "PI Nieuwegein" not in response.text and "111222333" not in response.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"notification_id": }', "hier werd een waarde verwacht"),
        ('{"prison" "PI Nieuwegein"}', "hier werd een dubbele punt (:) verwacht"),
        ('{"notification_id": "PI-1" "prison": "x"}', "hier werd een komma (,) verwacht"),
        ("{'notification_id': 'PI-1'}", "hier werd een naam tussen dubbele aanhalingstekens verwacht"),
        ('{"notification_id": "PI-1"} x', "na het einde van de JSON staat nog meer tekst"),
        ('{"notification_id": "PI-1', "een tekst die hier begint, wordt niet afgesloten met een aanhalingsteken"),
        ('{"notification_id": "PI\t1"}', "een tekst bevat hier een stuurteken dat als escape geschreven moet worden"),
        ('{"notification_id": "PI\\q1"}', "een tekst bevat hier een ongeldige escape (\\)"),
        ('{"notification_id": "PI\\u12"}', "een \\u-escape in een tekst heeft hier geen vier hexadecimale cijfers"),
    ],
)
def test_the_parsers_reason_is_given_in_dutch(client, auth_headers, body, reason):
    """Each of the json module's reasons in Dutch, in the detail and in the error entry; the line and column
    stay."""
    headers = {**auth_headers(DJI), "Content-Type": "application/json"}
    response = client.post(PATH, content=body.encode(), headers=headers)
    problem = response.json()
    with pytest.raises(json.JSONDecodeError) as parser:
        json.loads(body)
    where = f"(regel {parser.value.lineno}, kolom {parser.value.colno})"
    assert problem["detail"] == f"De body is geen geldige JSON: {reason} {where}.", parser.value.msg
    assert problem["errors"][0]["message"] == reason
    assert parser.value.msg not in response.text


def test_an_unknown_parser_reason_is_not_shown_in_english():
    from hub.errors import json_reason

    assert json_reason("Illegal trailing comma before end of array") == (
        "een komma voor het einde van een lijst is niet toegestaan"
    )
    assert json_reason("Some future reason") == "de JSON is hier ongeldig"
