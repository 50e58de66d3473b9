"""Reloading the policies without a restart.

A running hub process reloads on SIGHUP. `hub policy reload` checks the files first (they must compile)
and then sends SIGHUP to every hub process that registered itself in the run directory (one pid file per
process, so several uvicorn workers all reload). The reload itself runs in a thread: it builds the new
bundle completely, then swaps it in; an invalid new policy is refused and the old one stays in force.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

import structlog

from hub.config import ROOT
from hub.policy import catalogue, register
from hub.policy.bundle import PolicyLoadError
from hub.policy.pdp import PolicyDecisionPoint

log = structlog.get_logger(__name__)

RUN_DIR = ROOT / "var" / "run"


def reload_now(pdp: PolicyDecisionPoint) -> str | None:
    """Reload `pdp`; return the new revision, or None when the new policy was refused."""
    try:
        revision = pdp.reload()
    except PolicyLoadError:
        return None  # logged by the PDP as policy.reload_refused; the old bundle stays in force
    except Exception as exc:  # never let a reload take the worker down
        log.error("policy.reload_failed", error_type=type(exc).__name__, error=str(exc)[:300])
        return None
    catalogue.invalidate()
    register.invalidate()
    return revision


def install_sighup(pdp: PolicyDecisionPoint) -> bool:
    """Reload on SIGHUP. Only possible in the main thread; returns whether the handler was installed."""
    if not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
        log.info("policy.sighup_not_installed", reason="not the main thread")
        return False

    def _on_sighup(_signum, _frame) -> None:
        log.info("policy.reload_requested", source="SIGHUP")
        threading.Thread(target=reload_now, args=(pdp,), name="policy-reload", daemon=True).start()

    signal.signal(signal.SIGHUP, _on_sighup)
    return True


def pid_file(run_dir: Path = RUN_DIR, pid: int | None = None) -> Path:
    return run_dir / f"hub-{pid or os.getpid()}.pid"


def register_process(run_dir: Path = RUN_DIR) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    path = pid_file(run_dir)
    path.write_text(str(os.getpid()))
    return path


def unregister_process(run_dir: Path = RUN_DIR) -> None:
    with contextlib.suppress(FileNotFoundError):
        pid_file(run_dir).unlink()


def signal_processes(run_dir: Path = RUN_DIR) -> list[int]:
    """Send SIGHUP to every registered, live hub process; forget the pid files of dead ones."""
    signalled = []
    for path in sorted(run_dir.glob("hub-*.pid")):
        try:
            pid = int(path.read_text().strip())
            os.kill(pid, signal.SIGHUP)
        except (ValueError, ProcessLookupError):
            path.unlink(missing_ok=True)
            continue
        except PermissionError:
            continue
        signalled.append(pid)
    return signalled
