"""`make run PORT=…` and `make demo HUB_URL=…` (issue 12, first hour): the commands make would run, read with
`make -n` (nothing is run)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from hub.config import ROOT

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def planned(*args: str, **env: str) -> str:
    # Under `make test` the suite itself runs inside make (MAKELEVEL, MAKEFLAGS set): without them and with
    # --no-print-directory, the nested make prints no "Entering/Leaving directory" lines around its plan.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "MAKE")) and k != "MFLAGS"}
    result = subprocess.run(  # noqa: S603 - make with fixed arguments
        [str(MAKE), "--no-print-directory", "-n", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip().splitlines()[-1]


def test_run_serves_on_the_port_given_with_the_issuer_following_it():
    """PORT sets the port and, unless HUB_ISSUER is set, the issuer partners must use as audience."""
    assert planned("run").endswith("hub serve --host 127.0.0.1 --port 8000")
    line = planned("run", "PORT=9001")
    assert line.endswith("hub serve --host 127.0.0.1 --port 9001")
    assert 'HUB_ISSUER="${HUB_ISSUER:-http://127.0.0.1:9001}"' in line


def test_demo_talks_to_the_hub_given():
    """HUB_URL becomes the demo's --hub-url; without it the demo uses its default."""
    assert planned("demo", "HUB_URL=http://127.0.0.1:9001").endswith("-m partners.demo --hub-url http://127.0.0.1:9001")
    assert planned("demo").endswith("-m partners.demo")
