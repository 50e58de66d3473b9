"""The benchmarks of cost as the data grows still run against the current code (tiny sizes: this checks that
they work and print their figures in the expected shape, not what the figures are)."""

from __future__ import annotations

import re

from tests.policy.test_bench_scripts import run_script


def test_audit_benchmark_prints_the_annual_report_per_log_size() -> None:
    out = run_script("bench/audit.py", "--annual", "--sizes", "1000,3000", "--repeats", "1")
    first = re.search(r"\[sqlite\] +1,000 records \(1,000 in (\d{4})\): annual report median [\d.]+ s", out)
    assert first, out[-800:]
    grown = re.search(
        r"\[sqlite\] +3,000 records \(1,000 in \d{4}\): annual report median [\d.]+ s \(CPU [\d.]+ s\) over 1 runs "
        r"\(target < 2 s: (NOT )?met\); ratio to 1,000 records: wall [\d.]+, CPU [\d.]+; "
        r"(same figures|FIGURES DIFFER .*); load [\d.]+",
        out,
    )
    assert grown, out[-800:]
    assert "same figures" in grown.group(0)  # the records beyond the year asked change nothing in its report
    assert re.search(rf"figures for {first.group(1)}: \(\d+, \d+, \d+, \d+, \d+, \d+, \d+, ", out)
    assert re.search(r"load average [\d.]+ at start", out)


def test_growth_benchmark_prints_empty_against_filled_counts() -> None:
    out = run_script("bench/growth.py", "--cases", "300", "--records", "2000", "--counts", "--postgres", "")
    assert "== SQLite: empty ==" in out and "filled with 300 cases and 2,000 log records" in out, out[-800:]
    counts = re.findall(r"hub counts per exchange: statements (\d+(?:\.\d+)?), .*?evaluations [\d.]+, log lines", out)
    assert len(counts) == 2 and all(float(c) > 0 for c in counts), out[-800:]
    ratios = re.search(r"filled / empty ==\n  counts per exchange: statements ([\d.]+), round_trips [\d.]+", out)
    assert ratios, out[-800:]
