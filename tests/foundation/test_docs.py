"""/docs works offline: Swagger UI from the fastapi-offline package's files, nothing from a CDN, and in production
only when HUB_DOCS_ENABLED turns it on (issue 12, first hour)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.config import Settings
from hub.main import create_app
from hub.security_headers import HTML_CSP


def _client(sqlite_template: Path, **settings) -> TestClient:
    values = {"env": "dev", "database_url": f"sqlite:///{sqlite_template}", **settings}
    return TestClient(create_app(Settings(**values)))


def test_docs_page_loads_only_the_hubs_own_files(sqlite_template):
    """Every script and stylesheet of /docs is a path on the hub, each is served from the package with its
    type, and the page has no inline script (it runs under the strict HTML_CSP)."""
    client = _client(sqlite_template)
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-security-policy"] == HTML_CSP
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(sources) == ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/start.js"]
    assert re.search(r"<script[^>]*>\s*[^<\s]", page.text) is None  # no inline script
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].startswith(("text/css", "text/javascript")), source
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert '"/openapi.json"' in client.get("/docs/start.js").text


def test_no_cdn_and_no_redoc(sqlite_template):
    """Nothing the docs serve names another host; /redoc (a CDN page) is gone; /openapi.json stays."""
    client = _client(sqlite_template)
    assert "://" not in client.get("/docs").text + client.get("/docs/start.js").text
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize(
    ("env", "enabled", "served"),
    [("dev", None, True), ("dev", False, False), ("production", None, False), ("production", True, True)],
)
def test_docs_setting(env, enabled, served):
    """Unset, /docs is on in development and off in production; HUB_DOCS_ENABLED decides either way."""
    assert Settings(env=env, docs_enabled=enabled).serves_docs is served


def test_docs_turned_off_are_not_served(sqlite_template):
    """With the setting off, /docs and its files are 404 problems; the API document is still served."""
    client = _client(sqlite_template, docs_enabled=False)
    for path in ("/docs", "/docs/start.js", "/docs/assets/swagger-ui-bundle.js"):
        response = client.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    assert client.get("/openapi.json").status_code == 200
