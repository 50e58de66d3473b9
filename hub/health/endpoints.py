"""Liveness and readiness probes (no authentication, no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process is up")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database answers, the partner registry is loaded and the policy engine decides")
def ready(request: Request) -> JSONResponse:
    checks = {
        "database": _database_ok(request),
        "registry": _registry_loaded(request),
        "policy_engine": _policy_engine_ok(request),
    }
    ok = all(checks.values())
    body: dict = {"status": "ok" if ok else "unavailable", "checks": checks}
    if not ok:
        body["failing"] = [name for name, passed in checks.items() if not passed]
    return JSONResponse(body, status_code=200 if ok else 503, headers=None if ok else {"Retry-After": "5"})


def _policy_engine_ok(request: Request) -> bool:
    """The PDP can decide: a bundle is loaded and, for a remote OPA, the server answers (hub.policy.pep)."""
    from hub.policy.pep import policy_ready

    pdp = getattr(request.app.state, "pdp", None)
    return pdp is not None and policy_ready(pdp)


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
