"""`hub requests ...`: the exchange's jobs."""

from __future__ import annotations

import typer

app = typer.Typer(help="Data requests: jobs of the exchange.", no_args_is_help=True)


@app.command("expire")
def expire() -> None:
    """Mark open requests past their expiry as expired (overdue ones are flagged on every read anyway)."""
    from sqlmodel import Session

    from hub.config import get_settings
    from hub.db import engine_for
    from hub.exchange.dependencies import system_clock
    from hub.exchange.service.requests import expire_requests

    engine = engine_for(get_settings())
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():  # the job's one commit
            count = expire_requests(session, system_clock())
    finally:
        engine.dispose()
    typer.echo(f"requests: {count} expired")
