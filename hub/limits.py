"""A limit on request bodies (settings.max_body_bytes): a larger body gets a 413 problem, unread.

A declared Content-Length above the limit is refused before the app runs, so no route, dependency or
service sees the request. A body without a declared length is counted while it streams in; once it passes
the limit, receive() raises a 413 HTTPException, which FastAPI re-raises from body parsing and the hub's
error handler renders as the `payload_too_large` problem; the route never sees a truncated body.

(Starlette's own RequestBodyLimitMiddleware only checks the declared length when the body is read or the
response starts, so a route that never reads its body would run first; hence this middleware.)
"""

from __future__ import annotations

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.errors import PayloadTooLarge, problem

log = structlog.get_logger(__name__)


class BodyTooLarge(HTTPException):
    """Raised from receive() when a streamed body passes the limit; rendered as a 413 problem."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_detail(limit))


def _detail(limit: int) -> str:
    return f"Het verzoek is groter dan {limit} bytes."


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._refuse(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.info("request.too_large", limit=self.max_body_bytes)
        error = PayloadTooLarge(_detail(self.max_body_bytes), limit=self.max_body_bytes)
        response = problem(Request(scope, receive), error.status, error.code, error.title, error.detail, **error.extra)
        await response(scope, receive, send)
