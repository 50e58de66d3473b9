"""The privacy officer works through the seed scenario's log in a real browser (Debian's chromium, Playwright):
the overview, a search, an access report downloaded as PDF, and the integrity page of a tampered copy of the
database. axe-core on every page (0 violations of WCAG 2.1 A/AA); screenshots in var/screenshots/ (fg-*)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hub.config import Settings
from partners.client import DEV_KEYS, HubClient
from partners.scenario import ACTORS, Person, Scenario
from tests.web import test_browser as shared
from tests.web.test_browser import Visit, _serving

pytestmark = shared.pytestmark  # skipped without chromium, as the other browser tests

OFFICER = "fg-gooi-en-vechtstreek"


@pytest.fixture(scope="module")
def played(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database copy on which the seed scenario ran through the API (real tokens, real policy)."""
    from hub.main import create_app

    directory = tmp_path_factory.mktemp("officer")
    path = directory / "scenario.db"
    shutil.copyfile(sqlite_template, path)
    app = create_app(Settings(env="dev", database_url=f"sqlite:///{path}", log_json=True, log_level="WARNING"))
    with TestClient(app, base_url="http://127.0.0.1:8000") as http:

        def client_for(client_id: str) -> HubClient:
            key = DEV_KEYS / f"{client_id}.key.pem"
            return HubClient(client_id, key, base_url=str(http.base_url), actor=ACTORS[client_id], http=http)

        Scenario(client_for=client_for).run()
    return path


def _sign_in(browser, base_url: str, visit: Visit):
    context = browser.new_context(base_url=base_url, locale="nl-NL", accept_downloads=True)
    visit.watch(context)
    page = context.new_page()
    page.goto("/")
    page.select_option("#organisatie", OFFICER)
    page.get_by_role("button", name="Aanmelden").click()
    return context, page


def test_the_officer_works_through_the_log(browser, played: Path, tmp_path: Path):
    from pypdf import PdfReader

    visit = Visit()
    for name in ("served", "tampered"):
        (tmp_path / name).mkdir()
    with _serving(played, tmp_path / "served") as url:
        context, page = _sign_in(browser, url, visit)
        assert page.url.endswith("/overzicht")
        visit(page, "fg-overzicht")
        assert page.get_by_text("Het openen van dit overzicht wordt zelf vastgelegd").is_visible()
        assert page.locator('svg[role="img"]').count() == 4

        page.get_by_role("link", name="Logboek doorzoeken").click()
        visit(page, "fg-logboek")
        page.fill("#bsn", Person.bsn)
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_role("heading", name="Resultaten").wait_for()
        visit(page, "fg-logboek-resultaten")
        assert Person.bsn not in page.content() and Person.bsn not in page.url
        assert page.locator("table tbody tr").count() >= 5
        page.locator("details.hub-record summary").first.click()
        assert page.locator("details.hub-record dd", has_text="geldig").first.is_visible()

        page.get_by_role("link", name="Inzageverzoek").click()
        visit(page, "fg-inzage")
        page.fill("#bsn", Person.bsn)
        received = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date() - dt.timedelta(days=12)
        page.fill("#ontvangen_op", received.isoformat())
        page.get_by_role("button", name="Overzicht maken").click()
        visit(page, "fg-inzage-overzicht")
        assert page.get_by_text("zijn gegevens over u verstrekt aan Gemeente Hilversum").first.is_visible()
        assert Person.bsn not in page.content()
        page.goto("/inzage")
        page.fill("#bsn", Person.bsn)
        with page.expect_download() as download:
            page.get_by_role("button", name="Als PDF downloaden").click()
        pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
        words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
        assert "zijn gegevens over u verstrekt aan Gemeente Hilversum" in words
        assert 'pdfuaid:part="1"' in pdf.xmp_metadata.rdf_root.toxml()

        page.get_by_role("link", name="Integriteit", exact=True).click()
        visit(page, "fg-integriteit")
        assert page.get_by_text("Het logboek is in orde.").is_visible()
        page.get_by_role("link", name="Jaarverslag").click()
        visit(page, "fg-jaarverslag")
        assert page.locator('svg[role="img"]').count() == 1
        assert page.get_by_text("12 dagen, binnen de termijn van een maand.").is_visible()
        page.get_by_role("link", name="Partners en rechten").click()
        visit(page, "fg-partners")
        assert page.get_by_role("heading", name="Wat elke rol mag").is_visible()
        context.close()

    # A copy of that database, tampered with directly (the append-only trigger dropped, one record changed).
    tampered = tmp_path / "tampered.db"
    shutil.copyfile(played, tampered)
    db = sqlite3.connect(tampered)
    db.execute("DROP TRIGGER audit_record_no_update")
    seq = db.execute("SELECT min(seq) FROM audit_record WHERE event_type = 'data_released'").fetchone()[0]
    db.execute("UPDATE audit_record SET categories_released = '[]' WHERE seq = ?", (seq,))
    db.commit()
    db.close()  # closing writes the change into the file itself (no WAL left behind for the copy to miss)
    with _serving(tampered, tmp_path / "tampered") as url:
        context, page = _sign_in(browser, url, visit)
        assert page.locator(".hub-status--bad").is_visible()  # the overview says so at once
        page.get_by_role("link", name="Integriteit", exact=True).click()
        visit(page, "fg-integriteit-gemanipuleerd")
        assert page.get_by_text("Het logboek is niet in orde.").is_visible()
        assert page.get_by_text(f"volgnummer {seq}", exact=True).is_visible()
        assert page.get_by_text("Een record is veranderd").is_visible()
        context.close()
    assert visit.refused == []  # nothing needed more than the strict CSP allows
