"""The region analyst reads the Monitor over a generated year of cases in a real browser (Debian's chromium,
Playwright), and the coordinator's evaluation form is filled in: axe-core on every page (0 violations of WCAG
2.1 A/AA); screenshots in var/screenshots/ (ana-*)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from sqlmodel import Session

from hub.auth.principal import Caller
from hub.auth.registry import load_registry
from hub.auth.scopes import scopes_for
from hub.cases import notifications
from hub.cases import service as cases
from hub.cases.schemas import CoordinatorEvent, DetentionStartedCreate
from hub.cases.service import CaseContext
from hub.config import ROOT, Settings
from hub.crypto.envelope import Envelope
from hub.db import make_engine
from hub.monitoring.generate import generate
from hub.policy.register import get_register
from tests.cases.conftest import started_body
from tests.monitoring.conftest import exchange_factory
from tests.web import test_browser as shared
from tests.web.test_browser import Visit, _serving

pytestmark = shared.pytestmark  # skipped without chromium, as the other browser tests

ANALYST, ZVH = "analist-gooi-en-vechtstreek", "zvh-gooi-en-vechtstreek"
YEAR = date.today().year - 1  # a year that is over: the monitor shows figures only for those


@pytest.fixture(scope="module")
def generated(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database copy with a generated year (Blaricum: 3 cases) and one more case in plan."""
    path = tmp_path_factory.mktemp("monitor") / "monitor.db"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(env="dev", database_url=f"sqlite:///{path}", log_json=True, log_level="WARNING")
    registry = load_registry(ROOT / "partners" / "registry", settings)

    def caller(client_id: str) -> Caller:
        partner = registry.by_client_id(client_id)
        assert partner is not None
        return Caller(partner=partner, actor="medewerker-1", scopes=scopes_for(partner.role), token_id="browser-test")

    ctx = CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
    )
    from hub.main import create_app

    exchange = exchange_factory(create_app(settings))  # the exchange's services on this database, real PDP
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        generate(
            session,
            ctx,
            caller,
            region="gooi-en-vechtstreek",
            year=YEAR,
            count=120,
            small={"GM0376": 3},
            exchange=exchange,
        )
        opened = notifications.detention_started(
            session, ctx, caller("dji-pi-nieuwegein"), DetentionStartedCreate.model_validate(started_body("PI-B-1"))
        )
        case_id = opened.result.case_id
        plan = {"agreed_on": "2026-11-20", "actions": [{"domain": "housing", "action": "Opvang"}]}
        for event in (
            {"type": "screening_started"},
            {"type": "weighing_recorded", "consent": "yes", "risk": "none"},
            {"type": "plan_recorded", "plan": plan},
        ):
            cases.record_event(session, ctx, caller(ZVH), case_id, TypeAdapter(CoordinatorEvent).validate_python(event))
        session.commit()
    engine.dispose()
    return path, case_id


def _sign_in(browser, base_url: str, visit: Visit, client_id: str, *, downloads: bool = False):
    context = browser.new_context(base_url=base_url, locale="nl-NL", accept_downloads=downloads)
    visit.watch(context)
    page = context.new_page()
    page.goto("/")
    page.select_option("#organisatie", client_id)
    page.get_by_role("button", name="Aanmelden").click()
    return context, page


def test_the_analyst_reads_the_monitor_and_the_coordinator_evaluates(browser, generated, tmp_path: Path):
    database, case_id = generated
    visit = Visit("ana-")
    with _serving(database, tmp_path) as url:
        context, page = _sign_in(browser, url, visit, ANALYST, downloads=True)
        assert page.url.endswith("/monitor")
        page.select_option("#jaar", str(YEAR))
        page.get_by_role("button", name="Tonen").click()
        visit(page, "monitor")
        assert page.get_by_role("heading", name=f"Monitor Detentie en Terugkeer {YEAR}").is_visible()
        assert page.locator('svg[role="img"]').count() == 2
        blaricum = page.locator("tr", has=page.get_by_role("rowheader", name="Blaricum", exact=True)).first
        assert blaricum.locator("td").first.inner_text() == "< 5"
        assert page.locator("a[href^='/casussen']").count() == 0  # no drill-down

        page.select_option("#gemeente", "GM0402")
        page.get_by_role("button", name="Tonen").click()
        visit(page, "monitor-hilversum")
        assert page.get_by_role("heading", name="Basisvoorwaarden bij de start en na het plan: Hilversum").is_visible()
        page.select_option("#formaat", "csv")
        with page.expect_download() as download:
            page.get_by_role("button", name="Tonen").click()
        assert "Blaricum" in Path(download.value.path()).read_text(encoding="utf-8")
        assert page.goto("/casussen").status == 403  # a content screen: Geen toegang
        context.close()

        context, page = _sign_in(browser, url, visit, ZVH)
        page.goto(f"/casussen/{case_id}")
        page.get_by_role("link", name="Evaluatie vastleggen").click()
        visit(page, "evaluatie")
        for condition in (
            "identity_document",
            "housing",
            "income",
            "debts",
            "care",
            "daytime_activities",
            "social_network",
        ):
            page.check(f"#evaluatie-{condition}-in_order")
        page.get_by_role("button", name="Vastleggen").click()
        assert page.url.endswith(f"/casussen/{case_id}")
        assert page.get_by_text("Evaluatie vastgelegd").first.is_visible()
        context.close()
    assert visit.refused == []
