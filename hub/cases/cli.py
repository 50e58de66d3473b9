"""`hub retention ...`: the retention job for case content (crypto-shredding)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Retention of case content: destroy expired content by deleting its data keys.", no_args_is_help=True
)


@app.command("run")
def run() -> None:
    """Destroy the content of closed cases whose retention has passed, and log each destruction."""
    from hub.cases.retention import run_retention
    from hub.config import get_settings
    from hub.db import engine_for
    from hub.policy.register import get_register

    settings = get_settings()
    engine = engine_for(settings)
    try:
        destroyed = run_retention(engine, get_register(settings.policies_dir))
    finally:
        engine.dispose()
    for item in destroyed:
        typer.echo(f"destroyed case {item.case_id} scope {item.scope} ({item.retention_days} days after closing)")
    typer.echo(f"retention: {len(destroyed)} key(s) destroyed")
