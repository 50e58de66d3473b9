"""HTTP rules of the screens: one place sets the Content-Security-Policy and no-store on every HTML page, and
one dependency refuses an unsafe method from another site (Sec-Fetch-Site, else Origin) before anything else.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.errors import Forbidden

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HTML_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class HtmlHeadersMiddleware:
    """Adds the screens' headers to every text/html response (the pages and their error pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    names = {name for name, _ in HTML_HEADERS}
                    headers = [(k, v) for k, v in headers if k.lower() not in names] + list(HTML_HEADERS)
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrossSiteRequest(Forbidden):
    code, title = "cross_site_request", "Verzoek van een andere website"


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
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin == own:
        return
    raise CrossSiteRequest("Dit formulier kwam niet van de hub zelf; er is niets verwerkt.")
