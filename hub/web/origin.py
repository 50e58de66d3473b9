"""Screens of the municipality of origin (issue 16): the coordinator's determination form, and the social
domain's list of determinations naming its municipality with a contest form. Authorized by the API twins'
operations (`origin.determine`, `origin.contest`) before any form is parsed; the same service functions
(hub.origin.service) in the request's unit of work. No identity is shown; the prison and detention date of a
determination only as the policy allows them, each shown one logged (hub.origin.service.show_determinations)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.auth.principal import Caller
from hub.cases import service as cases
from hub.cases.models import Case
from hub.db import SessionDep
from hub.origin import service as origin
from hub.origin.schemas import OriginContest, OriginDetermine
from hub.origin.service import SETTLED
from hub.policy.origin_register import OriginRegister, get_origin_register
from hub.reference import municipalities
from hub.web import repository
from hub.web.context import case_context
from hub.web.dependencies import Authorized, authorized_form, claim_form, web_authorize
from hub.web.templating import render

router = APIRouter(include_in_schema=False)

DeterminePageDep = Annotated[Caller, Depends(web_authorize("origin.determine"))]
DetermineFormDep = Annotated[Authorized, Depends(authorized_form("origin.determine"))]
ContestPageDep = Annotated[Caller, Depends(web_authorize("origin.contest"))]
ContestFormDep = Annotated[Authorized, Depends(authorized_form("origin.contest"))]

# Form field -> (the element the error summary links to, the Dutch message).
_DETERMINE_ERRORS = {
    "municipality": ("gemeente", "Kies de gemeente van herkomst."),
    "reason": ("reden", "Kies de regel van het samenwerkingsmodel die de gemeente aanwijst."),
}
_CONTEST_ERROR = ("reden-{id}", "Kies de reden waarom uw gemeente niet de gemeente van herkomst is.")


def _register(request: Request) -> OriginRegister:
    return get_origin_register(request.app.state.settings.policies_dir)


def _determine_page(
    request: Request, caller: Caller, case: Case, *, errors: list[tuple[str, str]], status_code: int = 200
) -> Response:
    places = sorted((m for m in municipalities().values() if m.region == caller.partner.region), key=lambda m: m.name)
    return render(
        request,
        "origin/determine.html",
        status_code=status_code,
        case=case,
        ref=repository.short_reference,
        places=places,
        register=_register(request),
        open_to_determine=case.origin not in SETTLED and case.state != "closed",
        errors=errors,
    )


@router.get("/casussen/{case_id}/herkomst")
def determine_form(request: Request, case_id: str, caller: DeterminePageDep, session: SessionDep) -> Response:
    case = cases.get_case_in_region(session, case_id, caller.partner.region)
    return _determine_page(request, caller, case, errors=[])


@router.post("/casussen/{case_id}/herkomst")
def determine(request: Request, case_id: str, given: DetermineFormDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    case = cases.get_case_in_region(session, case_id, caller.partner.region)
    try:
        data = OriginDetermine(municipality=str(form.get("municipality", "")), reason=str(form.get("reason", "")))
    except ValidationError as error:
        fields = sorted({str(e["loc"][0]) for e in error.errors()})
        errors = [_DETERMINE_ERRORS[f] for f in fields if f in _DETERMINE_ERRORS]
        return _determine_page(request, caller, case, errors=errors, status_code=422)
    registry, register = request.app.state.registry, _register(request)

    claim_form(request, session, caller, form)
    origin.determine(session, case_context(request), caller, registry, register, case_id, data)
    return RedirectResponse(f"/casussen/{case_id}", status_code=303)


def _contest_page(
    request: Request, caller: Caller, session, *, errors: list[tuple[str, str]], status_code: int = 200
) -> Response:
    return render(
        request,
        "origin/determinations.html",
        status_code=status_code,
        determinations=origin.show_determinations(session, case_context(request), request.app.state.pdp, caller),
        register=_register(request),
        place=municipalities().get(caller.partner.municipality or ""),
        errors=errors,
    )


@router.get("/herkomst")
def determinations(request: Request, caller: ContestPageDep, session: SessionDep) -> Response:
    return _contest_page(request, caller, session, errors=[])


@router.post("/herkomst/{determination_id}/betwisten")
def contest(request: Request, determination_id: str, given: ContestFormDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    try:
        data = OriginContest(reason=str(form.get("reason", "")))
    except ValidationError:
        field, message = _CONTEST_ERROR
        return _contest_page(
            request, caller, session, errors=[(field.format(id=determination_id), message)], status_code=422
        )
    registry, register = request.app.state.registry, _register(request)

    claim_form(request, session, caller, form)
    origin.contest(session, case_context(request), caller, registry, register, determination_id, data)
    return RedirectResponse("/herkomst", status_code=303)
