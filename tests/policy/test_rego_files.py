"""The Rego sources: strict v1 syntax, default deny, a *_test.rego beside every policy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hub.config import ROOT
from hub.policy.bundle import is_policy_module

POLICIES = ROOT / "policies"
MODULES = sorted(p for p in POLICIES.rglob("*.rego") if is_policy_module(p))
TESTS = sorted(POLICIES.rglob("*_test.rego"))


@pytest.mark.parametrize("module", MODULES, ids=[p.name for p in MODULES])
def test_policy_has_tests_and_default_deny(module):
    """Every policy module has a test file beside it, imports rego.v1 and denies by default."""
    assert module.with_name(module.stem + "_test.rego").exists()
    text = module.read_text()
    assert "import rego.v1" in text
    assert "default allow := false" in text


def test_rego_unit_tests_parse_in_a_subprocess():
    """The *_test.rego files parse (in a child process: regopy aborts on `with input as` plus `in`)."""
    script = (
        "import sys\nfrom regopy import Interpreter\n"
        "for n in sys.argv[1:]:\n    Interpreter().add_module(n, open(n).read())\nprint('ok')\n"
    )
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script, *map(str, TESTS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert result.stdout.strip().endswith("ok")
    assert len(TESTS) == len(MODULES)
