"""Reloading policies without a restart: complete-or-nothing, refused when invalid, on SIGHUP and by command."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs
from typer.testing import CliRunner

from hub.cli import app as cli
from hub.policy.bundle import PolicyLoadError
from hub.policy.pdp import EmbeddedPDP
from hub.policy.pep import decide_request
from hub.policy.reload import install_sighup, register_process, reload_now, signal_processes
from tests.policy.vectors import request

REGISTER = Path("dt") / "register" / "data.json"


def _set_register_version(policies: Path, version: str) -> None:
    path = policies / REGISTER
    data = json.loads(path.read_text())
    data["activities"]["reintegration"]["version"] = version
    path.write_text(json.dumps(data))


def _wait_for(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_reload_changes_the_revision_of_later_decisions(policies_copy):
    """After a reload, decisions carry the new revision and follow the new policy data."""
    pdp = EmbeddedPDP(policies_copy)
    before = decide_request(pdp, request())
    _set_register_version(policies_copy, "2027.1")
    new_revision = pdp.reload()
    after = decide_request(pdp, request())
    assert new_revision != before.policy_revision
    assert after.policy_revision == new_revision
    assert (before.activity.version, after.activity.version) == ("2026.1", "2027.1")


@pytest.mark.parametrize(
    ("file", "content"),
    [
        ("dt/request.rego", "package dt.request\n\nimport rego.v1\n\ndecision := {\n"),
        ("dt/extra.rego", "this is not rego"),
        ("dt/register/data.json", "{not json"),
        # regopy would stop reading at the NUL and silently drop the rest of the module
        ("dt/extra.rego", "package dt.extra\n\nimport rego.v1\n\nx := 1\n\0\ny := 2\n"),
    ],
)
def test_invalid_policy_is_refused_and_old_stays(file, content, policies_copy):
    """A syntax error at reload is refused with a reason; the old bundle keeps deciding."""
    pdp = EmbeddedPDP(policies_copy)
    old = pdp.revision
    (policies_copy / file).write_text(content)
    with capture_logs() as logs, pytest.raises(PolicyLoadError):
        pdp.reload()
    assert pdp.revision == old
    decision = decide_request(pdp, request())
    assert decision.allow is True and decision.policy_revision == old
    refused = [e for e in logs if e["event"] == "policy.reload_refused"]
    assert refused and refused[0]["revision"] == old and file.split("/")[-1] in refused[0]["error"]
    assert reload_now(pdp) is None


def test_no_decision_sees_half_a_bundle(policies_copy):
    """While reloads swap bundles, every decision's revision matches the policy data that made it."""
    pdp = EmbeddedPDP(policies_copy)
    version_of = {pdp.revision: "2026.1"}
    seen: list[tuple[str, str]] = []
    stop = threading.Event()

    def decide_repeatedly() -> None:
        while not stop.is_set():
            d = decide_request(pdp, request())
            seen.append((d.policy_revision, d.activity.version))

    threads = [threading.Thread(target=decide_repeatedly) for _ in range(2)]
    for t in threads:
        t.start()
    for i in range(6):
        version = f"2030.{i}"
        _set_register_version(policies_copy, version)
        version_of[pdp.reload()] = version
    stop.set()
    for t in threads:
        t.join()
    assert len(seen) > 0
    assert all(version_of[revision] == version for revision, version in seen)


def test_sighup_reloads_the_running_process(policies_copy, tmp_path):
    """SIGHUP to a registered hub process reloads its policies in the background."""
    pdp = EmbeddedPDP(policies_copy)
    old = pdp.revision
    previous = signal.getsignal(signal.SIGHUP)
    try:
        assert install_sighup(pdp) is True
        run_dir = tmp_path / "run"
        register_process(run_dir)
        (run_dir / "hub-999999999.pid").write_text("999999999")  # a process that is gone
        _set_register_version(policies_copy, "2031.1")
        assert signal_processes(run_dir).signalled == [os.getpid()]
        assert _wait_for(lambda: pdp.revision != old)
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert decide_request(pdp, request()).activity.version == "2031.1"
    assert not (run_dir / "hub-999999999.pid").exists()


def test_cli_reload_refuses_a_broken_policy(policies_copy):
    """`hub policy reload` checks the files first and signals nobody when they do not compile."""
    (policies_copy / "dt" / "api.rego").write_text("package dt.api\n\nallow if {\n")
    result = CliRunner().invoke(cli, ["policy", "reload", "--policies", str(policies_copy)])
    assert result.exit_code == 1
    assert "policy refused" in result.output and "api.rego" in result.output


def test_cli_check_prints_the_revision(policies_copy):
    """`hub policy check` compiles the policies and prints their revision."""
    result = CliRunner().invoke(cli, ["policy", "check", "--policies", str(policies_copy)])
    assert result.exit_code == 0
    assert result.stdout.strip() == EmbeddedPDP(policies_copy).revision
