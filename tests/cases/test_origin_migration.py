"""Migration 0008_case_origin on a database that already holds cases: down and up again keeps every case, its
events and DJI's municipality (origin `notified`). On SQLite the nullability change copies the `case` table,
which other tables point at; hub/migrations/env.py runs it with foreign keys off and checks them after."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from hub.db import make_engine
from hub.migrations import alembic_config

CASE = """INSERT INTO "case" (id, region, municipality, subject_pseudonym, state, consent, risk, prison,
    detention_started_on, started_notification_id, created_at, updated_at) VALUES ('c1', 'gooi-en-vechtstreek',
    'GM0402', 'ab', 'notified', 'unknown', 'none', 'PI Nieuwegein', '2026-11-02', 'n1', :at, :at)"""
EVENT = """INSERT INTO case_event (public_id, case_id, type, actor, organisation_oin, at, payload)
    VALUES ('p1', 'c1', 'detention_started', 'a', '00000009990000016000', :at, '{}')"""


def test_origin_migration_down_and_up_keeps_the_cases(database_url):
    at = "2026-11-02 08:00:00+00:00"
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(CASE), {"at": at})
        connection.execute(sa.text(EVENT), {"at": at})
    engine.dispose()
    config = alembic_config(database_url)
    command.downgrade(config, "0008_case_origin-1")
    engine = make_engine(database_url)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("case")}
    assert "origin" not in columns
    engine.dispose()
    command.upgrade(config, "heads")
    engine = make_engine(database_url)
    with engine.connect() as connection:
        case = connection.execute(sa.text('SELECT municipality, origin FROM "case"')).one()
        events = connection.execute(sa.text("SELECT count(*) FROM case_event WHERE case_id = 'c1'")).scalar_one()
    nullable = {c["name"]: c["nullable"] for c in sa.inspect(engine).get_columns("case")}
    engine.dispose()
    assert (tuple(case), events, nullable["municipality"]) == (("GM0402", "notified"), 1, True)
