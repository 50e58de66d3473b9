"""The commands in README.md and docs/ run as written (issue 12, first hour): every command line of their code
blocks (`make …`, `hub …`, `.venv/bin/…`) names a make target, a command and options that exist. Nothing is
run for real: make plans (`make -n`), the Python commands are asked for their help with the documented
arguments in place, which refuses an unknown command or option."""

from __future__ import annotations

import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.config import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"^(make|hub|\.venv/bin/\S+)( |$)")
BIN = Path(sys.executable).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def documented_commands() -> list[tuple[str, str]]:
    """(document, command line) for every command line inside a fenced code block, its comment removed."""
    found = []
    for document in DOCUMENTS:
        inside = False
        for line in document.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("```"):
                inside = not inside
                continue
            command = line.split("  #", 1)[0].strip()
            if inside and COMMAND.match(command):
                found.append((document.name, command))
    return found


COMMANDS = documented_commands()


def test_the_documents_name_the_first_hours_commands():
    """The walk finds the commands a newcomer and a privacy officer are told to type."""
    lines = {command for _, command in COMMANDS}
    assert {"make run", "make demo", "make run PORT=9000", "make demo HUB_URL=http://127.0.0.1:9000"} <= lines
    assert ".venv/bin/python -m partners.demo --hub-url http://127.0.0.1:8000" in lines
    assert any(c.startswith("hub audit verify --export") and "--public-key" in c for c in lines)


# The Python programs the documents name, as they are typed: the installed scripts ([project.scripts]) and the
# demo's module. Each is asked in-process (typer's test runner), which parses exactly as the script does.
PROGRAMS = {
    "hub": ("hub.cli", ()),
    ".venv/bin/hub": ("hub.cli", ()),
    ".venv/bin/hub-partner": ("partners.client", ()),
    ".venv/bin/python": ("partners.demo", ("-m", "partners.demo")),
}


def _words(command: str) -> list[str]:
    """The command's words; `[--option value]` (an optional part) taken as written inside."""
    return shlex.split(command.replace("[", "").replace("]", ""))


@pytest.mark.parametrize(("document", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_documented_command_runs_as_written(document, command):
    """make: the target exists and make can plan it. A Python command: with --help appended it answers
    (exit 0), so its subcommands and every option written exist; a misspelt one makes it fail."""
    words = _words(command)
    if words[0] == "make":
        make = shutil.which("make")
        if make is None:
            pytest.skip("make is not installed")
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "MAKE")) and k != "MFLAGS"}
        result = subprocess.run(  # noqa: S603 - make with the documented arguments, no shell
            [make, "--no-print-directory", "-n", *words[1:]], cwd=ROOT, env=clean, capture_output=True, timeout=60
        )
        assert result.returncode == 0, f"{document}: {command}\n{result.stderr[-2000:]!r}"
        return
    if words[0] not in PROGRAMS:  # another tool of the venv (pytest): it is installed, the paths it gets exist
        assert (ROOT / words[0]).exists(), f"{document}: {command}"
        assert all((ROOT / w).exists() for w in words[1:] if "/" in w and not w.startswith("-")), command
        return
    module, prefix = PROGRAMS[words[0]]
    assert tuple(words[1 : 1 + len(prefix)]) == prefix, f"{document}: {command}"
    script = words[0].removeprefix(".venv/bin/")
    if script != "python":
        assert (BIN / script).exists() and script in PYPROJECT["project"]["scripts"], f"{document}: {command}"
    app = importlib.import_module(module).app
    result = CliRunner().invoke(app, [*words[1 + len(prefix) :], "--help"], env={"HUB_ENV": "dev"})
    assert result.exit_code == 0, f"{document}: {command}\n{result.output[-2000:]}"
