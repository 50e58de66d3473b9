"""Servers for bench/exchange.py: a fresh database per run, and the hub or the baseline under uvicorn with
several workers, as a subprocess that is always stopped (SIGTERM, then SIGKILL) when the block ends."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds used so far by the live processes of a process group (Linux /proc)."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ... utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / tick


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(postgres: str):
    url = make_url(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    return create_engine(url, isolation_level="AUTOCOMMIT"), url


@contextlib.contextmanager
def fresh_database(postgres: str | None, tmp: Path, name: str) -> Iterator[str]:
    """A new, empty database: a SQLite file in `tmp`, or a PostgreSQL database created and dropped here."""
    if postgres is None:
        yield f"sqlite:///{tmp / (name + '-' + uuid.uuid4().hex[:6] + '.db')}"
        return
    admin, url = _admin(postgres)
    database = f"hub_bench_{name}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield url.set(database=database).render_as_string(hide_password=False).replace("+psycopg", "")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def prepare(kind: str, url: str) -> None:
    """Migrate the hub's database (as `hub migrate` does), or create the baseline's three tables."""
    if kind == "hub":
        from hub.migrations import upgrade

        upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
    else:
        from bench.baseline_app import create_tables

        create_tables(url)


def command(kind: str, port: int, workers: int) -> list[str]:
    if kind == "hub":  # exactly the production entry point: `hub serve --workers N`
        return [
            str(Path(PYTHON).parent / "hub"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    return [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.baseline_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def environment(kind: str, url: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if kind == "hub":
        env.update({"HUB_ENV": "dev", "HUB_DATABASE_URL": url, "HUB_ISSUER": f"http://127.0.0.1:{port}"})
    else:
        env["BENCH_BASELINE_DATABASE_URL"] = url
    env.update(extra or {})
    return env


@contextlib.contextmanager
def running(
    kind: str,
    url: str,
    log_path: Path,
    *,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    wrap: list[str] | None = None,
) -> Iterator[tuple[str, int]]:
    """Start the server, wait until /health/ready answers (at most 60 s), yield its base URL and process
    group id, stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own entry points
            [*(wrap or []), *command(kind, port, workers)],
            cwd=ROOT,
            env=environment(kind, url, port, extra_env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(base, process, log_path)
            yield base, process.pid
        finally:
            _stop(process)


def _wait_ready(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(base + "/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready within 60 s; see {log_path}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (the uvicorn supervisor and its workers), SIGKILL after 15 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
