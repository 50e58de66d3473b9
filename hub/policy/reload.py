"""Reloading the policies without a restart.

A running hub process reloads on SIGHUP. `hub policy reload` checks the files first (they must compile)
and then sends SIGHUP to every hub process that registered itself in the run directory (one pid file per
process, so several uvicorn workers all reload). The reload itself runs in a thread: it builds the new
bundle completely, then swaps it in; an invalid new policy is refused and the old one stays in force.

A pid outlives its process: after a crash the kernel may give it to an unrelated program, which SIGHUP
would terminate. So a pid file also records who the process is (its start time and a digest of its
command line, from /proc), and only a live process that still matches, and belongs to the owner of the
pid file, is signalled; a mismatch marks the file stale and removes it. Where /proc cannot confirm a
process, it is not signalled at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from hub.config import ROOT
from hub.policy import catalogue, origin_register, register
from hub.policy.bundle import PolicyLoadError
from hub.policy.pdp import PolicyDecisionPoint

log = structlog.get_logger(__name__)

RUN_DIR = ROOT / "var" / "run"
PROC = Path("/proc")


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
    origin_register.invalidate()
    _rebuild_access_table(pdp)
    return revision


def _rebuild_access_table(pdp: PolicyDecisionPoint) -> None:
    """The new bundle's API-access table, built now rather than at the next access check. If it cannot be built
    (logged as policy.access_table_refused), access checks are refused until a build succeeds."""
    from hub.policy.access_table import TABLES
    from hub.policy.pdp import PolicyUnavailable

    with contextlib.suppress(PolicyUnavailable):
        TABLES.rebuild(pdp)


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


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """What tells a process apart from a later one that was given the same pid."""

    pid: int
    start_time: int  # clock ticks after boot: field 22 (`starttime`) of /proc/<pid>/stat
    cmdline_digest: str  # sha256 of /proc/<pid>/cmdline: a digest, as a command line may carry a secret
    uid: int

    def record(self) -> str:
        """The pid file's content."""
        return f"{self.pid} {self.start_time} {self.cmdline_digest}"


def identify(pid: int) -> ProcessIdentity | None:
    """The identity of the live process `pid`, or None when it is gone or there is no /proc to ask."""
    try:
        uid = (PROC / str(pid)).stat().st_uid
        stat = (PROC / str(pid) / "stat").read_text()
        cmdline = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    # Field 2 is the command name in parentheses, which may itself hold spaces and ')': count after the last.
    after_name = stat[stat.rindex(")") + 2 :].split()
    return ProcessIdentity(pid, int(after_name[22 - 3]), hashlib.sha256(cmdline).hexdigest(), uid)


def register_process(run_dir: Path = RUN_DIR) -> Path:
    """Write this process's pid file with its identity: atomically, readable by its owner only."""
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    run_dir.chmod(0o700)  # mkdir's mode passes through the umask and leaves an existing directory as it was
    identity = identify(os.getpid())
    fd, temporary = tempfile.mkstemp(dir=run_dir, prefix=".hub-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w") as file:
            file.write(identity.record() if identity else str(os.getpid()))  # no /proc: never signalled
        path = pid_file(run_dir)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def unregister_process(run_dir: Path = RUN_DIR) -> None:
    with contextlib.suppress(FileNotFoundError):
        pid_file(run_dir).unlink()


@dataclass(slots=True)
class SignalReport:
    """What `signal_processes` did with the pid files."""

    signalled: list[int] = field(default_factory=list)
    not_signalled: dict[int, str] = field(default_factory=dict)  # pid -> why it was left alone
    removed: list[str] = field(default_factory=list)  # names of the stale pid files it deleted


class _Stale(Exception):
    """The pid file names a process that is gone, or a pid that now belongs to another process."""


def signal_processes(run_dir: Path | None = None) -> SignalReport:
    """Send SIGHUP to every registered hub process that is alive and still the process that registered."""
    report = SignalReport()
    for path in sorted((run_dir or RUN_DIR).glob("hub-*.pid")):
        try:
            recorded = path.read_text().strip()
            pid = _pid_in(recorded)
            refusal = _signal_if_confirmed(pid, recorded, path)
        except FileNotFoundError:
            continue  # unregistered meanwhile
        except _Stale:
            if _remove_if_unchanged(path, recorded):
                report.removed.append(path.name)
            continue
        if refusal is None:
            report.signalled.append(pid)
        else:
            report.not_signalled[pid] = refusal
    return report


def _remove_if_unchanged(path: Path, recorded: str) -> bool:
    """Remove a stale pid file, unless a new process that was given the same pid has meanwhile written its own
    file there (os.replace): that file is not stale, and its process must go on getting SIGHUP. This narrows
    the window to the moment between the re-read and the unlink; it does not close it."""
    try:
        if path.read_text().strip() != recorded:
            return False
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _pid_in(recorded: str) -> int:
    """The pid a pid file's content names (its first word)."""
    try:
        return int(recorded.split(" ", 1)[0])
    except ValueError as error:
        raise _Stale from error  # not a pid file of ours


def _signal_if_confirmed(pid: int, recorded: str, path: Path) -> str | None:
    """SIGHUP `pid` if it is the process `path` records; otherwise say why not (or raise _Stale)."""
    pidfd = _pidfd_open(pid)  # opened before the check: it keeps naming this process even if the pid is reused
    try:
        refusal = _unconfirmed(pid, recorded, path)
        if refusal is not None:
            return refusal
        try:
            if pidfd is None:
                os.kill(pid, signal.SIGHUP)
            else:
                signal.pidfd_send_signal(pidfd, signal.SIGHUP)
        except ProcessLookupError as error:
            raise _Stale from error
        except PermissionError:
            return "permission denied"
        return None
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _unconfirmed(pid: int, recorded: str, path: Path) -> str | None:
    """Why `pid` cannot be confirmed to be the process that wrote `path`; None when it is; _Stale when it is not."""
    current = identify(pid)
    if current is None:
        if (PROC / "self").exists():
            raise _Stale  # /proc answers for this process but not for `pid`: it is gone
        try:
            os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the pid is in use
        except ProcessLookupError as error:
            raise _Stale from error
        except PermissionError:
            pass  # in use, by another user's process
        return "no /proc on this system to confirm that it is still the hub process that registered"
    if recorded == str(pid):
        return "its pid file records no process identity (an older hub?): restart it, or send SIGHUP by hand"
    if recorded != current.record() or current.uid != path.stat().st_uid:
        raise _Stale  # the pid now belongs to another process, or to another user than the file's owner
    return None


def _pidfd_open(pid: int) -> int | None:
    """A pidfd for `pid`; None where pidfds are missing (not Linux >= 5.3, or refused by a seccomp profile)."""
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError as error:
        raise _Stale from error
    except (AttributeError, OSError):
        return None
