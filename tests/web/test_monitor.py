"""The region analyst's Monitor (hub/web/monitor.py) over a generated year of cases: aggregates only, small
cells suppressed (a municipality of 3 cases), CSV and PDF parsed, and the analyst refused everywhere else."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlmodel import Session

from hub.cases.service import CaseContext
from hub.crypto.envelope import Envelope
from hub.monitoring.generate import generate
from hub.policy.register import get_register
from tests.matrix.table import PRINCIPALS, ROWS
from tests.monitoring.conftest import exchange_factory

ANALYST = "analist-gooi-en-vechtstreek"
REGION = "gooi-en-vechtstreek"
YEAR = date.today().year - 1  # a year that is over: the monitor shows figures only for those


@pytest.fixture
def year_of_cases(app, make_caller) -> int:
    """A year of generated cases in Gooi en Vechtstreek; Blaricum (GM0376) has exactly 3."""
    settings = app.state.settings
    ctx = CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
    )
    with Session(app.state.engine) as session:
        made = generate(
            session,
            ctx,
            make_caller,
            region=REGION,
            year=YEAR,
            count=60,
            small={"GM0376": 3},
            exchange=exchange_factory(app),
        )
        session.commit()
    return made


def test_the_analyst_is_refused_every_route_but_the_monitor():
    """In the authorization matrix the analyst gets 403 on every /v1 operation and every content screen, and
    only the analyst may open the monitor."""
    column = next(c for c, client_id in PRINCIPALS.items() if client_id == ANALYST)
    guarded = [row for row in ROWS if row.group not in ("public", "signin", "monitor")]
    assert guarded and all(row.expect[column] == 403 for row in guarded), [
        str(r) for r in guarded if r.expect[column] != 403
    ]
    (monitor,) = [row for row in ROWS if row.group == "monitor"]
    assert monitor.expect[column] == 200
    assert all(monitor.expect[c] in (403, 303) for c in PRINCIPALS if c != column)


def test_the_monitor_shows_aggregates_with_small_cells_suppressed(client, sign_in, year_of_cases):
    """The page counts cases per municipality; Blaricum's 3 show as '< 5' and the screen names no case."""
    sign_in(ANALYST)
    page = client.get(f"/monitor?jaar={YEAR}")
    assert page.status_code == 200
    html = page.text
    assert f"Monitor Detentie en Terugkeer {YEAR}" in html
    blaricum = re.search(r'<th class="utrecht-table__header-cell" scope="row">Blaricum</th>(.*?)</tr>', html, re.S)
    assert blaricum and blaricum.group(1).count("&lt; 5") == 5  # four bands and the total
    assert "/casussen" not in html and f"GEN-{YEAR}" not in html  # no drill-down, no notification ids
    assert html.count('role="img"') == 2 and "<title" in html and "<desc" in html
    region = re.search(r'scope="row">Regio [^<]*</th>(.*?)</tr>', html, re.S)
    assert region is not None
    totals = re.findall(r'<td class="utrecht-table__cell">([^<]*)</td>', region.group(1))
    assert totals[-1] in (str(year_of_cases), "×")
    answers = html.split("Antwoordtijd per soort partner", 1)[1]
    medians = re.search(r'scope="row">Regio [^<]*</th>(.*?)</tr>', answers, re.S)
    assert medians is not None
    social, probation = (re.findall(r">([^<]*)</td>", medians.group(1))[i] for i in (1, 4))
    assert 0 <= float(social) <= 9 and 0 <= float(probation) <= 9  # enough answers: a median, in days
    assert client.get(f"/monitor?jaar={YEAR}&gemeente=GM0376").status_code == 200
    assert client.get("/monitor?gemeente=hilversum").status_code == 422


def test_the_monitor_exports_csv_and_pdf(client, sign_in, year_of_cases):
    """The CSV carries every figure as shown (with '< 5'); the PDF is tagged PDF/UA and holds the tables."""
    from pypdf import PdfReader

    sign_in(ANALYST)
    exported = client.get(f"/monitor?jaar={YEAR}&formaat=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert set(rows[0]) == {"onderdeel", "gemeente", "cbs_code", "kenmerk", "waarde", "aandeel"}
    blaricum = [r for r in rows if r["cbs_code"] == "GM0376" and r["onderdeel"] == "detentieduur"]
    assert blaricum and all(r["waarde"] == "< 5" for r in blaricum)
    assert all(r["waarde"] in ("< 5", "×") or r["waarde"].replace(".", "").isdigit() for r in rows)

    pdf = client.get(f"/monitor?jaar={YEAR}&formaat=pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Monitor Detentie en Terugkeer {YEAR}" in words and "Blaricum" in words and "< 5" in words
    assert 'pdfuaid:part="1"' in reader.xmp_metadata.rdf_root.toxml()


def test_the_coordinator_cannot_open_the_monitor(client, sign_in):
    """The screen is the analyst's only: a coordinator gets the 'Geen toegang' page."""
    sign_in("zvh-gooi-en-vechtstreek")
    refused = client.get("/monitor")
    assert refused.status_code == 403 and "Geen toegang" in refused.text


def test_the_monitor_counts_notices_and_origins_suppressed(client, sign_in, year_of_cases):
    """Issue 16 item 4: columns for 18b and BIJ notices, an origin unknown at the start and a disputed origin,
    and a row for the cases without a municipality; the generated year has none of them, so every such cell
    is a count under 5 and shows '< 5', the region's too."""
    sign_in(ANALYST)
    html = client.get(f"/monitor?jaar={YEAR}").text
    flags = html.split("Aantal en aandeel van de afgeronde casussen per gemeente", 1)[1].split("</table>", 1)[0]
    headers = re.findall(r'scope="col">([^<]*)</th>', flags)
    assert headers[-4:] == ["Met 18b-melding", "Met BIJ-melding", "Herkomst onbekend bij de start", "Herkomst betwist"]
    for name in ("Regio [^<]*", "Herkomst niet vastgesteld", "Blaricum"):
        row = re.search(rf'scope="row">{name}</th>(.*?)</tr>', flags, re.S)
        assert row is not None, name
        cells = re.findall(r'<td class="utrecht-table__cell">([^<]*)</td>', row.group(1))
        assert cells[-4:] == ["&lt; 5"] * 4, (name, cells)
    exported = client.get(f"/monitor?jaar={YEAR}&formaat=csv").text
    assert "Herkomst niet vastgesteld" in exported and "Met 18b-melding" in exported
