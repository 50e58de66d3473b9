"""audit capability: the disclosure log (record, chain, checkpoints, verify, export, retention) and the
privacy officer's API. `install(app, settings)` loads the log key and adds the routes; `on_startup` and
`on_shutdown` run the background sealer (hub.audit.checkpoints) inside the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from hub.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def install(app: FastAPI, settings: Settings) -> None:
    """Load the Ed25519 log key (refused when missing outside development) and add the audit routes."""
    from hub.audit import mac
    from hub.audit.endpoints import router, well_known
    from hub.audit.signing import load_signer

    app.state.log_signer = load_signer(settings)
    app.state.log_mac_key = mac.configure_from(settings)  # refused when missing or malformed
    app.include_router(well_known)
    app.include_router(router)


def on_startup(app: FastAPI) -> None:
    """Start the background sealer: a checkpoint every N records or T seconds."""
    from hub.audit.checkpoints import run_sealer

    state = app.state
    state.audit_sealer = asyncio.get_running_loop().create_task(
        run_sealer(state.engine, state.log_signer, state.settings)
    )


async def on_shutdown(app: FastAPI) -> None:
    task = getattr(app.state, "audit_sealer", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
