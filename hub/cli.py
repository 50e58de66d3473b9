"""`hub`: the operator's command line."""

from __future__ import annotations

import typer

from hub.audit.cli import app as audit_app
from hub.cases.cli import app as retention_app
from hub.config import get_settings
from hub.exchange.cli import app as requests_app
from hub.policy.cli import app as policy_app

app = typer.Typer(help="D&T exchange hub", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(retention_app, name="retention")
app.add_typer(audit_app, name="audit")
app.add_typer(requests_app, name="requests")


@app.command("dev-keys")
def dev_keys() -> None:
    """Generate the development keys and certificates into certs/dev/ where missing."""
    from hub.crypto.devkeys import generate

    written = generate()
    typer.echo(f"certs/dev: {len(written)} file(s) written" if written else "certs/dev: up to date")


@app.command()
def migrate() -> None:
    """Apply the database migrations."""
    from hub.migrations import upgrade

    settings = get_settings()
    upgrade(settings.sqlalchemy_url)
    typer.echo("database migrated")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Start the hub (API docs at /docs)."""
    import uvicorn

    # No uvicorn access log: a request line could carry a token a client wrongly put in a query string.
    # The hub logs its own request events, scrubbed, through structlog.
    uvicorn.run(
        "hub.asgi:app", host=host, port=port, workers=workers, proxy_headers=False, log_config=None, access_log=False
    )
