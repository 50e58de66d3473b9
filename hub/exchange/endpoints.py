"""Routes of the exchange: thin. Each authorizes (through its context dependency), calls one service
function and returns its response model. The request's unit of work (hub.db.SessionDep) commits the
disclosure-log records only once that model has been rendered to bytes. Every POST honours
`Idempotency-Key` (hub.idempotency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from hub.db import SessionDep
from hub.exchange.dependencies import (
    AnswerSubmitContext,
    HandoverAcknowledgeContext,
    HandoverCreateContext,
    InboxListContext,
    InboxReadContext,
    RequestCreateContext,
    RequestListContext,
    RequestReadContext,
)
from hub.exchange.models import DataRequest
from hub.exchange.schemas import (
    AnswerCreate,
    AnswerReceipt,
    HandoverContent,
    HandoverItem,
    HandoverPublic,
    InboxDetail,
    InboxItem,
    ReleasedAnswer,
    RequestCreate,
    RequestPublic,
    SubjectIdentity,
)
from hub.exchange.service import answers, follow, handover
from hub.exchange.service import requests as service
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.ports import category_schema
from hub.idempotency import IdempotentRoute
from hub.openapi import problem_responses
from hub.pagination import Page, PageParamsDep

# Every route may answer 401 (token), 403 (policy), 404 (not visible to you) and 503 (policy or log down).
COMMON = problem_responses(401, 403, 404, 503)

router = APIRouter(prefix="/v1", tags=["exchange"], route_class=IdempotentRoute, responses=COMMON)
POSTED = problem_responses(400, 409, 413, 422)
T = TypeVar("T")


async def in_worker(work: Callable[[], T]) -> T:
    """The work of an exchange call (the service and the shaping of its answer) in one worker thread, from an
    async route. A sync route costs a second hop: FastAPI validates a sync route's returned model again in a
    worker thread of its own (our own output, already validated when it was built); from an async route it
    does that on the event loop, a pass-through for an instance of the response model (issue 15)."""
    return await run_in_threadpool(work)


RequestStatus = Literal["open", "answered", "refused", "withdrawn", "expired", "closed"]


@router.post(
    "/cases/{case_id}/requests",
    status_code=201,
    response_model=RequestPublic,
    responses=POSTED,
    summary="Ask one partner for categories under one activity; the policy decides per category",
)
async def create_request(
    case_id: str, body: RequestCreate, session: SessionDep, ctx: RequestCreateContext
) -> RequestPublic:
    return await in_worker(
        lambda: RequestPublic.from_row(service.create_request(session, ctx, case_id, body), ctx.registry, ctx.now)
    )


@router.get(
    "/cases/{case_id}/requests",
    response_model=Page[RequestPublic],
    responses=problem_responses(422),
    summary="The requests on a case",
)
def list_case_requests(
    case_id: str,
    session: SessionDep,
    ctx: RequestListContext,
    page: PageParamsDep,
    status: Annotated[RequestStatus | None, Query()] = None,
):
    result = service.list_case_requests(session, ctx, case_id, status=status, page=page)
    return Page[RequestPublic](
        items=[RequestPublic.from_row(r, ctx.registry, ctx.now) for r in result.rows], next_cursor=result.next_cursor
    )


@router.get("/requests/{request_id}", response_model=RequestPublic, summary="One request, for its requester")
def read_request(request_id: str, session: SessionDep, ctx: RequestReadContext) -> RequestPublic:
    return RequestPublic.from_row(service.read_request(session, ctx, request_id), ctx.registry, ctx.now)


@router.post(
    "/requests/{request_id}/renew",
    status_code=201,
    response_model=RequestPublic,
    responses=POSTED,
    summary='Ask a withdrawn request again ("opnieuw vragen"): a new request, decided on the case as it is now',
)
def renew_request(request_id: str, session: SessionDep, ctx: RequestCreateContext) -> RequestPublic:
    return RequestPublic.from_row(follow.renew_request(session, ctx, request_id), ctx.registry, ctx.now)


@router.get(
    "/requests/{request_id}/answer",
    response_model=ReleasedAnswer,
    responses=problem_responses(409),
    summary="The released answer, as far as the policy allows it now; every read is logged",
)
async def read_answer(request_id: str, session: SessionDep, ctx: RequestReadContext) -> ReleasedAnswer:
    return await in_worker(
        lambda: ReleasedAnswer.from_row(*answers.read_answer(session, ctx, request_id), ctx.registry)
    )


@router.get(
    "/inbox",
    response_model=Page[InboxItem],
    responses=problem_responses(422),
    summary="Open requests addressed to your organisation (and only those)",
)
def list_inbox(
    session: SessionDep,
    ctx: InboxListContext,
    page: PageParamsDep,
    activity: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z][a-z_]*$")] = None,
    overdue: Annotated[bool | None, Query()] = None,
):
    result = service.list_inbox(session, ctx, activity=activity, overdue=overdue, page=page)
    return Page[InboxItem](
        items=[InboxItem.from_row(r, ctx.registry, ctx.now) for r in result.rows], next_cursor=result.next_cursor
    )


@router.get(
    "/inbox/{request_id}",
    response_model=InboxDetail,
    responses=problem_responses(409),
    summary="One open request with the person's identifying data (the showing is logged)",
)
def read_inbox_item(request_id: str, session: SessionDep, ctx: InboxReadContext) -> InboxDetail:
    return _inbox_detail(*answers.show_request(session, ctx, request_id), ctx=ctx)


def _inbox_detail(
    request: DataRequest, identity: SubjectIdentity, allowed: tuple[str, ...], *, ctx: ExchangeContext
) -> InboxDetail:
    schemas = {c: category_schema(c) for c in allowed}
    return InboxDetail.for_responder(request, identity, allowed, schemas, ctx.registry, ctx.now)


@router.post(
    "/inbox/{request_id}/answer",
    status_code=201,
    response_model=AnswerReceipt,
    responses=POSTED,
    summary="Answer a request: validated, filtered, encrypted; you are told what was withheld",
)
async def submit_answer(
    request_id: str, body: AnswerCreate, session: SessionDep, ctx: AnswerSubmitContext
) -> AnswerReceipt:
    return await in_worker(lambda: AnswerReceipt.from_row(answers.submit_answer(session, ctx, request_id, body.values)))


@router.post(
    "/cases/{case_id}/handover",
    status_code=201,
    response_model=HandoverPublic,
    responses=POSTED,
    summary="Hand the plan and the released categories to the municipality of origin",
)
def create_handover(case_id: str, session: SessionDep, ctx: HandoverCreateContext) -> HandoverPublic:
    return HandoverPublic.from_row(handover.create_handover(session, ctx, case_id), ctx.registry)


@router.get(
    "/handovers",
    response_model=Page[HandoverItem],
    responses=problem_responses(422),
    summary="Handovers addressed to your organisation",
)
def list_handovers(
    session: SessionDep,
    ctx: InboxListContext,
    page: PageParamsDep,
    status: Annotated[Literal["sent", "acknowledged"] | None, Query()] = None,
):
    result = handover.list_handovers(session, ctx, status=status, page=page)
    return Page[HandoverItem](
        items=[HandoverItem.from_row(h, ctx.registry) for h in result.rows], next_cursor=result.next_cursor
    )


@router.get(
    "/handovers/{handover_id}",
    response_model=HandoverContent,
    responses=problem_responses(409, 410),
    summary="A handover's content and the person's identity, until acknowledged (the read is logged)",
)
def read_handover(handover_id: str, session: SessionDep, ctx: InboxReadContext) -> HandoverContent:
    return HandoverContent.for_recipient(*handover.read_handover(session, ctx, handover_id), ctx.registry)


@router.post(
    "/handovers/{handover_id}/acknowledge",
    response_model=HandoverPublic,
    responses=POSTED,
    summary="Confirm receipt of a handover; the case closes",
)
def acknowledge_handover(handover_id: str, session: SessionDep, ctx: HandoverAcknowledgeContext) -> HandoverPublic:
    return HandoverPublic.from_row(handover.acknowledge(session, ctx, handover_id), ctx.registry)
