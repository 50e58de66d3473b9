"""One error model: `HubError` subclasses with a status and a stable code, rendered as RFC 9457 problems.

OAuth endpoints keep the RFC 6749 §5.2 error form; they do not use these classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://dt-hub.example/problems/"


# The members every problem body carries: RFC 9457's own, the stable code and the correlation id of the HTTP
# call (`request_id`, the X-Request-ID). An extension member never takes one of these names: a data request's
# id travels as `data_request_id`.
RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "code", "request_id"})


class HubError(Exception):
    """Base of every error the hub shows a client."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Ongeldig verzoek"
    headers: Mapping[str, str] = MappingProxyType({})  # response headers of the problem (Retry-After, ...)

    def __init__(self, detail: str, **extra: Any) -> None:
        clash = sorted(RESERVED_MEMBERS & extra.keys())
        if clash:  # a bug in the caller: it would hide a standard or correlation member
            raise TypeError(f"problem extension member(s) {clash} would overwrite standard members")
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ValidationFailed(HubError):
    status, code, title = 422, "validation_failed", "Ongeldige invoer"


class Unauthenticated(HubError):
    status, code, title = 401, "unauthenticated", "Niet geauthenticeerd"


class Forbidden(HubError):
    status, code, title = 403, "forbidden", "Geen toegang"


class NotFound(HubError):
    status, code, title = 404, "not_found", "Niet gevonden"


class Conflict(HubError):
    status, code, title = 409, "conflict", "Conflict"


class PayloadTooLarge(HubError):
    status, code, title = 413, "payload_too_large", "Verzoek te groot"


class ServiceUnavailable(HubError):
    status, code, title = 503, "service_unavailable", "Dienst niet beschikbaar"
    headers = MappingProxyType({"Retry-After": "5"})  # every 503 says when to try again (RFC 9110 §10.2.3)


class LoggedRefusal(HubError):
    """A refusal raised after its disclosure-log record was written: the record is part of the answer, so the
    request's unit of work (hub.db.get_session) commits it before the problem is rendered. Subclass it together
    with the problem's own class."""


class ResponseNotRendered(HubError):
    """The request failed after its work was done (building or serialising the response, most often): the
    unit of work rolled back, with its log records; nothing was released or stored."""

    status, code, title = 500, "response_not_rendered", "Antwoord kon niet worden opgebouwd"


def problem(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    # Extension members first: a standard or correlation member is never overwritten (RESERVED_MEMBERS).
    body = {
        **{name: value for name, value in extra.items() if name not in RESERVED_MEMBERS},
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    headers = {**(headers or {}), **({"WWW-Authenticate": 'Bearer realm="dt-hub"'} if status == 401 else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def database_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached or used (connection lost or refused, file unreadable,
    pool exhausted), as opposed to a statement the database rejected (a constraint, a bug): those stay 500."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return type(exc) is sa_exc.DatabaseError  # e.g. SQLite "file is not a database"


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


# The json module's reasons (its C scanner's and its Python fallback's, CPython 3.11 to 3.13) in Dutch, by the
# start of the message: the fallback adds the offending character ("Invalid \\escape: 'q'"), never shown.
JSON_REASONS = (
    ("Expecting value", "hier werd een waarde verwacht"),
    ("Expecting ',' delimiter", "hier werd een komma (,) verwacht"),
    ("Expecting ':' delimiter", "hier werd een dubbele punt (:) verwacht"),
    (
        "Expecting property name enclosed in double quotes",
        "hier werd een naam tussen dubbele aanhalingstekens verwacht",
    ),
    ("Extra data", "na het einde van de JSON staat nog meer tekst"),
    ("Unterminated string starting at", "een tekst die hier begint, wordt niet afgesloten met een aanhalingsteken"),
    ("Invalid control character", "een tekst bevat hier een stuurteken dat als escape geschreven moet worden"),
    ("Invalid \\uXXXX escape", "een \\u-escape in een tekst heeft hier geen vier hexadecimale cijfers"),
    ("Invalid \\escape", "een tekst bevat hier een ongeldige escape (\\)"),
    ("Illegal trailing comma before end of object", "een komma voor het einde van een object is niet toegestaan"),
    ("Illegal trailing comma before end of array", "een komma voor het einde van een lijst is niet toegestaan"),
)


def json_reason(message: str) -> str:
    """The Dutch reason of a json.JSONDecodeError's `msg`; a message not known here gets a general one (the
    English text is never shown)."""
    return next((dutch for english, dutch in JSON_REASONS if message.startswith(english)), "de JSON is hier ongeldig")


def _malformed_json(request: Request, error: dict[str, Any], document: Any) -> JSONResponse:
    """A body that is not JSON: what the parser found and where (line and column), not the character offset
    that FastAPI puts in the error's location, which read as a field name ("De invoer is ongeldig in: 30")."""
    position = error["loc"][-1] if error["loc"] and isinstance(error["loc"][-1], int) else 0
    text = document if isinstance(document, str) else ""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = json_reason(str((error.get("ctx") or {}).get("error", "")))  # the parser's reason; never the text
    log.info("request.invalid", fields="body", error_type="json_invalid")
    return problem(
        request,
        422,
        "validation_failed",
        "Ongeldige invoer",
        f"De body is geen geldige JSON: {reason} (regel {line}, kolom {column}).",
        errors=[
            {"field": "body", "message": reason, "type": "json_invalid", "line": line, "column": column},
        ],
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def _hub_error(request: Request, exc: HubError) -> JSONResponse:
        log.info("request.refused", code=exc.code, status=exc.status)
        return problem(request, exc.status, exc.code, exc.title, exc.detail, headers=dict(exc.headers), **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        malformed = next((e for e in exc.errors() if e["type"] == "json_invalid"), None)
        if malformed is not None:
            return _malformed_json(request, malformed, exc.body)
        # Only locations and messages: never echo the submitted values (they may hold a BSN).
        errors = [{"field": _field_name(tuple(e["loc"])), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        fields = ", ".join(e["field"] for e in errors)
        log.info("request.invalid", fields=fields)
        return problem(
            request, 422, "validation_failed", "Ongeldige invoer", f"De invoer is ongeldig in: {fields}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        code = codes.get(exc.status_code, "http_error")
        return problem(request, exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(sa_exc.DBAPIError)
    @app.exception_handler(sa_exc.TimeoutError)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        # Only the error's type: its message may quote SQL parameters (a BSN, a value).
        if not database_unavailable(exc):
            return await _unexpected(request, exc)
        log.error("database.unavailable", error_type=type(exc).__name__)
        return problem(
            request,
            503,
            "database_unavailable",
            "Database niet beschikbaar",
            "De database van de hub is niet bereikbaar; er is niets vrijgegeven of opgeslagen. "
            "Probeer het later opnieuw.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("request.failed", error_type=type(exc).__name__)
        return problem(
            request, 500, "internal_error", "Interne fout", "Er ging iets mis in de hub; er is niets vrijgegeven."
        )
