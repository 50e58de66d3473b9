"""The privacy officer's screenshots in docs/screens/ (docs/PRIVACY_OFFICER.md), taken by the officer's browser
test: Playwright on Debian's chromium over the seed scenario's log, axe-checked on every page.

    .venv/bin/python tools/officer_screenshots.py

It runs tests/web/test_officer_browser.py, which keeps a full-page screenshot of every page it visits in
var/screenshots/ (NN-fg-<page>.png), and copies those to docs/screens/fg-<page>.png. Nothing is copied when the
test fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "var" / "screenshots"
DOCS = ROOT / "docs" / "screens"
TEST = "tests/web/test_officer_browser.py"


def main() -> int:
    for old in SHOTS.glob("*-fg-*.png"):
        old.unlink()
    done = subprocess.run(  # noqa: S603 - our own test
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", TEST], cwd=ROOT, check=False
    )
    if done.returncode != 0:
        print(f"{TEST} failed: no screenshots copied", file=sys.stderr)
        return done.returncode
    copied = []
    for shot in sorted(SHOTS.glob("*-fg-*.png")):
        found = re.fullmatch(r"\d+-(fg-[a-z-]+)\.png", shot.name)
        if found:
            shutil.copyfile(shot, DOCS / f"{found.group(1)}.png")
            copied.append(found.group(1))
    print(f"copied to {DOCS.relative_to(ROOT)}: {', '.join(copied)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
