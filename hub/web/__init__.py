"""Screens for people (server-rendered Dutch HTML): sign-in, the coordinator's and the answering partners'
screens, and the privacy officer's. See docs/ARCHITECTURE.md ("Screens") for why this is one package."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.config import Settings
from hub.errors import HubError

STATIC = Path(__file__).parent / "static"

# URL prefix -> folder below the npm packages (package.json), served as they are; nothing is committed.
VENDOR = {
    "/assets/htmx": "htmx.org/dist",
    "/assets/utrecht": "@utrecht/component-library-css/dist",
    "/assets/tokens": "@nl-design-system-unstable/voorbeeld-design-tokens/dist",
    "/assets/noto-sans": "@fontsource/noto-sans",
}


def is_screen(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return getattr(endpoint, "__module__", "").startswith("hub.web.")


def install(app: FastAPI, settings: Settings) -> None:
    from hub.web import (
        coordinator,
        dji,
        monitor,
        notices,
        officer,
        officer_annual,
        officer_reports,
        origin,
        partner,
        signin,
        steps,
    )
    from hub.web.errors import SignInRequired
    from hub.web.templating import render

    app.include_router(signin.router)
    app.include_router(coordinator.router)
    app.include_router(partner.router)
    app.include_router(steps.router)
    app.include_router(origin.router)  # issue 16: the municipality of origin
    app.include_router(dji.router)
    app.include_router(officer.router)
    app.include_router(officer_reports.router)
    app.include_router(notices.router)
    app.include_router(monitor.router)
    app.include_router(officer_annual.router)
    app.mount("/assets/hub", StaticFiles(directory=STATIC), name="assets-hub")
    for prefix, folder in VENDOR.items():
        app.mount(prefix, StaticFiles(directory=settings.web_assets_dir / folder, check_dir=False), name=prefix)

    problem_handler = app.exception_handlers[HubError]

    async def screen_or_problem(request: Request, exc: Exception) -> Response:
        if not is_screen(request):
            handled = problem_handler(request, exc)
            return await handled if inspect.isawaitable(handled) else handled
        if isinstance(exc, SignInRequired):
            return RedirectResponse("/uitgelogd" if exc.expired else "/", status_code=303)
        assert isinstance(exc, HubError)
        return render(request, "error.html", status_code=exc.status, error=exc)

    app.add_exception_handler(HubError, screen_or_problem)

    http_handler = app.exception_handlers[StarletteHTTPException]

    async def screen_or_http_problem(request: Request, exc: Exception) -> Response:
        """Starlette's own errors inside a screen route (a form body it cannot parse, a method the route does
        not take) as the screens' Dutch error page; elsewhere the problem as before."""
        assert isinstance(exc, StarletteHTTPException)
        error = screen_http_error(request, exc) if is_screen(request) else None
        if error is None:
            handled = http_handler(request, exc)
            return await handled if inspect.isawaitable(handled) else handled
        return render(request, "error.html", status_code=error.status, error=error)

    app.add_exception_handler(StarletteHTTPException, screen_or_http_problem)


class UnreadableForm(HubError):
    status, code, title = 400, "unreadable_form", "Formulier niet leesbaar"


class MethodNotAllowed(HubError):
    status, code, title = 405, "method_not_allowed", "Niet zo op te vragen"


def screen_http_error(request: Request, exc: StarletteHTTPException) -> HubError | None:
    """The Dutch error of a Starlette HTTP error in a screen route; None for one the screens do not word."""
    if exc.status_code == 400:  # only the body's parser raises it in a screen (its reason is English)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        kind = media if media in ("multipart/form-data", "application/x-www-form-urlencoded") else "onbekend type"
        return UnreadableForm(
            f"Het formulier kon niet worden gelezen: de inhoud is geen geldig formulier ({kind}). "
            "Er is niets opgeslagen. Open de pagina opnieuw en verstuur het formulier vanaf daar."
        )
    if exc.status_code == 405:
        return MethodNotAllowed(
            f"Deze pagina kan niet met {request.method} worden opgevraagd; gebruik de knoppen en formulieren "
            "van de hub. Er is niets verwerkt."
        )
    return None
