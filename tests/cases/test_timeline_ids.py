"""Timeline event ids are UUIDs, never a global counter (issue 12, item 12)."""

from __future__ import annotations

import base64
import json
import uuid

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from hub.cases.models import CaseEvent
from hub.db import make_engine
from hub.migrations import alembic_config
from tests.foundation.test_strict_input import _refs

from .test_api import _open


def test_timeline_shows_uuids_and_pages_without_the_counter(dji_api, zvh_api, engine) -> None:
    """Every event id is a UUID (the event's public_id); the page cursor carries no integer id either."""
    case_id = _open(dji_api)
    zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "visit_recorded", "visited_on": "2026-11-05"})
    first = zvh_api.get(f"/v1/cases/{case_id}/timeline", params={"limit": 1}).json()
    second = zvh_api.get(f"/v1/cases/{case_id}/timeline", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    shown = [first["items"][0]["id"], second["items"][0]["id"]]
    with Session(engine) as session:
        events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
    assert sorted(shown) == sorted(e.public_id for e in events)
    assert all(str(uuid.UUID(value)) == value for value in shown)
    counters = {e.id for e in events}
    cursor = json.loads(base64.urlsafe_b64decode(first["next_cursor"] + "=" * (-len(first["next_cursor"]) % 4)))
    assert not any(isinstance(value, int) and value in counters for value in cursor)
    assert [item["type"] for item in (first["items"] + second["items"])] == ["visit_recorded", "detention_started"]


def test_migration_gives_existing_events_a_uuid(database_url) -> None:
    """Events written before 0007 each get their own UUID when the migration runs."""
    config = alembic_config(database_url)
    command.downgrade(config, "0007_case_event_public_id-1")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "case" (id, region, municipality, subject_pseudonym, prison, detention_started_on, '
                    "started_notification_id, state, consent, risk, created_at, updated_at) VALUES "
                    "('c-1', 'gooi-en-vechtstreek', 'GM0402', :p, 'PI', '2026-01-05', 'n-1', 'notified', "
                    "'unknown', 'unknown', '2026-01-05 10:00:00', '2026-01-05 10:00:00')"
                ),
                {"p": "a" * 64},
            )
            for n in range(2):
                connection.execute(
                    text(
                        "INSERT INTO case_event (case_id, type, actor, organisation_oin, at, payload) VALUES "
                        "('c-1', 'detention_started', 'dji', '00000009990000016000', :at, '{}')"
                    ),
                    {"at": f"2026-01-05 10:0{n}:00"},
                )
        command.upgrade(config, "heads")
        with engine.connect() as connection:
            public = [row[0] for row in connection.execute(text("SELECT public_id FROM case_event ORDER BY id"))]
    finally:
        engine.dispose()
    assert len(set(public)) == 2 and all(str(uuid.UUID(value)) == value for value in public)


# The log's sequence numbers, which the privacy officer keeps (issue 12, item 12), in /v1/audit answers only.
OFFICER_SEQUENCE_NUMBERS = {
    ("AccessReportPublic", "report_seq"),
    ("CheckpointPublic", "seq"),
    ("RecordPage", "inspection_seq"),
    ("RecordPublic", "seq"),
}


def test_no_api_answer_exposes_a_counter_but_the_officers_log_positions(app) -> None:
    """Every id in every schema of the API is a string; the only integer ids are the log's sequence numbers,
    and the schemas holding them are used by /v1/audit operations alone."""
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    integers = {
        (name, prop)
        for name, schema in schemas.items()
        for prop, value in (schema.get("properties") or {}).items()
        if (prop == "id" or prop.endswith(("_id", "_ids", "seq")))
        and "integer" in json.dumps(value)  # plain, nullable or in a list
    }
    assert integers == OFFICER_SEQUENCE_NUMBERS
    holders = {name for name, _ in OFFICER_SEQUENCE_NUMBERS}
    closure = {name: _refs(schema) for name, schema in schemas.items()}
    for path, operations in spec["paths"].items():
        used, todo = set(), _refs(operations)
        while todo:
            name = todo.pop()
            if name not in used:
                used.add(name)
                todo |= closure.get(name, set())
        assert path.startswith("/v1/audit/") or not used & holders, path
