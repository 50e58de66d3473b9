"""CSV reports cannot be read as formulas (issue 12, item 7)."""

from __future__ import annotations

import csv
import io

import pytest

from hub.csvsafe import safe_cell, to_csv
from tests.audit.conftest import ZVH_OIN, append
from tests.audit.test_api import PERIOD, PO


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2-3", "'-2-3"),
        ("@A1", "'@A1"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("coord-3", "coord-3"),
        ("", ""),
        (-2, -2),
        (None, None),
    ],
)
def test_formula_starts_are_escaped(value, written):
    """Text starting with = + - @, a tab or a carriage return gets a leading apostrophe; other cells stay."""
    assert safe_cell(value) == written


def test_to_csv_escapes_every_cell_and_reads_back_as_text():
    """The writer escapes each cell, and the file still parses to the same columns."""
    text = to_csv(("actor", "count"), [{"actor": '=HYPERLINK("x")', "count": 3}, {"actor": "\r@x", "count": 1}])
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [(r["actor"], r["count"]) for r in rows] == [('\'=HYPERLINK("x")', "3"), ("'\r@x", "1")]


def test_unusual_report_csv_escapes_hostile_actor_ids(client, auth_headers, session, subject, settings, app):
    """Actor ids such as -2-3 or @A1 reach the privacy officer's CSV only escaped."""
    app.state.settings = settings.model_copy(update={"unusual_reads_per_hour": 1})
    for actor in ("-2-3", "@A1", "=1+1", "+1"):
        for case in ("c-1", "c-2"):
            append(session, subject, 1, event_type="data_read", case_id=case, to_oin=ZVH_OIN, to_actor=actor)
    response = client.get("/v1/audit/reports/unusual", params={**PERIOD, "format": "csv"}, headers=auth_headers(PO))
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    actors = {row["actor"] for row in rows if row["pattern"] == "veel_zaken_per_uur"}
    assert actors == {"'-2-3", "'@A1", "'=1+1", "'+1"}
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values() if cell)
