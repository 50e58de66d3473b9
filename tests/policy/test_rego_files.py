"""The Rego sources: strict v1 syntax, default deny, a *_test.rego beside every policy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.config import ROOT
from hub.policy.bundle import is_policy_module

POLICIES = ROOT / "policies"
MODULES = sorted(p for p in POLICIES.rglob("*.rego") if is_policy_module(p))
TESTS = sorted(POLICIES.rglob("*_test.rego"))
HUB = Path(sys.executable).parent / "hub"


@pytest.mark.parametrize("module", MODULES, ids=[p.name for p in MODULES])
def test_policy_has_tests_and_default_deny(module):
    """Every policy module has a test file beside it, imports rego.v1 and denies by default."""
    assert module.with_name(module.stem + "_test.rego").exists()
    text = module.read_text()
    assert "import rego.v1" in text
    assert "default allow := false" in text


def test_hub_policy_test_runs_every_rego_test_on_real_opa():
    """`hub policy test` runs every test_ rule of every *_test.rego on real OPA and passes only when all are true."""
    expected = sum(len(re.findall(r"^test_\w+", p.read_text(), re.MULTILINE)) for p in TESTS)
    result = subprocess.run(  # noqa: S603 - fixed argv
        [str(HUB), "policy", "test", "-v"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.stdout.count(": PASS") == expected >= 30
    assert f"PASS: {expected}/{expected} (OPA 1.20.2)" in result.stdout
    assert len(TESTS) == len(MODULES)


def test_hub_policy_test_fails_on_a_false_or_undefined_test(policies_copy):
    """A test rule that is false, undefined (a failed body, a missing field) or an error fails the run, as in
    `opa test`; only true passes."""
    (policies_copy / "dt" / "extra_test.rego").write_text(
        "package dt.extra_test\n\nimport rego.v1\n\n"
        "test_false if { 1 == 2 }\n\ntest_undefined if { input.nothing == 1 }\n\ntest_true if { 1 == 1 }\n\n"
        'test_value_false := false\n\ntest_value_string := "true"\n\ntest_error if { 1 / 0 == 1 }\n'
    )
    result = subprocess.run(  # noqa: S603 - fixed argv
        [str(HUB), "policy", "test", "--policies", str(policies_copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "data.dt.extra_test.test_false: FAIL" in result.stdout
    assert "data.dt.extra_test.test_undefined: FAIL (undefined)" in result.stdout
    assert "data.dt.extra_test.test_value_false: FAIL (False)" in result.stdout
    assert "data.dt.extra_test.test_value_string: FAIL ('true')" in result.stdout
    assert re.search(r"data\.dt\.extra_test\.test_error: (FAIL|ERROR)", result.stdout)
    assert "data.dt.extra_test.test_true" not in result.stdout  # passing tests are listed only with -v
    assert re.search(r"^FAIL: (\d+)/\1", result.stdout, re.MULTILINE) is None  # not all passed
