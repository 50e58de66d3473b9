"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from hub.audit import install as install_audit
from hub.audit import on_shutdown as stop_audit
from hub.audit import on_startup as start_audit
from hub.auth.endpoints import install as install_auth
from hub.auth.routing import check_routes
from hub.cases.endpoints import install as install_cases
from hub.config import Settings, get_settings
from hub.db import engine_for
from hub.errors import install_error_handlers
from hub.exchange.endpoints import router as exchange_router
from hub.health.endpoints import router as health_router
from hub.limits import BodySizeLimitMiddleware
from hub.logging import RequestContextMiddleware, configure_logging
from hub.openapi import install_openapi
from hub.policy import install as install_policy
from hub.policy import on_shutdown as stop_policy
from hub.policy import on_startup as start_policy

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
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)  # added last: outermost, so every problem has a request id
    install_error_handlers(app)
    app.include_router(health_router)
    install_auth(app, settings)
    install_policy(app, settings)
    install_audit(app, settings)
    install_cases(app)
    app.include_router(exchange_router)
    install_openapi(app)  # the statuses every route shares; errors as application/problem+json
    return app
