"""`hub`: the operator's command line."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError

from hub.audit.cli import app as audit_app
from hub.auth.registry import RegistryError
from hub.cases.cli import app as retention_app
from hub.config import ConfigurationError, configuration_problem, get_settings
from hub.exchange.cli import app as requests_app
from hub.logging import configure_logging
from hub.policy.cli import app as policy_app

# What an operator can fix in the settings or the registry: reported as one line, without a traceback.
CONFIGURATION_ERRORS = (ConfigurationError, ValidationError, RegistryError)


class HubCommands(typer.Typer):
    """The `hub` command: a configuration error in any command is one line on stderr and exit status 1; log
    lines go to stderr."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except CONFIGURATION_ERRORS as error:
            typer.echo(f"hub: configuration error: {configuration_problem(error)}", err=True)
            raise SystemExit(1) from None


app = HubCommands(help="D&T exchange hub", no_args_is_help=True)


@app.callback()
def _logging() -> None:
    """Every command logs warnings and errors only, as JSON lines on stderr: never amid its output on stdout."""
    configure_logging(level="WARNING")


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
    """Start the hub (API docs at /docs in development, or with HUB_DOCS_ENABLED)."""
    import uvicorn

    from hub.main import create_app

    # Build the app once here, before uvicorn: a refused setting or registry ends the command with one line and
    # status 1, instead of each worker failing with a traceback and being respawned forever.
    create_app(get_settings()).state.engine.dispose()

    # No uvicorn access log: a request line could carry a token a client wrongly put in a query string.
    # The hub logs its own request events, scrubbed, through structlog.
    uvicorn.run(
        "hub.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=None,
        access_log=False,
        server_header=False,  # no `server: uvicorn`: the hub does not announce its software
    )
