"""Migration 0010_monitoring_batches down to 0009_monitoring_snapshot: the statistics rows still waiting in
`monitoring_pending` move into `monitoring_fact` (with the neutral month 1) before the table is dropped, so a
downgrade loses no figure whose case is already marked written."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from hub.db import make_engine
from hub.migrations import alembic_config

PENDING = """INSERT INTO monitoring_pending (id, region, municipality, year, batch, measure, item, value, number)
    VALUES ('p1', 'gooi-en-vechtstreek', 'GM0402', 2026, 'b1', 'outcome', 'housing', 'arranged', 3)"""
FACT = """INSERT INTO monitoring_fact (id, region, municipality, year, measure, item, value, number)
    VALUES ('f1', 'gooi-en-vechtstreek', 'GM0406', 2026, 'outcome', 'income', 'arranged', NULL)"""


def test_downgrade_moves_the_pending_rows_into_the_facts(database_url):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(PENDING))
        connection.execute(sa.text(FACT))
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0009_monitoring_snapshot")
    engine = make_engine(database_url)
    with engine.connect() as connection:
        facts = connection.execute(
            sa.text(
                "SELECT id, region, municipality, year, month, measure, item, value, number FROM monitoring_fact "
                "ORDER BY id"
            )
        ).all()
    tables = sa.inspect(engine).get_table_names()
    engine.dispose()
    assert "monitoring_pending" not in tables
    assert [tuple(row) for row in facts] == [
        ("f1", "gooi-en-vechtstreek", "GM0406", 2026, 1, "outcome", "income", "arranged", None),
        ("p1", "gooi-en-vechtstreek", "GM0402", 2026, 1, "outcome", "housing", "arranged", 3),
    ]
