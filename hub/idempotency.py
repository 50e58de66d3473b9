"""`Idempotency-Key` on every POST under /v1 (draft-ietf-httpapi-idempotency-key-header).

One line per router: `router = APIRouter(prefix="/v1/...", route_class=IdempotentRoute)`. Every POST
route of that router then honours the header:

- no header: the request runs as usual (nothing is stored);
- a new key: a reservation row (client_id, key) is added to the request's session (its unit of work,
  hub.db); after the route returns a 2xx response the stored response (status and body) is added to it, so
  the service's work, the reservation and the stored response commit in ONE transaction. A crash
  (SIGKILL) at any point therefore leaves either all of them or none: never an effect whose key is stuck
  "in use" without a response to replay;
- the same key with the same request (method, path, body, acting person): the stored response is replayed, with the
  header `Idempotent-Replayed: true`, and the service is not called again;
- the same key with a different request: 422 problem `idempotency_key_reused`;
- the same key while the first request is still running: 409 problem `idempotency_key_in_use`.

Keys are per client (an OAuth client_id): one partner cannot replay another's response; and the digest covers
the acting person, so one employee's key never replays another employee's response (422 reused instead). The
guard depends on the route's own authorize(operation) dependency: nothing is reserved or replayed for a call
the policy or the token's scope refuses. A failed request
(an exception or a non-2xx response) leaves no reservation, so it can be retried with the same key. The
request digest is a keyed HMAC, because a body may hold a BSN. Records expire after `RECORD_TTL`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Field, Session, SQLModel, col, delete

from hub.auth.routing import AuthorizedRoute, route_authorization
from hub.db import SessionDep, insert_unless_exists
from hub.errors import HubError, LoggedRefusal
from hub.timestamps import UtcTimestamp, utcnow

log = structlog.get_logger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RECORD_TTL = timedelta(hours=24)
_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as in the draft's sf-string


class IdempotencyRecord(SQLModel, table=True):
    """One client's idempotency key and the response the hub gave to its first use."""

    __tablename__ = "idempotency_key"

    client_id: str = Field(primary_key=True, max_length=100)
    key: str = Field(primary_key=True, max_length=255)
    request_digest: str = Field(max_length=64)
    status_code: int | None = None  # None while the first request is still running
    media_type: str | None = Field(default=None, max_length=100)
    response_body: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcTimestamp(), index=True)


class InvalidIdempotencyKey(HubError):
    status, code, title = 400, "idempotency_key_invalid", "Ongeldige Idempotency-Key"


class IdempotencyKeyReused(HubError):
    status, code, title = 422, "idempotency_key_reused", "Idempotency-Key hergebruikt"


class IdempotencyKeyInUse(HubError):
    status, code, title = 409, "idempotency_key_in_use", "Idempotency-Key in behandeling"


class StoredResponse(Exception):  # noqa: N818 - control flow, never shown as a problem
    """Raised by `reserve` when the key already holds a completed response: the caller answers with that
    response again (IdempotentRoute replays it; the screens' forms treat a spent form key as a conflict)."""

    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


@dataclass(slots=True)
class Reservation:
    session: Session
    record: IdempotencyRecord


# -- the rules, testable without HTTP -------------------------------------------------------------------


def request_digest(secret: bytes, method: str, path: str, body: bytes, actor: str) -> str:
    """Keyed digest of the request and its acting person: a reused key is recognised without storing the
    body, and one employee's key never replays the response another employee got."""
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for part in (method.upper().encode(), path.encode(), body, actor.encode()):
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest()


def reserve(session: Session, client_id: str, key: str, digest: str, now: datetime | None = None) -> IdempotencyRecord:
    """Reserve `key` for this request, or raise: StoredResponse (the key holds a completed response), reused,
    or in use."""
    if not _KEY_SHAPE.fullmatch(key):
        raise InvalidIdempotencyKey("De Idempotency-Key moet 1 tot 255 zichtbare ASCII-tekens bevatten.", field=HEADER)
    now = now or utcnow()
    record = IdempotencyRecord(client_id=client_id, key=key, request_digest=digest, created_at=now)
    # One statement in the common case (a new key): INSERT ... ON CONFLICT DO NOTHING. On PostgreSQL it waits
    # for a concurrent request with the same key to end, as the unique index did under the former SAVEPOINT.
    if _insert_new(session, record):
        return record
    existing = session.get(IdempotencyRecord, (client_id, key), populate_existing=True)
    if existing is not None and existing.created_at < now - RECORD_TTL:
        session.delete(existing)
        session.flush()
        if _insert_new(session, record):
            return record
        existing = session.get(IdempotencyRecord, (client_id, key), populate_existing=True)
    if existing is None:  # deleted by a concurrent request in between: that request is still deciding
        raise IdempotencyKeyInUse("Een verzoek met deze Idempotency-Key is nog in behandeling.", field=HEADER)
    if not hmac.compare_digest(existing.request_digest, digest):
        raise IdempotencyKeyReused("Deze Idempotency-Key is al gebruikt voor een ander verzoek.", field=HEADER)
    if existing.status_code is None:
        raise IdempotencyKeyInUse("Een verzoek met deze Idempotency-Key is nog in behandeling.", field=HEADER)
    raise StoredResponse(existing)


def _insert_new(session: Session, record: IdempotencyRecord) -> bool:
    """Insert the reservation unless the key exists; True when this request inserted it. The record stays
    outside the session: complete() and forget() address its row by key."""
    values = {
        "client_id": record.client_id,
        "key": record.key,
        "request_digest": record.request_digest,
        "created_at": record.created_at,
    }
    return insert_unless_exists(session, IdempotencyRecord, values, ["client_id", "key"])


def _by_key(record: IdempotencyRecord) -> Any:
    return sa.and_(col(IdempotencyRecord.client_id) == record.client_id, col(IdempotencyRecord.key) == record.key)


def complete(
    session: Session, record: IdempotencyRecord, status_code: int, media_type: str | None, body: bytes
) -> None:
    """Store the response of the first use, so repeats replay it. The request's unit of work (hub.db) commits
    it together with the service's work, or neither."""
    record.status_code = status_code
    record.media_type = media_type
    record.response_body = body.decode("utf-8")
    values = {"status_code": status_code, "media_type": media_type, "response_body": record.response_body}
    session.connection().execute(sa.update(IdempotencyRecord).where(_by_key(record)).values(**values))


def forget(session: Session, record: IdempotencyRecord) -> None:
    """A response that is not stored (non-2xx, streamed, a logged refusal): the key is not kept, whatever of
    the request's work commits."""
    session.connection().execute(sa.delete(IdempotencyRecord).where(_by_key(record)))


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete records older than RECORD_TTL. Never commits."""
    cutoff = (now or utcnow()) - RECORD_TTL
    statement = delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < cutoff)
    return session.connection().execute(statement).rowcount or 0


# -- FastAPI glue ---------------------------------------------------------------------------------------


def _secret(request: Request) -> bytes:
    key = request.app.state.settings.pseudonym_key
    if key is None:  # check_safe() refuses to start without it outside development
        raise RuntimeError("HUB_PSEUDONYM_KEY is not set")
    return hmac.new(key.get_secret_value().encode(), b"dt-hub idempotency v1", hashlib.sha256).digest()


def _guard_dependency(authorization: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, None]]:
    # `authorization` is the route's own authorize(operation) dependency: the guard depends on it, so the
    # operation is authorized (policy and scope) before any key is reserved or any response replayed, and
    # FastAPI's per-request dependency cache runs it only once for the route.
    async def idempotency_guard(
        request: Request,
        session: SessionDep,
        caller=Depends(authorization),  # noqa: B008 - a default: `authorization` is local to this scope
        key: str | None = Header(
            default=None,
            alias=HEADER,
            description=(  # noqa: B008
                "Optional; 1-255 visible ASCII characters, unique per request. A repeat with the same key and "
                "body replays the first response (header Idempotent-Replayed: true); another body is a 422."
            ),
        ),
    ) -> None:
        if key is None:
            return
        digest = request_digest(_secret(request), request.method, request.url.path, await request.body(), caller.actor)
        record = await run_in_threadpool(reserve, session, caller.partner.client_id, key, digest)
        request.state.idempotency = Reservation(session, record)

    return idempotency_guard


class IdempotentRoute(AuthorizedRoute):
    """Route class that gives every POST route the `Idempotency-Key` behaviour described above (and, as an
    AuthorizedRoute, authorizes every route before its input is validated)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in {m.upper() for m in kwargs.get("methods") or ()}:
            from hub.auth.dependencies import current_caller

            # A POST without an authorize(operation) is at least authenticated: keys are kept per client.
            authorization = route_authorization(path, endpoint, kwargs.get("dependencies") or []) or current_caller
            kwargs["dependencies"] = [Depends(_guard_dependency(authorization)), *(kwargs.get("dependencies") or [])]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def idempotent_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except StoredResponse as replay:
                log.info("idempotency.replayed", path=request.url.path)
                return _replayed(replay.record)
            except LoggedRefusal:
                # The refusal's disclosure-log record is part of the answer: the unit of work commits it (hub.db);
                # the key is not kept, so a retry is decided (and logged) anew.
                await _forget_if_reserved(request)
                raise
            # Any other failure: the unit of work rolls back the reservation with the work, so the client may
            # retry with the same key.
            reservation: Reservation | None = getattr(request.state, "idempotency", None)
            if reservation is not None:
                body = getattr(response, "body", None)  # a streamed response has none: not stored
                if 200 <= response.status_code < 300 and isinstance(body, bytes | memoryview):
                    await run_in_threadpool(
                        complete,
                        reservation.session,
                        reservation.record,
                        response.status_code,
                        response.media_type,
                        bytes(body),
                    )
                else:
                    await run_in_threadpool(forget, reservation.session, reservation.record)
            return response

        return idempotent_handler


async def _forget_if_reserved(request: Request) -> None:
    reservation: Reservation | None = getattr(request.state, "idempotency", None)
    if reservation is not None:
        await run_in_threadpool(forget, reservation.session, reservation.record)


def _replayed(record: IdempotencyRecord) -> Response:
    return Response(
        content=record.response_body or "",
        status_code=record.status_code or 200,
        media_type=record.media_type,
        headers={REPLAYED_HEADER: "true"},
    )
