"""Liveness and readiness probes (no authentication, no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process is up")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database answers and the partner registry is loaded")
def ready(request: Request) -> JSONResponse:
    checks = {"database": _database_ok(request), "registry": _registry_loaded(request)}
    ok = all(checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


def _database_ok(request: Request) -> bool:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True


def _registry_loaded(request: Request) -> bool:
    registry = getattr(request.app.state, "registry", None)
    return bool(registry)
