"""The coordinator's screens. Each route is authorized by its API twin's operation (web_authorize) before
anything else, calls the same service functions in the request's unit of work, and discloses only on a POST.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.auth.principal import Caller
from hub.cases import service as cases
from hub.cases.models import CaseState
from hub.db import SessionDep
from hub.errors import ValidationFailed
from hub.exchange import repository as exchange_repository
from hub.exchange.models import DataRequest
from hub.exchange.schemas import ReleasedAnswer, RequestCreate, RequestPublic
from hub.exchange.service import answers, follow, ports
from hub.exchange.service import requests as exchange
from hub.origin import service as origin
from hub.pagination import PageParams
from hub.policy import catalogue
from hub.policy.register import get_register
from hub.reference import municipalities
from hub.web import notices as notice_screens
from hub.web import repository
from hub.web.context import case_context, exchange_context
from hub.web.dependencies import Authorized, authorized_form, claim_form, web_authorize
from hub.web.templating import render

router = APIRouter(include_in_schema=False)

ListerDep = Annotated[Caller, Depends(web_authorize("case.list"))]
ReaderDep = Annotated[Caller, Depends(web_authorize("case.read"))]
ReadFormDep = Annotated[Authorized, Depends(authorized_form("case.read"))]
RequestFormPageDep = Annotated[Caller, Depends(web_authorize("request.create"))]
RequestFormDep = Annotated[Authorized, Depends(authorized_form("request.create"))]
RequestReadFormDep = Annotated[Authorized, Depends(authorized_form("request.read"))]

SOON_DAYS = 7


@router.get("/signalering")
def work_queue(request: Request, caller: ListerDep, session: SessionDep) -> Response:
    now = exchange_context(request, caller).now
    queue = repository.work_queue(
        session, caller.partner.region or "", caller.partner.oin, now, now.date(), now.date() + timedelta(SOON_DAYS)
    )
    days = request.app.state.settings.origin_signal_days
    notice_queue = notice_screens.queue_signal(session, caller.partner.region or "")
    return render(
        request,
        "coordinator/work_queue.html",
        queue=queue,
        ref=repository.short_reference,
        notice_queue=notice_queue,
        origin_signals=origin.unsettled_too_long(session, caller.partner.region, days, now),
        origin_signal_days=days,
    )


@router.get("/casussen")
def case_board(
    request: Request,
    caller: ListerDep,
    session: SessionDep,
    fase: str | None = None,
    gemeente: str | None = None,
    kenmerk: str | None = None,
    pagina: int = 1,
) -> Response:
    errors = []
    if fase and fase not in {s.value for s in CaseState}:
        errors.append(("fase", "Kies een fase uit de lijst."))
        fase = None
    places = {code: m for code, m in municipalities().items() if m.region == caller.partner.region}
    if gemeente and gemeente not in places:
        errors.append(("gemeente", "Kies een gemeente uit de lijst."))
        gemeente = None
    if kenmerk and not kenmerk.isalnum():
        errors.append(("kenmerk", "Een kenmerk bestaat uit letters en cijfers."))
        kenmerk = None
    now = exchange_context(request, caller).now
    board = repository.case_board(
        session, caller.partner.region or "", now, state=fase, municipality=gemeente, reference=kenmerk, page=pagina
    )
    return render(
        request,
        "coordinator/case_board.html",
        status_code=422 if errors else 200,
        board=board,
        ref=repository.short_reference,
        places=places,
        states=[s.value for s in CaseState],
        chosen={"fase": fase or "", "gemeente": gemeente or "", "kenmerk": kenmerk or ""},
        errors=errors,
    )


@router.get("/casussen/{case_id}")
def case_page(request: Request, case_id: str, caller: ReaderDep, session: SessionDep) -> Response:
    case, related, allowed = cases.case_detail(session, caller, case_id)
    timeline = cases.case_timeline(session, caller, case_id, PageParams(cursor=None, limit=200)).rows
    ctx = exchange_context(request, caller)
    requests = [
        RequestPublic.from_row(r, ctx.registry, ctx.now)
        for r in exchange.list_case_requests(session, ctx, case_id, status=None, page=PageParams(None, 200)).rows
    ]
    return render(
        request,
        "coordinator/case.html",
        handover=exchange_repository.live_handover_of_case(session, case.id),
        case=case,
        ref=repository.short_reference,
        related=related,
        allowed_events=allowed,
        timeline=timeline,
        requests=requests,
        registry=request.app.state.registry,
        place=municipalities().get(case.municipality) if case.municipality else None,
        notice_signal=notice_screens.case_signal(session, case),
    )


@router.post("/casussen/{case_id}/identiteit")
def identity(request: Request, case_id: str, given: ReadFormDep, session: SessionDep) -> Response:
    caller = given.caller

    claim_form(request, session, caller, given.form)
    case = cases.get_case_in_region(session, case_id, caller.partner.region)
    shown = cases.show_identity(session, case_context(request), request.app.state.pdp, caller, case_id)
    return render(request, "coordinator/identity.html", case=case, identity=shown, ref=repository.short_reference)


@router.post("/casussen/{case_id}/informatieblad")
def information_sheet(request: Request, case_id: str, given: ReadFormDep, session: SessionDep) -> Response:
    caller = given.caller

    claim_form(request, session, caller, given.form)
    case = cases.get_case_in_region(session, case_id, caller.partner.region)
    sheet = cases.show_information_sheet(session, case_context(request), request.app.state.pdp, caller, case_id)
    return render(
        request,
        "coordinator/information_sheet.html",
        case=case,
        sheet=sheet,
        ref=repository.short_reference,
        names={c.id: c.name for c in catalogue.get_catalogue().categories.values()},
    )


def _responders(request: Request, caller: Caller, case) -> list:
    """Holders of at least one category, and for municipalities only those of the municipality of origin."""
    cat = catalogue.get_catalogue()
    holding = set().union(*(c.holders for c in cat.categories.values()))
    out = []
    for partner in request.app.state.registry.all():
        if partner.role not in holding or partner.role == caller.partner.role:
            continue
        if partner.municipality is not None and partner.municipality != case.municipality:
            continue
        out.append(partner)
    return sorted(out, key=lambda p: (p.role, p.name))


def _request_form(request: Request, caller: Caller, session, case_id: str, **extra) -> Response:
    case = cases.get_case_in_region(session, case_id, caller.partner.region)
    register = get_register(request.app.state.settings.policies_dir)
    activities = [a for a in register.activities.values() if a.direction == "request"]
    return render(
        request,
        "coordinator/new_request.html",
        case=case,
        ref=repository.short_reference,
        responders=_responders(request, caller, case),
        activities=activities,
        categories=list(catalogue.get_catalogue().categories.values()),
        status_code=extra.pop("status_code", 200),
        **{"chosen": {"responder": "", "activity": "", "categories": []}, "errors": [], "preview": None, **extra},
    )


@router.get("/casussen/{case_id}/verzoek")
def new_request(request: Request, case_id: str, caller: RequestFormPageDep, session: SessionDep) -> Response:
    return _request_form(request, caller, session, case_id)


def _parse_request(request: Request, caller: Caller, form) -> tuple[RequestCreate | None, list, dict]:
    chosen = {
        "responder": str(form.get("responder", "")),
        "activity": str(form.get("activity", "")),
        "categories": [str(c) for c in form.getlist("categories")],
    }
    errors = []
    if not chosen["responder"]:
        errors.append(("responder", "Kies de partner die u iets wilt vragen."))
    if not chosen["activity"]:
        errors.append(("activity", "Kies de verwerking waarvoor u het vraagt."))
    if not chosen["categories"]:
        errors.append(("categories", "Kies ten minste één soort gegevens."))
    if errors:
        return None, errors, chosen
    try:
        body = RequestCreate(
            responder=chosen["responder"], activity=chosen["activity"], categories=chosen["categories"]
        )
    except ValueError:
        return None, [("categories", "De keuze is ongeldig; kies opnieuw uit de lijsten.")], chosen
    return body, [], chosen


@router.post("/casussen/{case_id}/verzoek/voorbeeld")
def preview(request: Request, case_id: str, given: RequestFormDep, session: SessionDep) -> Response:
    """What the policy would decide per category now: decided, not recorded, nothing disclosed or stored."""
    caller = given.caller
    body, errors, chosen = _parse_request(request, caller, given.form)
    if body is None:
        return _request_form(request, caller, session, case_id, chosen=chosen, errors=errors, status_code=422)
    ctx = exchange_context(request, caller)
    case = ports.coordinator_case(session, caller, case_id)
    try:
        responder = exchange.resolve_responder(ctx, body.responder)
        exchange.check_vocabulary(body.activity, body.categories)
    except ValidationFailed as error:
        field = error.extra.get("field", "categories")
        return _request_form(
            request, caller, session, case_id, chosen=chosen, errors=[(field, error.detail)], status_code=422
        )
    decision = ports.decide(
        ctx,
        ports.request_input(
            caller.partner,
            responder,
            body.activity,
            body.categories,
            ports.case_facts(session, case),
            exchange=ports.REQUEST,
        ),
    )
    session.rollback()  # a preview writes nothing
    return _request_form(request, caller, session, case_id, chosen=chosen, preview=decision)


@router.post("/casussen/{case_id}/verzoek")
def send_request(request: Request, case_id: str, given: RequestFormDep, session: SessionDep) -> Response:
    caller = given.caller
    body, errors, chosen = _parse_request(request, caller, given.form)
    if body is None:
        return _request_form(request, caller, session, case_id, chosen=chosen, errors=errors, status_code=422)
    ctx = exchange_context(request, caller)

    claim_form(request, session, caller, given.form)
    created = exchange.create_request(session, ctx, case_id, body)
    return _request_result(request, ctx, created)


def _request_result(request: Request, ctx, created, previous: DataRequest | None = None) -> Response:
    return render(
        request,
        "coordinator/request_result.html",
        case_id=created.case_id,
        result=RequestPublic.from_row(created, ctx.registry, ctx.now),
        stored=created,
        previous=RequestPublic.from_row(previous, ctx.registry, ctx.now) if previous else None,
    )


@router.post("/verzoeken/{request_id}/opnieuw")
def renew(request: Request, request_id: str, given: RequestFormDep, session: SessionDep) -> Response:
    """ "Opnieuw vragen": what a request lost to its case (withdrawn whole or in part) asked again, decided on the
    case as it is now (the API's
    POST /v1/requests/{id}/renew, same operation, same service function)."""
    caller = given.caller
    ctx = exchange_context(request, caller)

    claim_form(request, session, caller, given.form)
    created = follow.renew_request(session, ctx, request_id)
    return _request_result(request, ctx, created, session.get(DataRequest, request_id))  # read by renew_request


@router.post("/verzoeken/{request_id}/antwoord")
def answer(request: Request, request_id: str, given: RequestReadFormDep, session: SessionDep) -> Response:
    caller = given.caller
    ctx = exchange_context(request, caller)

    claim_form(request, session, caller, given.form)
    found = answers.read_answer(session, ctx, request_id)
    return render(
        request,
        "coordinator/answer.html",
        released=ReleasedAnswer.from_row(*found, ctx.registry),
        case_id=found[0].case_id,
        names={c.id: c.name for c in catalogue.get_catalogue().categories.values()},
    )
