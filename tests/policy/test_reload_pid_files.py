"""`hub policy reload` signals only the hub processes that registered, never a process that inherited a pid.

Real processes throughout: a `sleep` stands for an unrelated program that was given a stale pid file's pid,
and a small Python child registers itself and handles SIGHUP as the hub does.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app as cli
from hub.config import ROOT
from hub.policy import reload
from hub.policy.reload import identify, pid_file, register_process, signal_processes

REGISTERED_CHILD = """
import signal, sys, time
from pathlib import Path
from hub.policy.reload import register_process

hangups = []
signal.signal(signal.SIGHUP, lambda *_: hangups.append(1))
register_process(Path(sys.argv[1]))
print("registered", flush=True)
while not hangups:
    time.sleep(0.01)
print("SIGHUP", flush=True)
"""


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen]:
    """An unrelated, live process: SIGHUP would terminate it."""
    process = subprocess.Popen(["sleep", "300"])  # noqa: S607 - a harmless program from PATH
    yield process
    process.kill()
    process.wait()


def _terminated_by(process: subprocess.Popen) -> int:
    """End `process` with SIGTERM and return the signal it died of.

    A SIGHUP sent earlier and still pending is delivered first (Linux delivers the lower-numbered signal
    first), so the answer is SIGHUP if anyone sent one, without waiting for it to arrive.
    """
    process.terminate()
    return -process.wait()


def _write_pid_file(run_dir: Path, pid: int, content: str) -> Path:
    run_dir.mkdir(mode=0o700, exist_ok=True)
    path = pid_file(run_dir, pid)
    path.write_text(content)
    return path


def test_pid_file_is_written_atomically_for_its_owner_only(run_dir):
    """The pid file holds the process's identity, is mode 0600 in a 0700 directory, and no temporary is left."""
    run_dir.mkdir(mode=0o755)
    run_dir.chmod(0o755)
    path = register_process(run_dir)
    assert path.read_text() == identify(os.getpid()).record()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    assert list(run_dir.iterdir()) == [path]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda me: f"{me.pid} {me.start_time - 1} {me.cmdline_digest}", id="started-later"),
        pytest.param(lambda me: f"{me.pid} {me.start_time} {'0' * 64}", id="other-command-line"),
    ],
)
def test_pid_file_of_another_process_is_removed_and_not_signalled(run_dir, bystander, forge):
    """A pid file whose pid now names a process with another start time or command line is stale."""
    path = _write_pid_file(run_dir, bystander.pid, forge(identify(bystander.pid)))
    report = signal_processes(run_dir)
    assert (report.signalled, report.removed) == ([], [path.name])
    assert not path.exists()
    assert _terminated_by(bystander) == signal.SIGTERM


def test_pid_file_without_identity_is_not_signalled(run_dir, bystander):
    """A pid file of an older hub (a bare pid) cannot be confirmed: kept, reported, nobody signalled."""
    path = _write_pid_file(run_dir, bystander.pid, str(bystander.pid))
    report = signal_processes(run_dir)
    assert report.signalled == [] and "no process identity" in report.not_signalled[bystander.pid]
    assert path.exists()
    assert _terminated_by(bystander) == signal.SIGTERM


@pytest.mark.parametrize("system", ["linux", "without-proc-and-pidfd"])
def test_pid_file_of_an_exited_process_is_removed(run_dir, system, monkeypatch):
    """A pid file whose process has exited is removed, also where neither /proc nor pidfds exist."""
    process = subprocess.Popen(["sleep", "300"])  # noqa: S607 - a harmless program from PATH
    path = _write_pid_file(run_dir, process.pid, identify(process.pid).record())
    process.kill()
    process.wait()
    if system != "linux":
        monkeypatch.setattr(reload, "PROC", run_dir / "no-proc")
        monkeypatch.delattr(os, "pidfd_open")
    report = signal_processes(run_dir)
    assert (report.signalled, report.not_signalled, report.removed) == ([], {}, [path.name])
    assert not path.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give the pid file to another user")
def test_pid_file_owned_by_another_user_is_removed(run_dir, bystander):
    """A pid file written by another user than the process's owner is not trusted, even with the right identity."""
    path = _write_pid_file(run_dir, bystander.pid, identify(bystander.pid).record())
    os.chown(path, 65534, 65534)
    report = signal_processes(run_dir)
    assert (report.signalled, report.removed) == ([], [path.name])
    assert _terminated_by(bystander) == signal.SIGTERM


def test_registered_hub_process_gets_sighup(run_dir):
    """A live process that registered itself is confirmed and receives SIGHUP."""
    child = subprocess.Popen(  # noqa: S603 - our own child script
        [sys.executable, "-c", REGISTERED_CHILD, str(run_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "registered\n"
        report = signal_processes(run_dir)
        out, _ = child.communicate(timeout=120)  # a guard against a hang, not a measurement
    finally:
        child.kill()
    assert report.signalled == [child.pid] and report.removed == []
    assert (out, child.returncode) == ("SIGHUP\n", 0)


def test_without_proc_nothing_is_signalled_and_the_cli_says_so(run_dir, bystander, policies_copy, monkeypatch):
    """Where /proc is missing no identity can be confirmed: `hub policy reload` signals nobody and says why."""
    path = _write_pid_file(run_dir, bystander.pid, identify(bystander.pid).record())
    monkeypatch.setattr(reload, "PROC", run_dir / "no-proc")
    monkeypatch.setattr(reload, "RUN_DIR", run_dir)
    result = CliRunner().invoke(cli, ["policy", "reload", "--policies", str(policies_copy)])
    assert result.exit_code == 2
    assert f"process {bystander.pid} not signalled: no /proc" in result.output
    assert path.exists()
    assert _terminated_by(bystander) == signal.SIGTERM


def test_a_pid_file_rewritten_while_judged_stale_is_kept(run_dir, bystander, monkeypatch):
    """A new process given the stale file's pid writes its own file between the check and the removal: that
    file is not removed, and nobody is signalled."""
    path = _write_pid_file(run_dir, bystander.pid, f"{bystander.pid} 1 {'0' * 64}")
    fresh = identify(bystander.pid).record()
    judged = reload._unconfirmed

    def judge_then_rewrite(pid, recorded, file):
        try:
            return judged(pid, recorded, file)
        finally:
            file.write_text(fresh)  # as register_process's os.replace would, in that window

    monkeypatch.setattr(reload, "_unconfirmed", judge_then_rewrite)
    report = signal_processes(run_dir)
    assert (report.signalled, report.removed) == ([], [])
    assert path.read_text() == fresh
    assert _terminated_by(bystander) == signal.SIGTERM
