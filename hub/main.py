"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from starlette.types import ASGIApp

from hub.audit import install as install_audit
from hub.audit import on_shutdown as stop_audit
from hub.audit import on_startup as start_audit
from hub.auth.endpoints import install as install_auth
from hub.auth.routing import check_routes
from hub.cases.endpoints import install as install_cases
from hub.config import Settings, get_settings
from hub.db import engine_for
from hub.docs import install as install_docs
from hub.errors import install_error_handlers
from hub.exchange.endpoints import router as exchange_router
from hub.exchange.service.follow import install as install_follow
from hub.health.endpoints import router as health_router
from hub.limits import BodySizeLimitMiddleware
from hub.logging import RequestContextMiddleware, configure_logging
from hub.notices.endpoints import install as install_notices
from hub.openapi import install_openapi
from hub.origin.endpoints import install as install_origin
from hub.policy import install as install_policy
from hub.policy import on_shutdown as stop_policy
from hub.policy import on_startup as start_policy
from hub.security_headers import SecurityHeadersMiddleware
from hub.web import install as install_screens

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    settings.check_safe()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_routes(app)  # every route that checks a token authorizes before it validates input
        start_policy(app)
        start_audit(app)
        log.info("hub.started", env=settings.env)
        yield
        await stop_audit(app)
        stop_policy(app)
        app.state.engine.dispose()
        log.info("hub.stopped")

    app = FastAPI(
        title="D&T exchange hub",
        version="0.1.0",
        description=(
            "Brokered exchange of personal data between the partners in Detentie en Terugkeer, "
            "under the privacy protocol: OAuth 2.0 (private_key_jwt), a Rego policy per request and "
            "category, and a tamper-evident disclosure log."
        ),
        lifespan=lifespan,
        docs_url=None,  # hub.docs serves /docs from a package, never from a CDN, and in production only when on
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    _wrap_outermost(app, settings)
    install_error_handlers(app)
    app.include_router(health_router)
    install_auth(app, settings)
    install_policy(app, settings)
    install_audit(app, settings)
    install_cases(app)
    install_origin(app)
    install_notices(app)
    app.include_router(exchange_router)
    install_follow(app)  # open requests follow their case (hub.cases.dependencies.case_context hands it on)
    install_screens(app, settings)  # after the error handlers: screens answer in HTML
    install_docs(app, settings)
    install_openapi(app)  # the statuses every route shares; errors as application/problem+json
    return app


def _wrap_outermost(app: FastAPI, settings: Settings) -> None:
    """The request id and the security headers wrap the whole application, outside Starlette's
    ServerErrorMiddleware, which sends a 500 problem past every middleware added with add_middleware: so
    every response, a 500 too, has the headers and the request id, and the failure's log lines its id."""
    build = app.build_middleware_stack
    https = settings.issuer.startswith("https://")

    def build_wrapped() -> ASGIApp:
        return RequestContextMiddleware(SecurityHeadersMiddleware(build(), https=https))

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]
