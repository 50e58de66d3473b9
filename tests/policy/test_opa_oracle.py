"""The oracle itself: the tool venv holds the pinned OPA, and it decides (tools/opa_oracle.py)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

from hub.config import ROOT
from tests.support.oracle import oracle_module


def test_oracle_embeds_the_pinned_opa_version():
    """The bindings in the tool venv were built with OPA 1.20.2, the version compose runs (test_compose.py)."""
    module = oracle_module()
    assert module.embedded_opa_version() == module.OPA_VERSION == "1.20.2"


def test_bindings_are_pinned_by_version_and_hash():
    """tools/opa-requirements.txt pins the one wheel by version and sha256; the Makefile installs with hashes."""
    requirements = (ROOT / "tools" / "opa-requirements.txt").read_text()
    assert "opa-golib-python-bindings==0.4.4" in requirements
    assert "--hash=sha256:d411c901e14b8c7c3023e23e4a944f4cf429c1d31baf80e959e57d11efbfd24a" in requirements
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in makefile
    assert re.search(r"^test:.*\bpolicy-test\b", makefile, re.MULTILINE)  # make test runs `hub policy test`
    assert re.search(r"^policy-test:.*\bopa\b", makefile, re.MULTILINE)


ORACLE_MODULES = {"opa_bindings", "opa_oracle"}


def oracle_imports(source: str) -> list[str]:
    """The imports of the bindings or the oracle in a Python source, in any form: `import`, `from ... import`,
    a dotted path through a package (`tools.opa_oracle`), a relative import, or importlib / __import__ with the
    name as a string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or "", *(alias.name for alias in node.names)]
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in {"import_module", "__import__", "spec_from_file_location"}:
                names = [
                    part.value
                    for arg in node.args
                    for part in ast.walk(arg)
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                ]
        found += [name for name in names if ORACLE_MODULES & set(re.split(r"[./\\]|\.py$", name))]
    return found


def test_the_import_check_sees_every_form_of_import():
    """The check below cannot pass by missing an import written another way."""
    for source in (
        "import opa_bindings",
        "from opa_bindings import OpaEngine",
        "from tools.opa_oracle import OpaOracle",
        "import tools.opa_oracle as oracle",
        "from tools import opa_oracle",
        "from . import opa_oracle",
        "def f():\n    import opa_bindings",
        "importlib.import_module('opa_bindings')",
        "__import__('tools.opa_oracle')",
        "importlib.util.spec_from_file_location('x', ROOT / 'tools' / 'opa_oracle.py')",
        "spec_from_file_location('x', 'tools/opa_oracle.py')",
    ):
        assert oracle_imports(source), source
    assert oracle_imports("import opa_client\nfrom hub.config import ROOT\nopa_oracle_python = 1") == []


def test_hub_never_imports_the_bindings():
    """The service does not depend on the oracle: no module under hub/ imports the bindings or the oracle, in any
    form, and the bindings are no dependency of the package."""
    offenders = {
        p.relative_to(ROOT).as_posix(): oracle_imports(p.read_text())
        for p in sorted((ROOT / "hub").rglob("*.py"))
        if oracle_imports(p.read_text())
    }
    assert offenders == {}
    assert "opa-golib" not in (ROOT / "pyproject.toml").read_text()


def test_the_running_hub_never_loads_the_bindings():
    """In a process of the project's venv, every module of hub/ imported and the application built: neither the
    bindings nor the oracle is loaded (the tool venv is never on the hub's path)."""
    script = (
        "import importlib, pkgutil, sys\n"
        "import hub\n"
        "for info in pkgutil.walk_packages(hub.__path__, 'hub.'):\n"
        "    if not info.name.startswith(('hub.migrations', 'hub.asgi')):  # Alembic's env, the server's app\n"
        "        importlib.import_module(info.name)\n"
        "from hub.main import create_app\n"
        "from hub.config import Settings\n"
        "create_app(Settings(env='dev', database_url='sqlite://'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[-1] in {'opa_bindings', 'opa_oracle'}))\n"
        "print(len([m for m in sys.modules if m.startswith('hub.')]))\n"
    )
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "HUB_ENV": "dev"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded, hub_modules = done.stdout.strip().splitlines()[-2:]
    assert loaded == "[]"
    assert int(hub_modules) > 100  # the walk did import the hub


def test_oracle_decides_like_opas_server(opa_pdp):
    """A decision document comes back as OPA's server would return `result` (sets as arrays)."""
    value = opa_pdp.raw("api", {"role": "zvh_coordinator", "operation": "case.read"})
    assert value == {"allow": True, "reason": None, "rule": "dt.api.allow"}
