"""Routes of the municipality of origin (issue 16): the coordinator determines it, the determined municipality's
social domain lists and contests its determinations. Thin by rule: the rules are in hub.origin.service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Response, status

from hub.auth.dependencies import RegistryDep
from hub.cases.dependencies import CaseContextDep, PolicyPointDep
from hub.cases.endpoints import NO_STORE
from hub.db import SessionDep
from hub.idempotency import IdempotentRoute
from hub.openapi import problem_responses
from hub.origin import service as origin
from hub.origin.dependencies import ContesterDep, DeterminerDep, OriginRegisterDep
from hub.origin.schemas import OriginContest, OriginDeterminationPublic, OriginDetermine, OriginEventPublic

cases_origin_router = APIRouter(prefix="/v1/cases", tags=["cases"], route_class=IdempotentRoute)
determinations_router = APIRouter(prefix="/v1/origin-determinations", tags=["origin"], route_class=IdempotentRoute)

CaseId = Annotated[uuid.UUID, Path(description="The case id (a UUID).")]
DeterminationId = Annotated[uuid.UUID, Path(description="The determination (its timeline event's id).")]

_ERRORS = problem_responses(401, 403, 404, 409, 413, 422, 503)


@cases_origin_router.post(
    "/{case_id}/origin",
    status_code=status.HTTP_201_CREATED,
    response_model=OriginEventPublic,
    summary="Coordinator: determine the municipality of origin (when unknown or disputed), with a reason",
    responses=_ERRORS,
)
def determine(
    case_id: CaseId,
    data: OriginDetermine,
    caller: DeterminerDep,
    session: SessionDep,
    ctx: CaseContextDep,
    registry: RegistryDep,
    register: OriginRegisterDep,
) -> OriginEventPublic:
    case, entry = origin.determine(session, ctx, caller, registry, register, str(case_id), data)
    return OriginEventPublic.from_row(case, entry)


@determinations_router.get(
    "",
    response_model=list[OriginDeterminationPublic],
    summary="Social domain: the current determinations naming my municipality (prison and date as the policy "
    "allows; each shown one is logged)",
    responses=problem_responses(401, 403, 503),
)
def list_determinations(
    caller: ContesterDep,
    session: SessionDep,
    ctx: CaseContextDep,
    pdp: PolicyPointDep,
    register: OriginRegisterDep,
    response: Response,
) -> list[OriginDeterminationPublic]:
    found = origin.show_determinations(session, ctx, pdp, caller)
    response.headers.update(NO_STORE)  # a logged disclosure
    return [OriginDeterminationPublic.from_row(shown, register) for shown in found]


@determinations_router.post(
    "/{determination_id}/contest",
    status_code=status.HTTP_201_CREATED,
    response_model=OriginEventPublic,
    summary="Social domain: contest that my municipality is the municipality of origin, with a reason",
    responses=_ERRORS,
)
def contest(
    determination_id: DeterminationId,
    data: OriginContest,
    caller: ContesterDep,
    session: SessionDep,
    ctx: CaseContextDep,
    registry: RegistryDep,
    register: OriginRegisterDep,
) -> OriginEventPublic:
    case, entry = origin.contest(session, ctx, caller, registry, register, str(determination_id), data)
    return OriginEventPublic.from_row(case, entry)


def install(app: FastAPI) -> None:
    app.include_router(cases_origin_router)  # issue 16: the municipality of origin
    app.include_router(determinations_router)
