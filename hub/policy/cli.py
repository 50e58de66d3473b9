"""`hub policy ...`: check, test and reload the policies of a running hub."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.policy.bundle import PolicyLoadError, compile_bundle, read_source

PoliciesOption = Annotated[Path | None, typer.Option(help="Policy directory (default: HUB_POLICIES_DIR)")]

app = typer.Typer(help="Policies: check, test and reload without a restart", no_args_is_help=True)

# Parsing runs in a child process: regopy aborts the whole process on some constructs of test files
# (`with input as` together with `in`, DESIGN.md §8), and that must not take the CLI down with it.
_PARSE_TESTS = """
import sys
from regopy import Interpreter
for name in sys.argv[1:]:
    Interpreter().add_module(name, open(name, encoding="utf-8").read())
    print("parsed", name)
"""


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
    pids = signal_processes()
    if not pids:
        typer.echo("no running hub process found (var/run/hub-*.pid)", err=True)
        raise typer.Exit(2)
    typer.echo(f"reload of {revision} requested from process(es) {', '.join(map(str, pids))}")


@app.command("test")
def run_tests(policies: PoliciesOption = None) -> None:
    """Run the *_test.rego files with `opa test` when OPA is installed; otherwise only parse them."""
    directory = _policies_dir(policies)
    opa = shutil.which("opa")
    if opa:
        raise typer.Exit(subprocess.call([opa, "test", str(directory), "-v"]))  # noqa: S603 - fixed argv
    tests = [str(p) for p in sorted(directory.rglob("*_test.rego"))]
    code = subprocess.call([sys.executable, "-c", _PARSE_TESTS, *tests])  # noqa: S603 - fixed argv
    typer.echo("OPA is not installed: the Rego unit tests were parsed, not run. "
               "The decision vectors (pytest tests/policy) check every rule through the embedded engine.")
    raise typer.Exit(code)
