"""Field names in an answer are text the responder chose: a malformed one is refused without being echoed,
and a well-formed one outside the catalogue is counted, never stored, logged, replayed or shown by name."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from structlog.testing import capture_logs

from hub.audit.models import AuditRecord
from hub.exchange.models import Answer
from hub.idempotency import IdempotencyRecord
from tests.exchange.conftest import SOCIAL, ZVH, counts

HOUSING = {"situation": "own_rental", "at_risk_of_loss": False}
SMUGGLED = "Jan de Vries, BSN 123456782, schuld bij woningcorporatie"


@pytest.fixture
def open_request(open_case, ask):
    return ask(open_case(), SOCIAL, ["housing", "income"]).json()["id"]


def answer(hub, request_id, values, **headers):
    return hub(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": values}, headers=headers or None)


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"housing": {**HOUSING, SMUGGLED: True}}, "field name"),
        ({"housing": {**HOUSING, "Landlord": "x"}}, "field name"),
        ({"housing": {**HOUSING, "1st_note": "x"}}, "field name"),
        ({"housing": {**HOUSING, "note-2": "x"}}, "field name"),
        ({"housing": {**HOUSING, "n" * 65: "x"}}, "field name"),
        ({"housing": {**HOUSING, "": "x"}}, "field name"),
        ({"housing": {**HOUSING, **{f"f{i}": i for i in range(65)}}}, "at most 64 fields"),
        ({"housing": HOUSING, "Jan de Vries 123456782": {}}, "category name"),
        ({"housing": "Jan de Vries"}, "must be an object"),
    ],
)
def test_malformed_names_are_refused_without_echo(open_request, hub, db, values, rule):
    """422 naming the rule; the name (or value) is neither echoed nor logged, and nothing is stored."""
    before = counts(db)
    with capture_logs() as logs:
        response = answer(hub, open_request, values)
    assert response.status_code == 422
    assert rule in response.text
    sent = [name for category in values.values() if isinstance(category, dict) for name in category] + list(values)
    hostile = [name for name in sent if name not in ("housing", "situation", "at_risk_of_loss") and len(name) > 3]
    for name in hostile + ["Jan de Vries"]:
        assert name not in response.text and name not in json.dumps(logs, default=str)
    assert counts(db) == before


def test_too_many_categories_are_refused(open_request, hub, db):
    """More than 20 categories: 422, nothing stored."""
    before = counts(db)
    response = answer(hub, open_request, {f"cat_{chr(97 + i)}": {} for i in range(21)})
    assert response.status_code == 422 and "values" in response.text
    assert counts(db) == before


def test_extra_field_is_counted_never_named(open_request, hub, db):
    """A well-formed name outside the catalogue: 201, counted per category; the name is in no row, no log
    event, no idempotency replay, no audit record and not in what the requester reads."""
    extra = "jan_de_vries_123456782"
    with capture_logs() as logs:
        response = answer(
            hub,
            open_request,
            {"housing": {**HOUSING, extra: True, "other_note": "x"}},
            **{"Idempotency-Key": "field-names-1"},
        )
        read = hub(ZVH).get(f"/v1/requests/{open_request}/answer")
    assert response.status_code == 201, response.text
    assert response.json()["withheld"] == [
        {
            "category": "housing",
            "field": None,
            "reason": "field_not_in_catalogue",
            "fields_not_in_catalogue": 2,
            "explanation": response.json()["withheld"][0]["explanation"],
        }
    ]
    assert read.status_code == 200 and read.json()["values"] == {"housing": HOUSING}
    assert read.json()["withheld"] == []  # the requester learns of categories withheld whole only
    rows = [db.all(select(Answer)), db.all(select(IdempotencyRecord)), db.all(select(AuditRecord))]
    for text in (response.text, read.text, json.dumps(logs, default=str), str([r for rs in rows for r in rs])):
        assert extra not in text and "other_note" not in text
    [stored] = rows[0]
    assert stored.withheld == [
        {"category": "housing", "field": None, "reason": "field_not_in_catalogue", "fields_not_in_catalogue": 2}
    ]


def test_schema_failure_logs_no_extra_field_name(open_request, hub, db):
    """An answer that fails its schema and carries an extra field: 422, and neither the body nor any log
    event names the extra field; nothing is stored."""
    extra = "jan_de_vries_123456782"
    before = counts(db)
    with capture_logs() as logs:
        response = answer(hub, open_request, {"housing": {"situation": "castle", extra: True}})
    assert response.status_code == 422 and response.json()["code"] == "answer_invalid"
    assert extra not in response.text and extra not in json.dumps(logs, default=str)
    assert "castle" not in response.text
    assert counts(db) == before
