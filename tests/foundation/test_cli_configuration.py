"""The `hub` command with a refused configuration (issue 12, item 4): one line naming the setting, status 1,
no traceback, and `hub serve` never starts uvicorn (which would respawn a failing worker forever). And the
served hub does not announce `server: uvicorn`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hub.config import DEV_CERTS, ROOT

HUB = str(Path(sys.executable).parent / "hub")  # the installed operator's command


def run_hub(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.run(  # noqa: S603 - our own command, no shell
        [HUB, *args], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *named: str) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for name in named:
        assert name in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "command", [["serve", "--workers", "2", "--port", "1"], ["migrate"], ["audit", "checkpoint"], ["retention", "run"]]
)
def test_production_without_settings_is_one_line(command):
    """HUB_ENV=production without its secrets: every command says which settings are missing, in one line,
    and hints at HUB_ENV=dev because certs/dev/ exists here; `serve` stops before uvicorn binds a port."""
    line = assert_one_line(run_hub(*command, HUB_ENV="production"), "HUB_DATABASE_URL")
    assert DEV_CERTS.exists()  # `make setup` made it: so the hint is due
    assert "HUB_ENV=dev" in line
    assert "Uvicorn" not in line and "Started" not in line


def test_malformed_issuer_is_one_line_naming_it():
    """A value pydantic refuses (HUB_ISSUER="https:// ") is one line naming HUB_ISSUER, without the hint in
    development."""
    line = assert_one_line(run_hub("serve", HUB_ENV="dev", HUB_ISSUER="https:// "), "HUB_ISSUER", "whitespace")
    assert "HUB_ENV=dev" not in line


def test_invalid_registry_stops_serve_before_uvicorn(tmp_path):
    """An empty partner registry: `hub serve` names the registry folder and ends, nothing is served."""
    line = assert_one_line(
        run_hub("serve", HUB_ENV="dev", HUB_PARTNER_REGISTRY_DIR=str(tmp_path), HUB_DATABASE_URL="sqlite://"),
        str(tmp_path),
    )
    assert "no partner files" in line


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_served_hub_does_not_announce_uvicorn(tmp_path):
    """`hub serve` (as the Dockerfile runs it) answers without a `server` header and with the security headers."""
    port = _free_port()
    env = {"HUB_ENV": "dev", "HUB_DATABASE_URL": f"sqlite:///{tmp_path}/hub.db", "HUB_LOG_LEVEL": "WARNING"}
    assert run_hub("migrate", **env).returncode == 0
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [HUB, "serve", "--port", str(port)],
        env={**clean, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = None
        for _ in range(300):  # waits for start-up; the assertions below do not depend on how long it took
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/me", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, "the hub stopped"
                time.sleep(0.1)
        assert response is not None, "the hub did not answer"
        assert response.status_code == 401
        assert "server" not in response.headers
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        process.terminate()
        process.wait(timeout=10)
