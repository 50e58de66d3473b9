"""Routes of the cases capability: DJI's notifications and the coordinator's cases. Thin by rule.

Coordinator steps go through ONE route, `POST /v1/cases/{id}/events`, with a body discriminated on `type`:
every step is one row of one transition table applied by one function, so one route mirrors it; the
OpenAPI document shows each event type as an example. Handover steps are not here: they disclose data and
belong to the exchange's handover routes, which apply the same table. Routes return their response models;
the request's unit of work (hub.db.SessionDep) commits what a route wrote to the disclosure log
(notifications, identity, information sheet) only once that model has been rendered to bytes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, Query, Response, status

from hub.cases import notifications, service
from hub.cases.dependencies import (
    CaseContextDep,
    CaseId,
    CaseListerDep,
    CaseReaderDep,
    CaseStepperDep,
    DjiDep,
    PolicyPointDep,
)
from hub.cases.models import CaseState
from hub.cases.notifications import Outcome
from hub.cases.schemas import (
    EVENT_EXAMPLES,
    CasePublic,
    CoordinatorEvent,
    DetentionEndedCreate,
    DetentionStartedCreate,
    IdentityPublic,
    InformationSheet,
    NotificationResult,
    TimelineEventPublic,
)
from hub.db import SessionDep
from hub.idempotency import REPLAYED_HEADER, IdempotentRoute
from hub.openapi import problem_responses
from hub.pagination import Page, PageParamsDep

notifications_router = APIRouter(prefix="/v1/notifications", tags=["notifications"], route_class=IdempotentRoute)
cases_router = APIRouter(prefix="/v1/cases", tags=["cases"], route_class=IdempotentRoute)

_NOTIFY_ERRORS = problem_responses(401, 403, 409, 413, 422, 503)
_READ_ERRORS = problem_responses(401, 403, 404, 422, 503)
_CONTENT_ERRORS = problem_responses(401, 403, 404, 409, 410, 422, 503)
NO_STORE = {"Cache-Control": "no-store"}


@notifications_router.post(
    "/detention-started",
    status_code=status.HTTP_201_CREATED,
    response_model=NotificationResult,
    summary="DJI: a detention started (opens a case)",
    responses={
        200: {
            "description": "A repeat of an earlier notification: the first answer, nothing new stored",
            "model": NotificationResult,
        },
        **_NOTIFY_ERRORS,
    },
)
def detention_started(
    data: DetentionStartedCreate, caller: DjiDep, session: SessionDep, ctx: CaseContextDep, response: Response
) -> NotificationResult:
    return _notified(notifications.detention_started(session, ctx, caller, data), response)


@notifications_router.post(
    "/detention-ended", response_model=NotificationResult, summary="DJI: a detention ended", responses=_NOTIFY_ERRORS
)
def detention_ended(
    data: DetentionEndedCreate, caller: DjiDep, session: SessionDep, ctx: CaseContextDep, response: Response
) -> NotificationResult:
    return _notified(notifications.detention_ended(session, ctx, caller, data), response)


def _notified(outcome: Outcome, response: Response) -> NotificationResult:
    """The notification's result: the route's status the first time, 200 with the first answer for a repeat."""
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
        response.headers[REPLAYED_HEADER] = "true"
    return outcome.result


@cases_router.get(
    "",
    response_model=Page[CasePublic],
    summary="The cases of the coordinator's region",
    responses=problem_responses(401, 403, 422, 503),
)
def list_cases(
    caller: CaseListerDep,
    session: SessionDep,
    params: PageParamsDep,
    state: Annotated[CaseState | None, Query(description="Only cases in this state.")] = None,
    municipality: Annotated[
        str | None, Query(max_length=6, pattern=r"^GM\d{4}$", description="CBS code of origin.")
    ] = None,
) -> Page[CasePublic]:
    page = service.list_cases(session, caller, params, state=state, municipality=municipality)
    return Page[CasePublic](items=[CasePublic.from_row(c) for c in page.rows], next_cursor=page.next_cursor)


@cases_router.get(
    "/{case_id}", response_model=CasePublic, summary="One case (without identifying data)", responses=_READ_ERRORS
)
def get_case(case_id: CaseId, caller: CaseReaderDep, session: SessionDep) -> CasePublic:
    case, related, allowed = service.case_detail(session, caller, str(case_id))
    return CasePublic.from_row(case, related, allowed)


@cases_router.get(
    "/{case_id}/timeline",
    response_model=Page[TimelineEventPublic],
    summary="The case's timeline, newest first",
    responses=_READ_ERRORS,
)
def timeline(
    case_id: CaseId, caller: CaseReaderDep, session: SessionDep, params: PageParamsDep
) -> Page[TimelineEventPublic]:
    page = service.case_timeline(session, caller, str(case_id), params)
    return Page[TimelineEventPublic](
        items=[TimelineEventPublic.from_row(e) for e in page.rows], next_cursor=page.next_cursor
    )


@cases_router.get(
    "/{case_id}/identity",
    response_model=IdentityPublic,
    summary="The person's identifying data (a logged disclosure)",
    responses=_CONTENT_ERRORS,
)
def identity(
    case_id: CaseId,
    caller: CaseReaderDep,
    session: SessionDep,
    ctx: CaseContextDep,
    pdp: PolicyPointDep,
    response: Response,
) -> IdentityPublic:
    found = service.show_identity(session, ctx, pdp, caller, str(case_id))
    response.headers.update(NO_STORE)
    return IdentityPublic(bsn=found.bsn, name=found.name, birth_date=found.birth_date)


@cases_router.get(
    "/{case_id}/information-sheet",
    response_model=InformationSheet,
    summary="DJI's information sheet (a logged disclosure)",
    responses=_CONTENT_ERRORS,
)
def information_sheet(
    case_id: CaseId,
    caller: CaseReaderDep,
    session: SessionDep,
    ctx: CaseContextDep,
    pdp: PolicyPointDep,
    response: Response,
) -> InformationSheet:
    sheet = service.show_information_sheet(session, ctx, pdp, caller, str(case_id))
    response.headers.update(NO_STORE)
    return InformationSheet.model_validate({"conditions": sheet["conditions"]})  # not what was withheld


@cases_router.post(
    "/{case_id}/events",
    status_code=status.HTTP_201_CREATED,
    response_model=TimelineEventPublic,
    summary="A coordinator's step: visit, weighing, plan, outreach, close",
    responses=problem_responses(401, 403, 404, 409, 410, 413, 422, 503),
)
def add_event(
    case_id: CaseId,
    caller: CaseStepperDep,
    session: SessionDep,
    ctx: CaseContextDep,
    event: Annotated[CoordinatorEvent, Body(openapi_examples=EVENT_EXAMPLES)],
) -> TimelineEventPublic:
    _, entry = service.record_event(session, ctx, caller, str(case_id), event)
    return TimelineEventPublic.from_row(entry)


def install(app: FastAPI) -> None:
    app.include_router(notifications_router)
    app.include_router(cases_router)
