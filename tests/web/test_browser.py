"""The seed scenario clicked through in a real browser (Debian's chromium driven by Playwright), every role
signed in by the development picker, with axe-core on every distinct page (0 violations of WCAG 2.1 A/AA)
and a screenshot of each as an artefact (var/screenshots/). The app runs in uvicorn on a free port; the
browser may reach nothing but loopback."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hub.config import ROOT, Settings
from tests.web import scenario_flow as flow

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("HUB_TEST_REQUIRE_BROWSER"):  # set by .ci/run: CI never skips these
    raise RuntimeError("chromium is required here (HUB_TEST_REQUIRE_BROWSER): apt-get install -y chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: `apt-get install -y chromium` runs the browser tests (CI installs it)",
)
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serving(sqlite_template: Path, directory: Path, **settings: object) -> Iterator[str]:
    import uvicorn

    from hub.main import create_app

    path = directory / "hub.db"
    shutil.copyfile(sqlite_template, path)
    app = create_app(
        Settings(env="dev", database_url=f"sqlite:///{path}", log_json=True, log_level="WARNING", **settings)
    )
    port = _free_port()
    # log_config=None: uvicorn would otherwise take its loggers off the root handler for the rest of this
    # process, and a later log-scrubbing test in the same worker would see no line (as the OPA stand-in does).
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


@pytest.fixture(scope="module")
def base_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serving(sqlite_template, tmp_path_factory.mktemp("browser")) as url:
        yield url


class Visit:
    """Checks each distinct page once with axe and keeps a screenshot of it."""

    def __init__(self, prefix: str = "") -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.prefix = prefix  # keeps each test's screenshots apart
        self.axe = Axe()
        self.seen: list[str] = []
        self.refused: list[str] = []  # what the browser refused under the CSP (an inline style, a script)
        self.requests: list[str] = []  # every URL the pages asked for (documents, styles, fonts, scripts, htmx)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def watch(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on(
            "console",
            lambda message: (
                self.refused.append(f"{message.page.url if message.page else ''} {message.text[:60]}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def __call__(self, page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == "nl"
        if name in self.seen:
            return
        self.seen.append(name)
        page.screenshot(path=str(SCREENSHOTS / f"{self.prefix}{len(self.seen):02d}-{name}.png"), full_page=True)
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def _signed_in(browser, base_url: str, client_id: str, visit: Visit):
    context = browser.new_context(base_url=base_url, locale="nl-NL")
    visit.watch(context)
    page = context.new_page()
    page.goto("/")
    visit(page, "aanmelden")
    page.select_option("#organisatie", client_id)
    page.get_by_role("button", name="Aanmelden").click()
    return context, page


def _fill(page, values: dict[str, str | list[str]]) -> None:
    """Fill a generated answer form by field name: selects, radios (ja/nee), text, dates."""
    for name, value in values.items():
        if isinstance(value, list):  # checkboxes
            for one in value:
                page.check(f'input[name="{name}"][value="{one}"]')
            continue
        field = page.locator(f'[name="{name}"]').first
        kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "select":
            page.select_option(f'select[name="{name}"]', value)
        elif kind == "radio":
            page.check(f'input[name="{name}"][value="{value}"]')
        else:
            field.fill(value)


def _ask(page, visit: Visit, case_id: str, form: dict, *, preview: bool = False) -> None:
    page.goto(f"/casussen/{case_id}")
    page.get_by_role("link", name="Nieuw verzoek").click()
    visit(page, "nieuw-verzoek")
    page.select_option("#responder", form["responder"])
    page.check(f"#activiteit-{form['activity']}")
    for category in form["categories"]:
        page.check(f"#categorie-{category}")
    if preview:  # htmx swaps the preview into the page (without JavaScript the button posts the same form)
        page.get_by_role("button", name="Beslissing bekijken").click()
        heading = page.get_by_role("heading", name="Wat het beleid nu zou beslissen")
        heading.wait_for()
        assert page.url.endswith(f"/casussen/{case_id}/verzoek")  # swapped in place, no navigation
        # A locator assertion, not wait_for_function: a string predicate is evaluated with eval, which the page's
        # CSP (no 'unsafe-eval') refuses whenever the predicate is not true at once.
        from playwright.sync_api import expect

        expect(page.locator("#voorbeeld-kop")).to_be_focused()
        visit(page, "verzoek-voorbeeld")
    page.get_by_role("button", name="Verzoek versturen").click()
    visit(page, "verzoek-verstuurd")
    assert page.get_by_role("heading", name="Verzoek verstuurd").is_visible()


def _answer(browser, base_url: str, visit: Visit, who: str, values: dict) -> None:
    context, page = _signed_in(browser, base_url, who, visit)
    visit(page, "inbox")
    page.get_by_role("button", name=re.compile("openen")).first.click()
    visit(page, "verzoek-geopend")
    assert flow.Person.bsn in page.content()
    _fill(page, values)
    page.get_by_role("button", name="Antwoord versturen").click()
    visit(page, "ontvangstbewijs")
    assert page.get_by_role("heading", name="Ontvangstbewijs").is_visible()
    context.close()


def _step(page, visit: Visit, case_id: str, step: str, fill: dict[str, str], checks: list[str]) -> None:
    page.goto(f"/casussen/{case_id}")
    page.locator(f'a[href="/casussen/{case_id}/stap/{step}"]').click()
    visit(page, f"stap-{step}")
    for selector, value in fill.items():
        page.fill(selector, value)
    for selector in checks:
        page.check(selector)
    page.get_by_role("button", name="Vastleggen").click()
    assert page.url.endswith(f"/casussen/{case_id}")


def test_the_seed_scenario_in_the_browser(browser, base_url):
    visit = Visit()

    dji, page = _signed_in(browser, base_url, flow.DJI, visit)
    visit(page, "dji-melding")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"  # the skip link comes first
    form = flow.NOTIFICATION_FORM
    for selector, key in (
        ("#meldingsnummer", "notification_id"),
        ("#bsn", "bsn"),
        ("#naam", "name"),
        ("#geboortedatum", "birth_date"),
        ("#inrichting", "prison"),
        ("#begindatum", "started_on"),
        ("#einddatum", "expected_release_on"),
    ):
        page.fill(selector, form[key])
    page.select_option("#gemeente", "GM0402")
    for condition in ("identity_document", "housing", "debts"):
        page.select_option(f"#status-{condition}", form[f"status.{condition}"])
    page.get_by_role("button", name="Melding versturen").click()
    visit(page, "dji-verstuurd")
    assert page.get_by_role("heading", name="Melding verstuurd").is_visible()

    zvh, page = _signed_in(browser, base_url, flow.ZVH, visit)
    visit(page, "signalering")
    page.get_by_role("link", name="Casussen").click()
    visit(page, "casussen")
    page.locator("table a").first.click()
    visit(page, "casus")
    case_id = page.url.rsplit("/", 1)[1]
    assert flow.Person.bsn not in page.content()
    page.get_by_role("button", name="Identiteit tonen").click()
    visit(page, "identiteit")
    assert flow.Person.bsn in page.content()
    page.goto("/casussen?fase=onzin")
    visit(page, "casussen-foutmelding")
    _ask(page, visit, case_id, flow.SOCIAL_REQUEST, preview=True)
    _ask(page, visit, case_id, flow.SECURITY_REQUEST)

    _answer(browser, base_url, visit, flow.SOCIAL, flow.SOCIAL_ANSWER_FORM)
    _answer(browser, base_url, visit, flow.SECURITY, flow.SECURITY_ANSWER_FORM)

    _step(page, visit, case_id, "visit_recorded", {"#bezoekdatum": flow.VISIT_FORM["visited_on"]}, [])
    _step(page, visit, case_id, "weighing_recorded", {}, ["#toestemming-yes", "#risico-signalled"])
    _ask(page, visit, case_id, flow.POLICE_REQUEST)
    _answer(browser, base_url, visit, flow.POLICE, flow.POLICE_ANSWER_FORM)
    _ask(page, visit, case_id, flow.PROBATION_REQUEST)
    _answer(browser, base_url, visit, flow.PROBATION, flow.PROBATION_ANSWER_FORM)

    page.goto(f"/casussen/{case_id}")
    page.get_by_role("button", name="Antwoord inzien").first.click()
    visit(page, "antwoord")
    plan = flow.PLAN_FORM
    _step(
        page,
        visit,
        case_id,
        "plan_recorded",
        {
            "#afgesproken": plan["agreed_on"],
            "#actie-identity_document": plan["action.identity_document"],
            "#actie-housing": plan["action.housing"],
        },
        [],
    )

    page_dji = dji.new_page()
    page_dji.goto("/meldingen/einde")
    visit(page_dji, "dji-einde")
    for selector, key in (
        ("#meldingsnummer", "notification_id"),
        ("#startmelding", "started_notification_id"),
        ("#bsn", "bsn"),
        ("#einddatum", "ended_on"),
    ):
        page_dji.fill(selector, flow.ENDED_FORM[key])
    page_dji.get_by_role("button", name="Melding versturen").click()
    assert page_dji.get_by_role("heading", name="Melding verstuurd").is_visible()

    page.goto(f"/casussen/{case_id}")
    page.get_by_role("link", name="Overdracht aan de gemeente").click()
    visit(page, "overdracht")
    page.get_by_role("button", name="Overdracht versturen").click()
    visit(page, "overdracht-verstuurd")
    assert page.get_by_role("heading", name="Overdracht verstuurd").is_visible()

    social, page_social = _signed_in(browser, base_url, flow.SOCIAL, visit)
    page_social.get_by_role("link", name="Overdrachten").click()
    visit(page_social, "overdrachten")
    page_social.get_by_role("button", name=re.compile("openen")).first.click()
    visit(page_social, "overdracht-geopend")
    page_social.get_by_role("button", name="Ontvangst bevestigen").click()
    visit(page_social, "ontvangst-bevestigd")
    page_social.get_by_role("button", name="Afmelden").click()
    visit(page_social, "afgemeld")

    page.goto(f"/casussen/{case_id}")
    assert "Gesloten" in page.content()
    # Nothing personal kept in the browser: htmx's page cache is off; it keeps only the current path (a case id).
    kept = page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert flow.Person.bsn not in kept and flow.Person.name not in kept and "<" not in kept, kept
    assert page.evaluate("Object.keys(sessionStorage)") in ([], ["htmx-current-path-for-history"])
    assert flow.Person.bsn not in page.evaluate("document.cookie")
    for context in (dji, zvh, social):
        context.close()
    assert len(visit.seen) >= 20
    assert visit.refused == []  # nothing on any page needed more than the strict CSP allows
    # No third-party request at all, and the BSN in no URL the browser asked for (so in no history entry).
    assert len(visit.requests) > 100
    assert [u for u in visit.requests if not u.startswith((base_url + "/", "data:"))] == []
    assert [u for u in visit.requests if flow.Person.bsn in u] == []


def test_the_axe_check_finds_a_violation_when_there_is_one(browser):
    """The harness is not vacuous: the same axe run reports an image without alternative text."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.set_content(
        '<!doctype html><html lang="nl"><head><title>t</title></head><body><img src="data:,"></body></html>'
    )
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count >= 1 and "image-alt" in results.generate_report()
    page.close()


def test_idle_warning_extends_then_signs_out(browser, sqlite_template, tmp_path):
    """With a short idle period: the warning appears, 'Ingelogd blijven' keeps the session, and when nothing
    happens the browser ends on the 'u bent uitgelogd' page and the session is gone on the server."""
    with _serving(sqlite_template, tmp_path, web_idle_timeout_seconds=4, web_idle_warning_seconds=3) as url:
        context = browser.new_context(base_url=url)
        page = context.new_page()
        page.goto("/")
        page.select_option("#organisatie", flow.ZVH)
        page.get_by_role("button", name="Aanmelden").click()
        warning = page.get_by_role("heading", name="U wordt bijna uitgelogd")
        warning.wait_for()
        with page.expect_navigation():
            page.get_by_role("button", name="Ingelogd blijven").click()
        assert page.url.endswith("/signalering") and page.get_by_role("heading", name="Signalering").is_visible()
        page.wait_for_url("**/uitgelogd")
        assert page.get_by_role("heading", name="U bent uitgelogd").is_visible()
        page.goto("/casussen")
        assert page.url.endswith("/")  # signed out on the server too: back to sign in
        context.close()


# -- by keyboard only ------------------------------------------------------------------------------------


def _tab_to(page, css: str, text: str | None = None, limit: int = 200) -> None:
    """Press Tab until the focused element matches `css` (and has `text`); fails if the tab order never
    gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "([css, text]) => { const e = document.activeElement;"
            " return !!e && e.matches(css) && (text === null || e.textContent.trim() === text); }",
            [css, text],
        ):
            return
    raise AssertionError(f"Tab never reached {css} {text or ''} on {page.url}")


def _press(page, key: str) -> None:
    """Enter or Space on the focused control, waiting for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _choose(page, css: str, value: str) -> None:
    """Pick an option of a select with the arrow keys."""
    _tab_to(page, css)
    for _ in range(80):
        if page.evaluate("css => document.querySelector(css).value", css) == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{css}: the arrow keys never reached {value}")


def _radio(page, name: str, value: str) -> None:
    """Tab into a radio group, Space checks the focused radio, the arrow keys move to `value`."""
    _tab_to(page, f'input[type="radio"][name="{name}"]')
    page.keyboard.press("Space")
    for _ in range(10):
        if page.evaluate("() => document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(f'() => document.querySelector(\'input[name="{name}"][value="{value}"]\').checked')


def _keyboard_sign_in(browser, base_url: str, client_id: str, visit: Visit):
    context = browser.new_context(base_url=base_url, locale="nl-NL")
    visit.watch(context)
    page = context.new_page()
    page.goto("/")
    _choose(page, "#organisatie", client_id)
    _tab_to(page, "button", "Aanmelden")
    _press(page, "Enter")
    return context, page


def test_ask_answer_withdraw_and_ask_again_by_keyboard(browser, sqlite_template, tmp_path):
    """After DJI's notification and the visit (set up with the mouse), everything is done with Tab, Enter, Space and the
    arrow keys only: the coordinator asks, the contact point answers (a first try with an error, then the
    form as it came back), the weighing without consent withdraws the other request, the contact point's form
    for it is refused with the policy's reason, the coordinator asks again and reads the information sheet
    with what it withholds. axe runs on each new page and state."""
    visit = Visit("toetsenbord-")
    with _serving(sqlite_template, tmp_path) as url:
        dji, page = _signed_in(browser, url, flow.DJI, visit)
        form = flow.NOTIFICATION_FORM
        for selector, key in (("#meldingsnummer", "notification_id"), ("#bsn", "bsn"), ("#naam", "name")):
            page.fill(selector, form[key])
        page.fill("#geboortedatum", form["birth_date"])
        page.fill("#inrichting", form["prison"])
        page.fill("#begindatum", form["started_on"])
        page.select_option("#gemeente", "GM0402")
        page.select_option("#status-housing", "not_in_order")
        page.select_option("#status-care", "not_in_order")
        page.get_by_role("button", name="Melding versturen").click()
        assert page.get_by_role("heading", name="Melding verstuurd").is_visible()
        dji.close()
        setup, page = _signed_in(browser, url, flow.ZVH, visit)  # the visit, with the mouse: a date field's
        page.goto("/casussen")  # keyboard order follows the browser's own language, not the page's
        page.locator("table a").first.click()
        _step(
            page,
            visit,
            page.url.rsplit("/", 1)[1],
            "visit_recorded",
            {"#bezoekdatum": flow.VISIT_FORM["visited_on"]},
            [],
        )
        setup.close()

        zvh, page = _keyboard_sign_in(browser, url, flow.ZVH, visit)
        _tab_to(page, 'a[href="/casussen"]')
        _press(page, "Enter")
        _tab_to(page, "table a")
        _press(page, "Enter")
        case_id = page.url.rsplit("/", 1)[1]
        _tab_to(page, "button", "Informatieblad tonen")
        _press(page, "Space")
        visit(page, "informatieblad-niet-getoond")
        assert page.get_by_role("heading", name="Niet getoond").is_visible()
        for categories in (["housing"], ["income"]):
            page.goto(f"/casussen/{case_id}")
            _tab_to(page, f'a[href="/casussen/{case_id}/verzoek"]')
            _press(page, "Enter")
            _choose(page, "#responder", flow.SOCIAL)
            _radio(page, "activity", "reintegration")
            for category in categories:
                _tab_to(page, f"#categorie-{category}")
                page.keyboard.press("Space")
            _tab_to(page, "button", "Verzoek versturen")
            _press(page, "Enter")
            assert page.get_by_role("heading", name="Verzoek verstuurd").is_visible()

        social, inbox = _keyboard_sign_in(browser, url, flow.SOCIAL, visit)
        _tab_to(inbox, 'a[href="/inbox"]')
        _press(inbox, "Enter")
        _tab_to(inbox, 'form[action^="/inbox/"] button')  # the newest first: income
        later = social.new_page()  # the income request, opened now and sent after the weighing
        later.goto("/inbox")
        _tab_to(later, 'form[action^="/inbox/"] button')
        _press(later, "Enter")
        _tab_to(inbox, 'form[action^="/inbox/"] button')  # the next one: housing
        _press(inbox, "Enter")
        assert "huisvesting" in inbox.content().lower()
        _radio(inbox, "housing.at_risk_of_loss", "ja")
        _tab_to(inbox, "button", "Antwoord versturen")
        _press(inbox, "Enter")
        visit(inbox, "antwoord-fouten")
        assert inbox.evaluate("document.activeElement.classList.contains('hub-error-summary')")
        assert inbox.locator("#veld-housing-at-risk-of-loss-ja").is_checked()  # kept as it was sent
        _choose(inbox, "#veld-housing-situation", "homeless")
        _tab_to(inbox, "button", "Antwoord versturen")
        _press(inbox, "Space")
        assert inbox.get_by_role("heading", name="Ontvangstbewijs").is_visible()

        page.goto(f"/casussen/{case_id}")
        _tab_to(page, f'a[href="/casussen/{case_id}/stap/weighing_recorded"]')
        _press(page, "Enter")
        _radio(page, "consent", "no")
        _radio(page, "risk", "none")
        _tab_to(page, "button", "Vastleggen")
        _press(page, "Enter")
        visit(page, "casus-ingetrokken")
        assert "Ingetrokken:" in page.content()

        _choose(later, "#veld-income-source", "none")
        _tab_to(later, "button", "Antwoord versturen")
        _press(later, "Enter")
        visit(later, "antwoord-geweigerd")
        assert later.get_by_role("heading", name="Antwoord niet verstuurd").is_visible()
        assert "toestemming" in later.locator(".hub-error-summary").inner_text().lower()

        _tab_to(page, "button", "Opnieuw vragen")
        _press(page, "Enter")
        visit(page, "verzoek-opnieuw")
        assert page.get_by_role("heading", name="Verzoek opnieuw geweigerd").is_visible()
        for context in (zvh, social):
            context.close()
    assert visit.refused == []
