"""CSV reports cannot be read as formulas (issue 12, item 7)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

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


def test_every_csv_the_hub_writes_goes_through_to_csv():
    """The officer's reports (API and screens), the annual report and the monitor: every module that answers
    text/csv builds it with to_csv, and no module but hub/csvsafe.py holds a csv writer of its own (a new CSV
    written another way would skip the escaping)."""
    import hub

    root = Path(hub.__file__).parent
    sources = {path: path.read_text(encoding="utf-8") for path in root.rglob("*.py")}
    writers = [p for p, text in sources.items() if re.search(r"csv\.(DictWriter|writer)\(", text)]
    assert writers == [root / "csvsafe.py"]
    answering = [p for p, text in sources.items() if "text/csv" in text]
    assert len(answering) >= 4  # audit endpoints, officer screens, annual report, monitor
    for path in answering:  # to_csv itself, or the officer's reports' Report.as_csv (to_csv, tested above)
        assert "to_csv(" in sources[path] or ".as_csv()" in sources[path], path
    assert "return to_csv(self.columns, self.rows)" in sources[root / "audit" / "reports.py"]
