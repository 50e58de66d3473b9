"""Real OPA (v1.20.2, in-process through opa-golib-python-bindings) as the oracle for `policies/`.

A development tool, never part of the service: `make opa` installs the bindings, pinned by version and hash
(tools/opa-requirements.txt), into the tool venv `.venv-opa`, and `hub/` never imports them. Standard library
only, so it runs with the tool venv's own Python:

    .venv-opa/bin/python tools/opa_oracle.py test policies/      # what `hub policy test` runs

and, as a module, from the project's venv (the test suite, bench/policy.py), after `use_tool_venv()` has put
the tool venv's site-packages on `sys.path`:

    oracle = OpaOracle(Path("policies"))
    oracle.decide("request", {...})                                # the decision document, like OPA's server

It loads the directory as `opa run` / `opa test` do: every `*.rego` module, and every `data.json` at its
directory's path in `data`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Rule name -> the document OPA's server answers at /v1/data/<path> (hub.policy.bundle.ENTRYPOINTS).
ENTRYPOINTS = {
    "request": "dt.request.decision",
    "answer": "dt.answer.filter",
    "release": "dt.answer.release",
    "api": "dt.api.decision",
    "case_read": "dt.case_read.decision",
    "notice_read": "dt.notice_read.decision",
    "origin_read": "dt.origin_read.decision",
}
OPA_VERSION = "1.20.2"  # what opa-golib-python-bindings 0.4.4 embeds; docker-compose.yml pins the same

_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)\s*$", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)


class OracleUnavailable(RuntimeError):
    """The tool venv with the OPA bindings is missing: run `make opa`."""


def use_tool_venv(python: Path) -> None:
    """Make `opa_bindings` importable in this process from the tool venv whose interpreter is `python`.

    The wheel is pure Python around a shared library and has no dependencies, so its site-packages can be
    put on the path of another venv of the same Python."""
    try:
        import opa_bindings  # noqa: F401 - already importable

        return
    except ImportError:
        pass
    if not Path(python).exists():
        raise OracleUnavailable(f"{python} does not exist: run `make opa` (installs real OPA into .venv-opa)")
    found = subprocess.run(  # noqa: S603 - fixed argv
        [str(python), "-c", "import opa_bindings, os; print(os.path.dirname(os.path.dirname(opa_bindings.__file__)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if found.returncode != 0:
        raise OracleUnavailable(f"{python} cannot import opa_bindings: run `make opa` ({found.stderr.strip()[-200:]})")
    sys.path.append(found.stdout.strip())


def embedded_opa_version() -> str:
    """The OPA module version the bindings' shared library was built with (from Go's build information)."""
    import opa_bindings

    library = Path(opa_bindings.__file__).with_name("libopabridge.so").read_bytes()
    found = re.search(rb"\tgithub\.com/open-policy-agent/opa\tv(\d+\.\d+\.\d+)\t", library)
    return found.group(1).decode() if found else "unknown"


def read_policies(root: Path, *, with_tests: bool) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The modules (relative path, text) and the data document of a policy directory, as OPA loads them."""
    modules: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if path.suffix == ".rego" and (with_tests or not path.name.endswith("_test.rego")):
            modules.append((relative, path.read_text(encoding="utf-8")))
        elif path.name == "data.json":
            parts = path.parent.relative_to(root).parts
            value = json.loads(path.read_text(encoding="utf-8"))
            if not parts:
                data.update(value)
                continue
            node = data
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
    return modules, data


class OpaOracle:
    """One OPA engine over one policy directory (test modules included when `with_tests`)."""

    def __init__(self, root: Path, *, with_tests: bool = False) -> None:
        from opa_bindings import OpaEngine

        self.root = Path(root)
        self.modules, data = read_policies(self.root, with_tests=with_tests)
        self.engine = OpaEngine()
        for name, text in self.modules:
            self.engine.add_policy(name, text)
        self.engine.add_data(data)

    def decide(self, rule: str, input_doc: Any) -> Any:
        """The document at the rule's entry point for `input_doc`, as OPA's server would return it as `result`.
        Raises OpaUndefinedError (no `result`) or OpaError (an evaluation error)."""
        return self.engine.eval_document(ENTRYPOINTS[rule], input_doc)

    def close(self) -> None:
        self.engine.close()


@dataclass(frozen=True)
class TestResult:
    name: str  # data.<package>.<rule>
    file: str
    outcome: str  # PASS, FAIL (false or undefined) or ERROR
    detail: str = ""


def run_tests(root: Path) -> list[TestResult]:
    """Every `test_` rule of every `*_test.rego` under `root`, as `opa test` runs them: PASS only when true."""
    from opa_bindings import OpaError, OpaUndefinedError

    oracle = OpaOracle(root, with_tests=True)
    results: list[TestResult] = []
    try:
        for name, text in oracle.modules:
            if not name.endswith("_test.rego"):
                continue
            package = _PACKAGE.search(text)
            if package is None:
                results.append(TestResult(name, name, "ERROR", "no package line"))
                continue
            for rule in dict.fromkeys(_TEST_RULE.findall(text)):
                path = f"{package.group(1)}.{rule}"
                try:
                    value = oracle.engine.eval_document(path)
                except OpaUndefinedError:
                    results.append(TestResult(f"data.{path}", name, "FAIL", "undefined"))
                    continue
                except OpaError as exc:
                    results.append(TestResult(f"data.{path}", name, "ERROR", str(exc)[:500]))
                    continue
                outcome = "PASS" if value is True else "FAIL"
                results.append(TestResult(f"data.{path}", name, outcome, "" if value is True else repr(value)))
    finally:
        oracle.close()
    return results


def _main_test(args: argparse.Namespace) -> int:
    root = Path(args.policies)
    results = run_tests(root)
    current = None
    for result in results:
        if result.file != current:
            current = result.file
            print(f"{root / current}:")
        detail = f" ({result.detail})" if result.detail and result.outcome != "PASS" else ""
        if args.verbose or result.outcome != "PASS":
            print(f"{result.name}: {result.outcome}{detail}")
    passed = sum(r.outcome == "PASS" for r in results)
    print("-" * 80)
    if not results:
        print(f"no test_ rules found under {root}")
        return 1
    print(f"{'PASS' if passed == len(results) else 'FAIL'}: {passed}/{len(results)} (OPA {OPA_VERSION})")
    return 0 if passed == len(results) else 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    test = commands.add_parser("test", help="run every test_ rule of the *_test.rego files, like `opa test`")
    test.add_argument("policies", help="the policy directory")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing tests too")
    args = parser.parse_args(argv)
    return _main_test(args)


if __name__ == "__main__":
    sys.exit(main())
