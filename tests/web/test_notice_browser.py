"""The 18b branch of the scenario in a real browser (issue 16): DJI's notices go through the API (the branch of
partners/notice_branch.py, and one for Huizen, whose mayor did not mandate the ZVH); the coordinator meets the
Hilversum notice on the work queue and the case page and reads its text by a recorded button; Huizen's security
domain reads its own. axe-core checks every distinct page (0 violations of WCAG 2.1 A/AA); screenshots go to
var/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from hub.config import Settings
from partners.client import DEV_KEYS, HubClient
from partners.notice_branch import NOTICE_TEXT, notice_branch
from partners.scenario import ACTORS, DJI, ZVH, Scenario
from tests.web.test_browser import Visit, _serving, _signed_in, pytestmark  # noqa: F401 - skip without chromium

HUIZEN_TEXT = "BIJ-melding: terugkeer naar Huizen na een veroordeling voor een zedendelict."


@pytest.fixture(scope="module")
def base_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serving(sqlite_template, tmp_path_factory.mktemp("notice-browser")) as url:
        yield url


def _api(base_url: str):
    """Partner clients that address the hub by its issuer (the audience of their assertions) and reach it on the
    served port."""
    port = httpx.URL(base_url).port

    def to_served_port(request: httpx.Request) -> None:
        request.url = request.url.copy_with(port=port)

    http = httpx.Client(timeout=10.0, event_hooks={"request": [to_served_port]})
    issuer = Settings(env="dev").issuer
    clients: dict[str, HubClient] = {}

    def client_for(client_id: str) -> HubClient:
        if client_id not in clients:
            key = DEV_KEYS / f"{client_id}.key.pem"
            actor = ACTORS.get(client_id, "medewerker-1")
            clients[client_id] = HubClient(client_id, key, base_url=issuer, actor=actor, http=http)
        return clients[client_id]

    return client_for


def test_the_18b_branch_in_the_browser(browser, base_url):
    client_for = _api(base_url)
    branch = notice_branch(Scenario(client_for=client_for, notification_prefix="PI-NWG-BROWSER"))
    huizen = client_for(DJI).post(
        "/v1/notifications/risk-notice",
        json={
            "notice_id": "PI-NWG-BROWSER-BIJ",
            "kind": "bij",
            "bsn": "123456782",
            "municipality": "GM0406",
            "issued_on": (date.today() - timedelta(days=2)).isoformat(),
            "text": HUIZEN_TEXT,
        },
    )
    assert huizen.status_code == 201, huizen.text
    visit = Visit(prefix="notice-")

    context, page = _signed_in(browser, base_url, ZVH, visit)
    page.goto("/signalering")
    visit(page, "signalering")
    queue = page.get_by_role("region", name="Risicomeldingen van DJI (2)")
    assert queue.is_visible() and "(bij de gemeente, geen mandaat)" in queue.inner_text()
    queue.locator(f'a[href="/casussen/{branch.case_id}"]').click()
    visit(page, "casus-met-melding")
    section = page.get_by_role("region", name="Risicomeldingen van DJI (1)")
    assert "Melding artikel 18b Pbw" in section.inner_text() and NOTICE_TEXT.splitlines()[0] not in page.content()
    section.get_by_role("button", name="Tekst lezen").click()
    visit(page, "melding-tekst")
    assert page.get_by_role("heading", name="Melding artikel 18b Pbw").is_visible()
    assert NOTICE_TEXT.splitlines()[0] in page.content()
    page.goto(f"/casussen/{huizen.json()['case_id']}")
    visit(page, "casus-melding-zonder-mandaat")
    assert "u ziet alleen dat er een melding is" in page.content() and HUIZEN_TEXT not in page.content()
    context.close()

    context, page = _signed_in(browser, base_url, "gm0406-security", visit)
    page.get_by_role("link", name="Risicomeldingen").click()
    visit(page, "risicomeldingen-gemeente")
    page.get_by_role("button", name="Tekst van melding PI-NWG-BROWSER-BIJ lezen (wordt vastgelegd)").click()
    visit(page, "melding-tekst-gemeente")
    assert HUIZEN_TEXT in page.content()
    context.close()
    assert visit.refused == []  # nothing refused under the CSP
