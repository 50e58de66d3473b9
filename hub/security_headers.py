"""Security headers on every response the hub sends, as one pure ASGI middleware.

- `Cache-Control: no-store` on everything under /v1 and on the OAuth endpoints: those answers carry personal
  data or tokens, and no browser or proxy may keep them (issue 12, item 1); and on every HTML page that does
  not set its own Cache-Control (the screens show personal data as well);
- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` on every response;
- `Strict-Transport-Security` when the hub is served over https (its issuer is an https URL);
- a Content-Security-Policy with `frame-ancestors 'none'` on every response: `HTML_CSP` on HTML pages (the
  screens in hub/web and /docs), `API_CSP` on everything else.

hub.main wraps the whole application in it, outside Starlette's own error middleware, so a 500 problem
carries the headers as well. A route that sets its own Content-Security-Policy
keeps it; the other headers are the hub's and are always set.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The strict policy of SCREENS.md §6 (the shared design notes) for every HTML page: nothing from elsewhere,
# no inline script or style. `connect-src 'self'` is added to it: htmx (the screens) and Swagger UI (/docs)
# fetch from the hub itself, which `default-src 'none'` would block.
HTML_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Anything that is not HTML (JSON, problems, CSV, exports) loads nothing and is never framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
NO_STORE_PREFIXES = ("/v1/", "/oauth/")
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        no_store = path == "/v1" or path.startswith(NO_STORE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").lower().startswith("text/html")
                if no_store:
                    headers["Cache-Control"] = "no-store"
                elif html and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"  # a screen may show personal data too
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if self.https:
                    headers["Strict-Transport-Security"] = HSTS
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = HTML_CSP if html else API_CSP
            await send(message)

        await self.app(scope, receive, send_with_headers)
