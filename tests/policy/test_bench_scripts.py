"""The policy benchmarks still run against the current code (tiny sizes: this checks that they work and print
their figures, not what the figures are)."""

from __future__ import annotations

import re
import subprocess
import sys

from hub.config import ROOT


def run_script(*argv: str) -> str:
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_policy_benchmark_prints_its_figures_and_the_target_verdict() -> None:
    out = run_script("bench/policy.py", "--decisions", "40", "--remote-decisions", "10")
    for label in (
        "baseline: engine floor",
        "embedded (regopy)",
        "embedded, 1 category",
        "reference: rule 2 only",
        "remote (OPA stand-in)",
    ):
        assert label in out
    assert "ratio to the floor" in out
    assert re.search(r"embedded vs OPA, 10 categories, ratio embedded/opa +CPU per decision +\d+\.\d\d", out)
    for engine in ("embedded", "opa"):  # CPU per decision, p50 and p99 of each engine, in the same run
        assert re.search(rf"embedded vs OPA, 10 categories, {engine} +cpu= *\d+\.\d+ ms/decision \(p50 .*p99", out)
    assert re.search(r"target embedded CPU per decision <= OPA's .*: (NOT )?met .* rule 2 alone: (NOT )?met", out)


def test_rego_cost_model_prints_every_piece() -> None:
    out = run_script("bench/rego_costs.py", "--rounds", "1", "--queries", "3")
    for label in ("floor: input conversion", "last_key", "set_of_categories", "category_reasons", "decision"):
        assert label in out
    counted = re.search(r"IR statements executed per decision: (\d+) for 10 categories, (\d+) for 1", out)
    assert counted, out[-500:]
    ten, one = map(int, counted.groups())
    assert ten > one > 0  # the trace was read: a decision on more categories runs more statements


def test_exchange_benchmark_counts_policy_evaluations_per_exchange() -> None:
    """A full exchange (notify, request, answer, read) against a real hub process costs at most 4 policy
    evaluations: access checks come from the API-access table, the answer is one `release` evaluation."""
    out = run_script("bench/exchange.py", "--counts")
    counted = re.search(r"hub +SQL statements .*?policy evaluations ([\d.]+),", out)
    assert counted, out[-800:]
    assert 0 < float(counted.group(1)) <= 4
    assert re.search(r"policy evaluations <= 4: met", out), out[-800:]
