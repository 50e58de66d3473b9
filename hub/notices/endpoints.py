"""Routes of DJI's risk notices (issue 16). Thin: authorize, one service call, shape the answer.

DJI sends a notice with `POST /v1/notifications/risk-notice` (operation `notification.create`). The coordinator
lists the notices on a case and reads one's text (`case.read`); a municipality's security domain lists the
notices delivered to it and reads one's text (`inbox.list`, `inbox.read`). Every read of a text is decided by
the policy (dt.notice_read) and logged before the response is rendered; the unit of work (hub.db.SessionDep)
commits both only once it has been.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Response, status

from hub.auth.dependencies import RegistryDep
from hub.cases.dependencies import CaseContextDep, CaseId, PolicyPointDep
from hub.cases.endpoints import NO_STORE
from hub.db import SessionDep
from hub.idempotency import REPLAYED_HEADER, IdempotentRoute
from hub.notices import service
from hub.notices.dependencies import CaseReaderDep, DjiDep, InboxListerDep, InboxReaderDep, NoticeId
from hub.notices.schemas import CaseNoticesPublic, RiskNoticeCreate, RiskNoticePublic, RiskNoticeResult, RiskNoticeText
from hub.openapi import problem_responses
from hub.pagination import Page, PageParamsDep

notify_router = APIRouter(prefix="/v1/notifications", tags=["notifications"], route_class=IdempotentRoute)
cases_router = APIRouter(prefix="/v1/cases", tags=["risk notices"], route_class=IdempotentRoute)
inbox_router = APIRouter(prefix="/v1/risk-notices", tags=["risk notices"], route_class=IdempotentRoute)

_READ_ERRORS = problem_responses(401, 403, 404, 422, 503)
_TEXT_ERRORS = problem_responses(401, 403, 404, 410, 422, 503)


@notify_router.post(
    "/risk-notice",
    status_code=status.HTTP_201_CREATED,
    response_model=RiskNoticeResult,
    summary="DJI: a risk notice (Pbw art. 18b or BIJ) for the mayor of a municipality",
    responses={
        200: {"description": "A repeat of an earlier notice: the first answer, nothing new stored"},
        **problem_responses(401, 403, 409, 413, 422, 503),
    },
)
def risk_notice(
    data: RiskNoticeCreate,
    caller: DjiDep,
    session: SessionDep,
    ctx: CaseContextDep,
    registry: RegistryDep,
    response: Response,
) -> RiskNoticeResult:
    received = service.receive(session, ctx, registry, caller, data)
    if not received.created:
        response.status_code = status.HTTP_200_OK
        response.headers[REPLAYED_HEADER] = "true"
    return received.result


@cases_router.get(
    "/{case_id}/risk-notices",
    response_model=CaseNoticesPublic,
    summary="The risk notices on a case (without their text)",
    responses=_READ_ERRORS,
)
def case_notices(case_id: CaseId, caller: CaseReaderDep, session: SessionDep) -> CaseNoticesPublic:
    found = service.notices_of_case(session, caller, str(case_id))
    return CaseNoticesPublic(
        risk_signalled_by_dji=found.risk_signalled_by_dji,
        notices=[RiskNoticePublic.from_row(n) for n in found.notices],
    )


@cases_router.get(
    "/{case_id}/risk-notices/{notice_id}",
    response_model=RiskNoticeText,
    summary="A risk notice's text, for the mandated ZVH (a logged disclosure)",
    responses=_TEXT_ERRORS,
)
def case_notice_text(
    case_id: CaseId,
    notice_id: NoticeId,
    caller: CaseReaderDep,
    session: SessionDep,
    ctx: CaseContextDep,
    pdp: PolicyPointDep,
    response: Response,
) -> RiskNoticeText:
    found = service.read_on_case(session, ctx, pdp, caller, str(case_id), str(notice_id))
    response.headers.update(NO_STORE)
    return _text(found)


@inbox_router.get(
    "",
    response_model=Page[RiskNoticePublic],
    summary="The risk notices delivered to the caller's security domain (without their text)",
    responses=problem_responses(401, 403, 422, 503),
)
def inbox(caller: InboxListerDep, session: SessionDep, params: PageParamsDep) -> Page[RiskNoticePublic]:
    page = service.security_inbox(session, caller, params)
    return Page[RiskNoticePublic](items=[RiskNoticePublic.from_row(n) for n in page.rows], next_cursor=page.next_cursor)


@inbox_router.get(
    "/{notice_id}",
    response_model=RiskNoticeText,
    summary="A risk notice's text, for the municipality's security domain (a logged disclosure)",
    responses=_TEXT_ERRORS,
)
def inbox_notice_text(
    notice_id: NoticeId,
    caller: InboxReaderDep,
    session: SessionDep,
    ctx: CaseContextDep,
    pdp: PolicyPointDep,
    response: Response,
) -> RiskNoticeText:
    found = service.read_in_inbox(session, ctx, pdp, caller, str(notice_id))
    response.headers.update(NO_STORE)
    return _text(found)


def _text(found: service.NoticeText) -> RiskNoticeText:
    public = RiskNoticePublic.from_row(found.notice)
    return RiskNoticeText(**public.model_dump(), text=found.text, decision_id=found.decision.decision_id)


def install(app: FastAPI) -> None:
    app.include_router(notify_router)
    app.include_router(cases_router)
    app.include_router(inbox_router)
