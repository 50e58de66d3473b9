"""`hub policy ...`: check, test and reload the policies of a running hub."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from hub.policy.bundle import PolicyLoadError, compile_bundle, read_source

PoliciesOption = Annotated[Path | None, typer.Option(help="Policy directory (default: HUB_POLICIES_DIR)")]

app = typer.Typer(help="Policies: check, test and reload without a restart", no_args_is_help=True)


def _policies_dir(policies: Path | None) -> Path:
    if policies is not None:
        return policies
    from hub.config import get_settings

    return get_settings().policies_dir


def _check(policies_dir: Path) -> str:
    try:
        source = read_source(policies_dir)
        compile_bundle(source)
    except PolicyLoadError as exc:
        typer.echo(f"policy refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    return source.revision


@app.command()
def check(policies: PoliciesOption = None) -> None:
    """Compile the policies and print their revision; exit 1 when they do not compile."""
    typer.echo(_check(_policies_dir(policies)))


@app.command()
def reload(policies: PoliciesOption = None) -> None:
    """Check the policies, then tell every running hub process on this machine to reload them (SIGHUP)."""
    from hub.policy.reload import signal_processes

    revision = _check(_policies_dir(policies))
    report = signal_processes()
    for name in report.removed:
        typer.echo(f"removed stale pid file {name}: its process is gone or the pid now belongs to another")
    for pid, reason in report.not_signalled.items():
        typer.echo(f"process {pid} not signalled: {reason}", err=True)
    if not report.signalled:
        typer.echo("no running hub process signalled (var/run/hub-*.pid)", err=True)
        raise typer.Exit(2)
    typer.echo(f"reload of {revision} requested from process(es) {', '.join(map(str, report.signalled))}")


@app.command("test")
def run_tests(
    policies: PoliciesOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing tests too")] = False,
) -> None:
    """Run every test_ rule of the *_test.rego files on real OPA (the oracle in the tool venv), as `opa test`
    would: each must be true; false, undefined or an error fails. Exit 0 only when all pass."""
    from hub.config import ROOT, get_settings

    directory = _policies_dir(policies)
    python = get_settings().opa_oracle_python
    if not python.exists():
        typer.echo(f"real OPA is not installed ({python} is missing): run `make opa`", err=True)
        raise typer.Exit(2)
    argv = [str(python), str(ROOT / "tools" / "opa_oracle.py"), "test", str(directory)]
    raise typer.Exit(subprocess.call([*argv, "-v"] if verbose else argv))  # noqa: S603 - fixed argv


@app.command("opa-token")
def opa_token(
    folder: Annotated[Path, typer.Argument(help="Where to write the two files (docker-compose: ./secrets)")],
    owner: Annotated[
        int | None,
        typer.Option(
            help="Give the token file to this uid (docker-compose: 10001, the hub container's user; needs root)",
        ),
    ] = None,
) -> None:
    """Make a new bearer token for the OPA server's API: `opa-token` (the hub's HUB_OPA_TOKEN_FILE) and
    `opa-authz.json` (its SHA-256, which OPA loads for deploy/opa/authz.rego). Never overwrites a file.

    Compose mounts a file secret with its owner and mode on the host, so the hub container's user must own the
    token file (it stays readable by its owner only): `--owner 10001`, or `chown 10001` it afterwards."""
    from hub.policy.remote import opa_authz_data

    token = secrets.token_urlsafe(32)
    # The token is readable by its owner only; the digest is no secret (OPA's user must be able to read it).
    files = {
        folder / "opa-token": (token + "\n", 0o600),
        folder / "opa-authz.json": (json.dumps(opa_authz_data(token), indent=2) + "\n", 0o644),
    }
    existing = [str(path) for path in files if path.exists()]
    if existing:
        typer.echo(f"refused: {', '.join(existing)} already exist(s); remove both files to make a new token", err=True)
        raise typer.Exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    for path, (content, mode) in files.items():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(content)
    token_file = folder / "opa-token"
    if owner is not None:
        try:
            os.chown(token_file, owner, -1)
        except OSError as exc:
            typer.echo(
                f"written, but {token_file} could not be given to uid {owner} ({exc.strerror}): "
                f"run `chown {owner} {token_file}` as root",
                err=True,
            )
            raise typer.Exit(1) from None
    typer.echo(f"written: {', '.join(str(path) for path in files)} (restart OPA and the hub to use them)")
    if owner is None:
        typer.echo(
            f"{token_file} is readable by its owner only: in docker-compose the hub runs as uid 10001, "
            f"so run `chown 10001 {token_file}` (or make the pair again with --owner 10001)"
        )
