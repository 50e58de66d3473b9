"""HTTP rules of the screens: one dependency refuses an unsafe method from another site (Sec-Fetch-Site, else
Origin) before anything else. The Content-Security-Policy and no-store of every HTML page are set with every
other response header in one place, `hub.security_headers` (`HTML_CSP`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from hub.web.errors import CrossSiteRequest

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_origin(request: Request) -> None:
    """Refuse an unsafe method unless the browser says it came from this site (Sec-Fetch-Site), or, from a
    browser that does not send that header, its Origin is the hub's own. Works for plain HTML forms."""
    if request.method not in UNSAFE:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site == "same-origin":
            return
        raise CrossSiteRequest("Dit formulier kwam niet van de hub zelf; er is niets verwerkt.")
    origin = request.headers.get("origin")
    own = {f"{request.url.scheme}://{request.url.netloc}", _origin_of(request.app.state.settings.issuer)}
    if origin is not None and origin in own:  # behind a TLS proxy the browser's origin is the issuer's
        return
    raise CrossSiteRequest("Dit formulier kwam niet van de hub zelf; er is niets verwerkt.")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
