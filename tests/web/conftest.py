"""Fixtures of the screens' tests: a browser-like client (same-origin headers), signing in by the picker, and
the chromium of the browser tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable

import pytest

ORIGIN = "http://127.0.0.1:8000"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def form_key(html: str) -> str:
    """The one-time key of the first form in a page."""
    found = re.search(r'name="form_key" value="([0-9a-f]+)"', html)
    assert found, "the page has no form with a form_key"
    return found.group(1)


@pytest.fixture
def sign_in(client) -> Callable[[str], None]:
    """Sign the test client in as a fictitious employee of `client_id` through the development picker."""

    def _sign_in(client_id: str, employee_id: str = "medewerker-1") -> None:
        response = client.post(
            "/aanmelden/ontwikkeling",
            data={"client_id": client_id, "employee_id": employee_id},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text

    return _sign_in


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium under Playwright, one for the whole session (the browser tests of every module share
    it: a second sync Playwright in the same process would fail)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--headless=new",
                "--disable-gpu",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ],
        )
        yield browser
        browser.close()
