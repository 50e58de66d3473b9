"""structlog as JSON lines, with the request id bound through contextvars.

Log events are dotted names (`case.opened`). Nothing secret is ever passed in: a final processor also
scrubs values that look like a bearer token, a JWT or a BSN, and values under secret-sounding keys, at every
depth of nested dicts, lists and tuples, as a second line of defence.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.crypto.pseudonym import is_valid_bsn

_SENSITIVE_KEYS = {
    "authorization",
    "client_assertion",
    "token",
    "access_token",
    "bsn",
    "password",
    "secret",
    "private_key",
    "answer",
    "values",
}
_MAX_DEPTH = 12  # deeper structures are not logged at all: nothing the hub logs nests that far
# Linear-time building blocks (one pass, no backtracking): runs of token characters, and runs of digits.
_TOKEN_RUN = re.compile(r"[\w.-]+")
_DIGIT_RUN = re.compile(r"[0-9]+")
_HEX_LETTERS = frozenset("abcdefABCDEF")


def contains_jwt(text: str) -> bool:
    """True when `text` holds something shaped like a JWT (`eyJ<x>.<y>.<z>`) anywhere. Linear in len(text)."""
    return "eyJ" in text and any(_run_holds_jwt(run.group()) for run in _TOKEN_RUN.finditer(text))


def _run_holds_jwt(run: str) -> bool:
    parts = run.split(".")
    for first, second in zip(parts, parts[1:-1], strict=False):  # a third segment must follow `second`
        start = first.find("eyJ")
        if start != -1 and start + 3 < len(first) and second:
            return True
    return False


def _redact_jwts(text: str) -> str:
    if "eyJ" not in text:
        return text
    return _TOKEN_RUN.sub(lambda m: "[JWT]" if _run_holds_jwt(m.group()) else m.group(), text)


def _redact_bsns(text: str) -> str:
    """Replace what may be a BSN: a lone run of nine digits (always), and any nine consecutive digits that pass
    the eleven-test wherever they stand (next to letters, inside a longer run of digits).

    The trade-off: a hex hash or a long number sometimes holds nine digits that pass the eleven-test (about one
    in eleven of its nine-digit windows) and is then partly redacted. A damaged hash in an application log
    costs little; a BSN that slips through does not.
    """
    return _DIGIT_RUN.sub(lambda m: _redact_digit_run(text, m), text)


def _redact_digit_run(text: str, match: re.Match[str]) -> str:
    run = match.group()
    if len(run) < 9:
        return run
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if len(run) == 9 and before not in _HEX_LETTERS and after not in _HEX_LETTERS:
        return "[BSN]"
    hits = [i for i in range(len(run) - 8) if is_valid_bsn(run[i : i + 9])]
    if not hits:
        return run
    out, pos = [], 0
    for i in hits:
        if i >= pos:  # a hit after the previous one
            out.append(run[pos:i] + "[BSN]")
        pos = max(pos, i + 9)  # a hit that overlaps the previous one extends its redaction
    return "".join(out) + run[pos:]


def _scrub_value(value: Any, depth: int = 0) -> Any:
    """Redact JWTs and BSNs in strings, and secrets by key, at every depth of dicts, lists, tuples and sets."""
    if isinstance(value, str):
        return _redact_bsns(_redact_jwts(value))
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return "[BSN]" if is_valid_bsn(str(value)) else value
    if depth >= _MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, dict):
        return {
            _scrub_key(k): ("[redacted]" if _is_sensitive(k) else _scrub_value(v, depth + 1)) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [_scrub_value(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    return _scrub_value(str(value), depth)  # anything else is rendered as text: scrub that text


def _is_sensitive(key: Any) -> bool:
    return isinstance(key, str) and key.lower() in _SENSITIVE_KEYS


def _scrub_key(key: Any) -> Any:
    return _scrub_value(key) if isinstance(key, str) else key


_PASS_THROUGH = {"exc_info", "stack_info"}  # structlog's own: the renderer formats them


def scrub(_, __, event_dict):
    """Redact secrets by key and by shape, at every depth, before anything is written."""
    return {
        _scrub_key(key): (
            value if key in _PASS_THROUGH else "[redacted]" if _is_sensitive(key) else _scrub_value(value)
        )
        for key, value in event_dict.items()
    }


def exception_type_only(_, __, event_dict):
    """Replace a standard-library record's exception by its type. uvicorn logs an error the app has already
    answered ("Exception in ASGI application": Starlette re-raises it after sending the 500 problem) with its
    traceback, and an exception's message can quote the values it refused (a pydantic error quotes its
    input, which may be a BSN or answer content). The app itself logs `request.failed` with the type only."""
    exc_info = event_dict.pop("exc_info", None)
    event_dict.pop("stack_info", None)
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        error = exc_info[1] if isinstance(exc_info, tuple) else exc_info
        if isinstance(error, BaseException):
            event_dict["error_type"] = type(error).__name__
    return event_dict


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the time of writing, not at the time of configuring: a stream
    replaced since (a test's captured output, a daemon's redirect) and closed must not break logging."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            timestamper,
            scrub,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        # _CurrentStderr is the part of TextIO that PrintLogger uses (write, flush), not a whole TextIO
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    # Records of the standard library's loggers (uvicorn, SQLAlchemy, httpx, ...) go through the same scrubbing
    # and rendering, as JSON lines on stderr, and never with a traceback.
    handler = logging.StreamHandler(_CurrentStderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.processors.add_log_level,
                timestamper,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                exception_type_only,
                scrub,
                renderer,
            ],
        )
    )
    handler.name = "hub"
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.name != "hub"] + [handler]  # others' handlers (pytest's) stay
    root.setLevel(level)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Give every request an id (taken from X-Request-ID when well-formed) and bind it for logging."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)
        # Not in a `finally`: when the app raises, the server's own log line of that failure (uvicorn's
        # "Exception in ASGI application") still carries the request id. Each request starts by clearing.
        structlog.contextvars.clear_contextvars()
