"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from hub.config import Settings, get_settings
from hub.db import engine_for
from hub.errors import install_error_handlers
from hub.health.endpoints import router as health_router
from hub.logging import RequestContextMiddleware, configure_logging

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    settings.check_safe()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("hub.started", env=settings.env)
        yield
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
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    app.include_router(health_router)
    return app
