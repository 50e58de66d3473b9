"""A hub of one's own, as production runs it: uvicorn with N workers (the options of `hub serve --workers N`)
on a free 127.0.0.1 port.

For loads, crash drills and benches. The server runs in its own process group (a new session), so that
`kill()` can SIGKILL the uvicorn master and every worker at once, as a power cut would, and `start()` can
bring it back on the same port and the same database. `stop()` ends it gracefully; a context manager
always stops it, so no server outlives its caller.

    with HubProcess("sqlite:////tmp/x/hub.db", workers=2) as hub:
        httpx.get(hub.url + "/health/ready")
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent


class HubDidNotStart(RuntimeError):
    """The hub did not answer /health/live in time (its log tail is in the message)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HubProcess:
    """uvicorn with `workers` workers serving hub.asgi:app on a free port, against `database_url`."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 2,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "HUB_ENV": "dev",
            "HUB_ISSUER": self.url,
            "HUB_DATABASE_URL": self.database_url,
            "HUB_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers /health/live."""
        # uvicorn with the options of `hub serve` (no access log: a request line could carry a token; no proxy
        # headers), started directly so the master does not load the operator's CLI first.
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--no-proxy-headers",
        ]
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 - closed in _reap
        self.process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            command,
            env=self.environment(),
            cwd=ROOT,
            start_new_session=True,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self._log else subprocess.DEVNULL,
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.answers():
                return
            time.sleep(0.1)
        self._signal(signal.SIGKILL)
        raise HubDidNotStart(f"the hub did not start on {self.url}: {self.log_tail()}")

    def answers(self) -> bool:
        try:
            return httpx.get(self.url + "/health/live", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL the uvicorn master and its workers (the whole process group): a crash, no clean-up."""
        self._signal(signal.SIGKILL)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the process group and wait; SIGKILL what is left after `timeout`."""
        if self.process is None:
            return
        self._signal(signal.SIGTERM, wait=timeout)
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int, wait: float = 10.0) -> None:
        process = self.process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # the group id is the master's pid (start_new_session)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return
        self._reap()

    def _reap(self) -> None:
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, chars: int = 2000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]

    def __enter__(self) -> HubProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
