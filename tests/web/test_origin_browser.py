"""Issue 16's second branch in a real browser (chromium under Playwright, axe-core on every distinct page): DJI
notifies a second person without a municipality, the coordinator determines Huizen, Huizen contests it from
its Herkomst page, and the coordinator settles on Hilversum. Screenshots go to var/screenshots/ (prefix
herkomst-)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_browser import Visit, _serving, _signed_in
from tests.web.test_browser import pytestmark as browser_required

pytestmark = browser_required

DJI, ZVH, HUIZEN = "dji-pi-nieuwegein", "zvh-gooi-en-vechtstreek", "gm0406-social"
PERSON = {"notification_id": "PI-NWG-2026-000200", "bsn": "123456782", "name": "P. Jansen", "birth": "1985-02-01"}


@pytest.fixture(scope="module")
def base_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serving(sqlite_template, tmp_path_factory.mktemp("origin-browser")) as url:
        yield url


def _determine(page, visit: Visit, case_id: str, municipality: str, reason: str) -> None:
    page.goto(f"/casussen/{case_id}")
    page.get_by_role("link", name="Herkomst vaststellen").click()
    visit(page, "herkomst-vaststellen")
    page.select_option("#gemeente", municipality)
    page.check(f"#reden-{reason}")
    page.get_by_role("button", name="Herkomst vaststellen").click()
    assert page.url.endswith(f"/casussen/{case_id}")


def test_unknown_origin_determined_contested_and_settled_in_the_browser(browser, base_url):
    visit = Visit(prefix="herkomst-")

    dji, page = _signed_in(browser, base_url, DJI, visit)
    for selector, value in (
        ("#meldingsnummer", PERSON["notification_id"]),
        ("#bsn", PERSON["bsn"]),
        ("#naam", PERSON["name"]),
        ("#geboortedatum", PERSON["birth"]),
        ("#inrichting", "PI Nieuwegein"),
        ("#begindatum", "2026-11-02"),
    ):
        page.fill(selector, value)
    page.select_option("#gemeente", "onbekend")
    page.select_option("#status-housing", "not_in_order")
    page.get_by_role("button", name="Melding versturen").click()
    assert page.get_by_role("heading", name="Melding verstuurd").is_visible()
    dji.close()

    zvh, page = _signed_in(browser, base_url, ZVH, visit)
    visit(page, "signalering")
    page.goto("/casussen")
    page.locator("table a").first.click()
    case_id = page.url.rsplit("/", 1)[1]
    assert page.get_by_text("Herkomst onbekend: verzoeken aan gemeenten wachten").is_visible()
    visit(page, "casus-herkomst-onbekend")
    page.get_by_role("link", name="Herkomst vaststellen").click()
    page.get_by_role("button", name="Herkomst vaststellen").click()  # nothing chosen: the error summary
    assert page.get_by_role("alert").is_visible()
    visit(page, "herkomst-foutmelding")
    _determine(page, visit, case_id, "GM0406", "last_address")
    assert page.get_by_text("Vastgesteld door de coördinator").is_visible()

    huizen, municipal = _signed_in(browser, base_url, HUIZEN, visit)
    municipal.goto("/inbox")  # the inbox points to the determinations that name Huizen
    visit(municipal, "inbox-met-herkomst")
    municipal.get_by_role("link", name="1 vaststelling(en) van herkomst noemen uw gemeente").click()
    visit(municipal, "herkomst-gemeente")
    municipal.get_by_label("Ingeschreven in een andere gemeente").check()
    municipal.get_by_role("button", name="Herkomst betwisten").click()
    assert municipal.get_by_text("Uw gemeente heeft deze herkomst betwist").is_visible()
    visit(municipal, "herkomst-betwist-gemeente")
    huizen.close()

    page.goto(f"/casussen/{case_id}")
    assert page.get_by_text("Herkomst betwist: de gemeente betwist de vaststelling").is_visible()
    visit(page, "casus-herkomst-betwist")
    _determine(page, visit, case_id, "GM0402", "brp_registration")
    herkomst = page.locator("section", has=page.get_by_role("heading", name="Herkomst"))
    assert "Hilversum" in herkomst.inner_text() and "Inschrijving in de BRP" in herkomst.inner_text()
    timeline = page.locator("ol.hub-timeline").inner_text()
    assert timeline.count("Herkomst vastgesteld") == 2 and timeline.count("Herkomst betwist") == 1
    zvh.close()
    assert visit.refused == []
