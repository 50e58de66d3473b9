"""Signing in and out: the organisation's OpenID provider, the development picker, idle expiry."""

from __future__ import annotations

import re

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from hub.errors import Forbidden, NotFound
from hub.web import oidc
from hub.web.security import same_origin
from hub.web.sessions import SIGNED_IN, WebStateDep, end, forget, load, save, touch
from hub.web.templating import render

log = structlog.get_logger(__name__)

router = APIRouter(include_in_schema=False)

# Where "Ingelogd blijven" may send the browser back to: a path of this hub, never another site ("//x", "/\\x").
LOCAL_PATH = re.compile(r"^/[A-Za-z0-9/_-]{0,200}$")

# Fictitious employees for the development picker (make run); never used outside HUB_ENV=dev.
DEV_EMPLOYEES = (("medewerker-1", "Anna de Vries"), ("medewerker-2", "Bram Jansen"))


def start_page(role: str) -> str:
    return {
        "zvh_coordinator": "/signalering",
        "dji": "/meldingen/nieuw",
        "privacy_officer": "/overzicht",
        "region_analyst": "/monitor",
    }.get(role, "/inbox")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(request: Request, state: WebStateDep) -> Response:
    person = state.person
    if person is not None:
        partner = request.app.state.registry.by_client_id(person["client_id"])
        if partner is not None:
            return _see_other(start_page(partner.role))
    registry = request.app.state.registry
    providers = [p for p in registry.all() if registry.identity_provider(p.client_id) is not None]
    picker = list(registry.all()) if request.app.state.settings.web_dev_picker else []
    return render(
        request,
        "signin.html",
        providers=sorted(providers, key=lambda p: p.name),
        picker=sorted(picker, key=lambda p: (p.role != "zvh_coordinator", p.name)),
        employees=DEV_EMPLOYEES,
        expired=state.expired,
    )


@router.post("/aanmelden/ontwikkeling", dependencies=[Depends(same_origin)])
async def dev_sign_in(request: Request, state: WebStateDep) -> Response:
    if not request.app.state.settings.web_dev_picker:
        raise NotFound("Deze pagina bestaat niet.")
    form = await request.form()
    partner = request.app.state.registry.by_client_id(str(form.get("client_id", "")))
    employee = dict(DEV_EMPLOYEES).get(str(form.get("employee_id", "")))
    if partner is None or employee is None:
        raise Forbidden("Kies een organisatie en een medewerker uit de lijst.")
    request.scope["session"] = {
        SIGNED_IN: {"client_id": partner.client_id, "employee_id": str(form["employee_id"]), "name": employee}
    }
    response = _see_other(start_page(partner.role))
    save(request, response, state, new_token=True)
    log.info("web.signed_in", client_id=partner.client_id, via="dev_picker")
    return response


def _provider(request: Request, client_id: str):
    provider = request.app.state.registry.identity_provider(client_id)
    if provider is None:
        raise NotFound("Deze organisatie meldt niet aan via de hub.")
    return provider


@router.get("/aanmelden/{client_id}")
async def sign_in(request: Request, client_id: str, state: WebStateDep) -> Response:
    provider = _provider(request, client_id)
    request.scope["session"] = {}  # a new attempt starts clean; a signed-in person signs in anew
    response = await oidc.start(request, provider, str(request.url_for("sign_in_done", client_id=client_id)))
    save(request, response, state, new_token=True)
    return response


@router.get("/aanmelden/{client_id}/terug")
async def sign_in_done(request: Request, client_id: str, state: WebStateDep) -> Response:
    provider = _provider(request, client_id)
    person = await oidc.finish(request, provider)
    partner = request.app.state.registry.by_client_id(client_id)
    request.scope["session"] = {SIGNED_IN: person}
    response = _see_other(start_page(partner.role))
    save(request, response, state, new_token=True)
    log.info("web.signed_in", client_id=client_id, via="oidc")
    return response


@router.post("/afmelden", dependencies=[Depends(same_origin)])
def sign_out(request: Request, state: WebStateDep) -> Response:
    response = render(request, "signed_out.html", reason="afgemeld")
    end(request, response, state)
    return response


@router.get("/uitgelogd")
def signed_out(request: Request) -> Response:
    """Only shows the page: a GET ends no session (a link or image on another site would sign people out,
    SameSite=Lax sends the cookie on top-level navigations) and does not move the idle clock. The idle
    expiry itself happens on the server (`sessions.load`); a cookie naming a session that has already ended
    is cleared here, a live session is told it is still signed in."""
    state = load(request, touch=False)
    response = render(request, "signed_out.html", reason="actief" if state.person else "verlopen")
    if state.expired:
        forget(request, response)
    return response


@router.post("/sessie/verlengen", dependencies=[Depends(same_origin)])
async def extend(request: Request, state: WebStateDep) -> Response:
    """Loading the session already moved its idle clock; back to where the person was."""
    if state.person is None:
        return _see_other("/uitgelogd")
    touch(request, state)
    back = str((await request.form()).get("terug", "/"))
    return _see_other(back if LOCAL_PATH.fullmatch(back) else "/")


@router.get("/geen-schermen")
def no_screens(request: Request, state: WebStateDep) -> Response:
    return render(request, "no_screens.html")
