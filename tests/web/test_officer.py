"""The privacy officer's screens (hub/web/officer.py) over the seed scenario's log: every look is recorded like
the API's, the BSN never comes back, the PDF is tagged PDF/UA, and the officer sees no content screen."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.web import charts
from partners.scenario import ACTORS, Person
from tests.matrix.table import PRINCIPALS, ROWS
from tests.web.conftest import SAME_ORIGIN, form_key

OFFICER = "fg-gooi-en-vechtstreek"
OFFICER_PATHS = {"/overzicht", "/logboek", "/integriteit", "/inzage", "/partners", "/jaarverslag"}


def _records(app, event_type: str) -> list[AuditRecord]:
    with Session(app.state.engine) as db:
        return list(db.exec(select(AuditRecord).where(AuditRecord.event_type == event_type)).all())


@pytest.fixture
def played(scenario):
    scenario.run()
    return scenario


def _post(client, path: str, page: str, data: dict):
    return client.post(path, data={**data, "form_key": form_key(page)}, headers=SAME_ORIGIN)


def test_the_palette_meets_wcag_contrast():
    for colour in charts.PALETTE:
        assert charts.contrast(colour, charts.BACKGROUND) >= 3.0, colour  # WCAG 1.4.11, graphics
    assert charts.contrast(charts.TEXT, charts.BACKGROUND) >= 4.5  # WCAG 1.4.3, text
    assert round(charts.contrast("#777777", "#ffffff"), 2) == 4.48  # the formula itself (a known pair)
    assert charts.contrast("#ffffff", "#ffffff") == 1.0


def test_the_officer_gets_403_on_every_content_screen():
    """Every screen route outside the officer's own is refused to the officer (403) in the authorization
    matrix, and each officer route is refused to every other role, a foreign region included."""
    screens = [row for row in ROWS if row.group in ("screens", "officer")]
    column = next(c for c, client_id in PRINCIPALS.items() if client_id == OFFICER)
    content = [row for row in screens if row.group == "screens"]
    assert content and all(row.expect[column] == 403 for row in content), [
        str(r) for r in content if r.expect[column] != 403
    ]
    own = [row for row in screens if row.group == "officer"]
    assert {row.path for row in own} == OFFICER_PATHS
    for row in own:
        assert row.expect[column] == 200
        assert all(row.expect[c] == 403 for c, client_id in PRINCIPALS.items() if client_id not in (OFFICER, None))


def test_overview_records_its_reports_and_draws_charts(client, app, sign_in, played):
    sign_in(OFFICER)
    before = len(_records(app, "inspection"))
    page = client.get("/overzicht")
    assert page.status_code == 200
    html = page.text
    assert "Het openen van dit overzicht wordt zelf vastgelegd" in html
    assert "In orde." in html and "Laatste checkpoint" in html or "nog geen checkpoint" in html
    assert html.count('role="img"') == 4 and html.count("<desc id=") == 4
    assert "Gemeente Hilversum" in html  # a receiving partner by name in the disclosures chart and its table
    inspections = _records(app, "inspection")
    assert len(inspections) == before + 2  # the disclosures and the refusals report, as the API records them
    assert {r.query_filter["report"] for r in inspections[-2:]} == {"disclosures", "refusals"}


def test_search_by_bsn_never_shows_it_back_and_is_recorded(client, app, sign_in, played):
    sign_in(OFFICER)
    form = client.get("/logboek").text
    response = _post(client, "/logboek", form, {"bsn": Person.bsn, "uitvoer": "html"})
    assert response.status_code == 200, response.text[:500]
    html = response.text
    assert Person.bsn not in html
    assert "Gegevens verstrekt" in html and "Gemeente Hilversum" in html  # Dutch event, organisation name
    assert "Re-integratie na detentie" in html and "Pbw art. 18a" in html  # activity and legal basis
    assert re.search(r"<dt>MAC</dt><dd>geldig</dd>", html)
    assert re.search(r"<dt>Hash</dt><dd class=\"hub-hash\">[0-9a-f]{64}</dd>", html)
    assert "sha256:" in html  # the policy revision
    inspection = _records(app, "inspection")[-1]
    assert inspection.subject_pseudonym and Person.bsn not in str(inspection.query_filter)
    # the same form key again: refused, nothing recorded twice
    again = client.post("/logboek", data={"bsn": Person.bsn, "form_key": form_key(form)}, headers=SAME_ORIGIN)
    assert again.status_code == 409 and len(_records(app, "inspection")) == len(_records(app, "inspection"))


def test_search_errors_are_named_without_the_bsn(client, app, sign_in, played):
    sign_in(OFFICER)
    before = len(_records(app, "inspection"))
    empty = _post(client, "/logboek", client.get("/logboek").text, {"uitvoer": "html"})
    assert empty.status_code == 422 and "ten minste één filter" in empty.text
    wrong = _post(client, "/logboek", client.get("/logboek").text, {"bsn": "123456789"})
    assert wrong.status_code == 422 and "elfproef" in wrong.text and "123456789" not in wrong.text
    assert len(_records(app, "inspection")) == before


def test_search_exports_csv_with_escaping(client, app, sign_in, played):
    sign_in(OFFICER)
    response = _post(client, "/logboek", client.get("/logboek").text, {"van": "2000-01-01", "uitvoer": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    lines = response.text.splitlines()
    assert lines[0].startswith("seq,time,event_type,event,from")
    assert any("data_released" in line and "Gemeente Hilversum" in line for line in lines)
    assert Person.bsn not in response.text
    # the period as recorded: from the start of 1 January 2000 in Amsterdam, in UTC
    assert _records(app, "inspection")[-1].query_filter["period_from"].startswith("1999-12-31T23:00")


def test_integrity_page_names_the_first_bad_record_in_dutch(client, app, sign_in, played):
    sign_in(OFFICER)
    good = client.get("/integriteit")
    assert good.status_code == 200 and "Het logboek is in orde." in good.text
    assert "kty&#34;: &#34;OKP" in good.text and "hub audit verify --export" in good.text
    with app.state.engine.begin() as connection:
        if connection.dialect.name == "sqlite":  # tamper as someone with direct access to the database would
            connection.execute(text("DROP TRIGGER IF EXISTS audit_record_no_update"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_record_append_only ON audit_record"))
        seq = connection.execute(text("SELECT min(seq) FROM audit_record WHERE event_type='data_released'")).scalar()
        connection.execute(text("UPDATE audit_record SET to_oin='00000000000000000000' WHERE seq=:s"), {"s": seq})
    bad = client.get("/integriteit")
    assert "Het logboek is niet in orde." in bad.text
    assert f"volgnummer {seq}" in bad.text and "Een record is veranderd" in bad.text


def test_access_report_html_and_pdf(client, app, sign_in, played):
    from pypdf import PdfReader

    sign_in(OFFICER)
    form = client.get("/inzage").text
    shown = _post(client, "/inzage", form, {"bsn": Person.bsn, "uitvoer": "html"})
    assert shown.status_code == 200, shown.text[:500]
    assert Person.bsn not in shown.text
    assert "zijn gegevens over u verstrekt aan Gemeente Hilversum" in shown.text
    assert not [actor for actor in ACTORS.values() if actor in shown.text]  # no employee ids in the report
    # the risk assessment (strictly confidential) stays out of the letter until the officer includes it
    assert "Niet in de brief: strikt vertrouwelijke verwerkingen" in shown.text
    assert len(_records(app, "access_report")) == 1

    form = client.get("/inzage").text
    pdf = _post(client, "/inzage", form, {"bsn": Person.bsn, "uitvoer": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    words = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(words.split())
    assert "Overzicht van verstrekkingen van uw persoonsgegevens" in flat
    assert "zijn gegevens over u verstrekt aan Gemeente Hilversum" in flat
    assert "Weging van een veiligheidsrisico" not in flat
    assert Person.bsn not in flat
    assert reader.xmp_metadata is not None
    assert 'pdfuaid:part="1"' in reader.xmp_metadata.rdf_root.toxml()  # PDF/UA-1 identification
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert len(_records(app, "access_report")) == 2
    # a download leaves the form on screen, its key unspent: the report on screen from the same form works
    assert _post(client, "/inzage", form, {"bsn": Person.bsn, "uitvoer": "html"}).status_code == 200
    assert _post(client, "/inzage", form, {"bsn": Person.bsn, "uitvoer": "html"}).status_code == 409
    assert len(_records(app, "access_report")) == 3

    strict = _post(
        client,
        "/inzage",
        client.get("/inzage").text,
        {"bsn": Person.bsn, "uitvoer": "pdf", "strikt_vertrouwelijk": "opnemen"},
    )
    included = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(strict.content)).pages).split())
    assert "Pbw art. 18b" in included  # the risk assessment's legal basis, now in the letter


def test_access_report_refuses_a_bad_bsn_without_echo(client, app, sign_in):
    sign_in(OFFICER)
    response = _post(client, "/inzage", client.get("/inzage").text, {"bsn": "111111112", "uitvoer": "pdf"})
    assert response.status_code == 422 and "elfproef" in response.text and "111111112" not in response.text
    assert _records(app, "access_report") == []


def test_partners_and_rights_come_from_the_policy(client, app, sign_in):
    sign_in(OFFICER)
    html = client.get("/partners").text
    assert "Gemeente Hilversum, sociaal domein" in html and "Functionaris gegevensbescherming" in html
    officer = html.split('<h3 class="utrecht-heading-3">Functionaris gegevensbescherming</h3>')[1].split("</ul>")[0]
    assert "Het logboek doorzoeken" in officer and "Een casus inzien" not in officer
    social = html.split('<h3 class="utrecht-heading-3">Gemeente, sociaal domein</h3>')[1].split("</ul>")[0]
    assert "Ontvangst van een overdracht bevestigen" in social and "Het logboek doorzoeken" not in social


def test_annual_report_html_csv_pdf(client, app, sign_in, played):
    from datetime import date

    from pypdf import PdfReader

    sign_in(OFFICER)
    year = date.today().year
    before = len(_records(app, "inspection"))
    html = client.get(f"/jaarverslag?jaar={year}").text
    assert f"Jaarverslag {year}" in html and "Gemeente Hilversum, sociaal domein" in html
    assert "Re-integratie na detentie" in html and "Beantwoorde inzageverzoeken: 0." in html
    assert html.count('role="img"') == 1
    kinds = [r.query_filter["report"] for r in _records(app, "inspection")[before:]]
    assert kinds == ["disclosures", "refusals", "unusual"]  # recorded as the API records its reports

    csv = client.get(f"/jaarverslag?jaar={year}&formaat=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "onderdeel,partner,activiteit,verstrekkingen,weigeringen,aantal,toelichting"
    assert any(line.startswith('verstrekkingen_en_weigeringen,"Gemeente Hilversum') for line in lines)
    assert "inzageverzoeken,,,,,0," in lines

    pdf = client.get(f"/jaarverslag?jaar={year}&formaat=pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Jaarverslag {year}" in words and "Ongebruikelijke patronen" in words
    assert 'pdfuaid:part="1"' in reader.xmp_metadata.rdf_root.toxml()
    assert client.get("/jaarverslag?formaat=doc").status_code == 422  # only html, pdf or csv


def test_annual_report_says_how_long_each_access_request_took(client, app, sign_in, played):
    """The day a request came in, given on the Inzageverzoek form, comes back in the annual report as the
    number of days the answer took; a request answered without it says so; a day after today is refused."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    sign_in(OFFICER)
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    refused = _post(client, "/inzage", client.get("/inzage").text, {"bsn": Person.bsn, "ontvangen_op": tomorrow})
    assert refused.status_code == 422 and 'id="ontvangen_op-fout"' in refused.text
    assert Person.bsn not in refused.text and _records(app, "access_report") == []

    received = today - timedelta(days=12)
    page = client.get("/inzage").text
    given = {"bsn": Person.bsn, "ontvangen_op": received.isoformat(), "uitvoer": "html"}
    assert _post(client, "/inzage", page, given).status_code == 200
    assert _post(client, "/inzage", client.get("/inzage").text, {"bsn": Person.bsn}).status_code == 200
    assert [r.query_filter for r in _records(app, "access_report")] == [{"received_on": received.isoformat()}, None]

    html = client.get(f"/jaarverslag?jaar={today.year}").text
    took = (
        f"Ontvangen op {received.strftime('%d-%m-%Y')}, beantwoord op {today.strftime('%d-%m-%Y')}: "
        "12 dagen, binnen de termijn van een maand."
    )
    assert "Beantwoorde inzageverzoeken: 2." in html and took in html
    assert f"Beantwoord op {today.strftime('%d-%m-%Y')}; de datum van ontvangst is niet vastgelegd." in html
    assert "Mediaan 12 dagen, langste 12 dagen" in html
    csv = client.get(f"/jaarverslag?jaar={today.year}&formaat=csv").text.splitlines()
    assert f'inzageverzoek,,,,,12,"{took}"' in csv or f"inzageverzoek,,,,,12,{took}" in csv


@pytest.mark.parametrize(
    ("days", "summary"),
    [
        ([1], "Mediaan 1 dag, langste 1 dag (over 1 verzoek met een vastgelegde datum van ontvangst)."),
        ([1, 2], "Mediaan 1,5 dagen, langste 2 dagen (over 2 verzoeken met een vastgelegde datum van ontvangst)."),
        ([0, 12, 30], "Mediaan 12 dagen, langste 30 dagen (over 3 verzoeken met een vastgelegde datum van ontvangst)."),
    ],
)
def test_the_annual_reports_answer_times_read_as_dutch(days, summary):
    """One day is "1 dag", a half is written with a decimal comma (was "Mediaan 1.5 dagen", "1 dagen")."""
    from hub.web.officer_annual import _days_summary

    assert _days_summary(days) == summary
