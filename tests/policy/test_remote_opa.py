"""The remote decision point against an OPA that requires the hub's token (security review M2), and the
revision it reports: that of what the OPA server runs.

The server is the OPA stand-in (tests.support.opa_standin) with a token: it runs deploy/opa/authz.rego through
regopy for every request, as `opa run --authentication=token --authorization=basic` does.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import httpx
import pytest
from structlog.testing import capture_logs

from hub.config import ROOT, Settings
from hub.policy import make_pdp
from hub.policy.bundle import ENTRYPOINTS, PolicyLoadError, read_source
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pdp import PolicyUnavailable
from hub.policy.pep import check_operation, decide_request
from hub.policy.remote import REVISION_KIND, RemotePDP, data_document_paths, local_content, opa_authz_data
from tests.policy.vectors import request
from tests.support.opa import OPA_TOKEN, write_token_file
from tests.support.opa_standin import StandinServer

POLICIES = ROOT / "policies"
HUB = {"Authorization": f"Bearer {OPA_TOKEN}"}
UNAUTHORIZED = {"code": "unauthorized", "message": "request rejected by administrative policy"}
DOCUMENTS = data_document_paths(POLICIES)
REQUEST = {"input": request()}

# Every request the hub makes: its decisions (one per entry point), /health, and reading back what OPA runs.
HUB_CALLS = [
    *[("POST", f"/v1/data/{path}", REQUEST) for path in ENTRYPOINTS.values()],
    ("GET", "/health", None),
    ("GET", "/v1/policies", None),
    *[("GET", f"/v1/data/{path}", None) for path in DOCUMENTS],
]
# What the hub's token may not do: change or delete policies or data, read other documents, ask with query
# parameters (explain, metrics), or use OPA's other APIs.
FORBIDDEN_CALLS = [
    ("PUT", "/v1/policies/dt/request.rego", "package dt.request\n\ndecision := {}\n"),
    ("PUT", "/v1/policies//policies/dt/request.rego", "package dt.request\n\ndecision := {}\n"),
    ("DELETE", "/v1/policies/dt/request.rego", None),
    ("PUT", "/v1/data/dt/register", {}),
    ("PATCH", "/v1/data/dt/register", []),
    ("DELETE", "/v1/data/dt/register", None),
    ("GET", "/v1/data", None),
    ("GET", "/v1/data/hub_authz", None),
    ("GET", "/v1/data/dt", None),
    ("GET", "/v1/data/dt/request/decision", None),
    ("POST", "/v1/data/dt", REQUEST),
    ("POST", "/v1/data/dt/request/refusal_reason", REQUEST),
    ("POST", "/v1/data/dt/request/decision?explain=full", REQUEST),
    ("GET", "/v1/policies?pretty=true", None),
    ("GET", "/v1/policies/%2Fpolicies%2Fdt%2Frequest.rego", None),
    ("POST", "/v1/query", {"query": "data"}),
    ("POST", "/v1/compile", {"query": "data.dt"}),
    ("GET", "/v1/config", None),
    ("GET", "/v1/status", None),
    ("POST", "/", {}),
    ("GET", "/metrics", None),
]


def _send(server: StandinServer, method: str, path: str, body, headers: dict[str, str]) -> httpx.Response:
    content = body if isinstance(body, str) else None
    payload = None if isinstance(body, str) or body is None else body
    return httpx.request(method, server.url + path, content=content, json=payload, headers=headers, timeout=10)


@pytest.mark.parametrize(("method", "path", "body"), HUB_CALLS)
def test_hub_token_opens_what_the_hub_needs(standin, method, path, body):
    """With the hub's token each call the hub makes is served."""
    response = _send(standin, method, path, body, HUB)
    assert response.status_code == 200, response.text
    if path.startswith("/v1/"):
        assert "result" in response.json()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer " + secrets.token_urlsafe(32)},
        {"Authorization": f"Bearer {OPA_TOKEN}x"},
        {"Authorization": f"Basic {OPA_TOKEN}"},
        {"Authorization": OPA_TOKEN},
        {"X-Token": OPA_TOKEN},
    ],
    ids=["none", "other", "extended", "basic", "bare", "other-header"],
)
@pytest.mark.parametrize(("method", "path", "body"), HUB_CALLS)
def test_without_the_token_every_call_is_401(standin, method, path, body, headers):
    """Without the hub's token (or with another) OPA answers 401 with its own body, /health included."""
    response = _send(standin, method, path, body, headers)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


@pytest.mark.parametrize(("method", "path", "body"), FORBIDDEN_CALLS)
def test_hub_token_cannot_change_or_read_anything_else(standin, method, path, body):
    """The hub's token does not open writes, other documents, query parameters or OPA's other APIs."""
    response = _send(standin, method, path, body, HUB)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_authz_data_holds_the_digest_never_the_token():
    """What OPA loads (secrets/opa-authz.json) is the token's SHA-256, not the token."""
    document = json.dumps(opa_authz_data(OPA_TOKEN))
    assert OPA_TOKEN not in document
    assert len(opa_authz_data(OPA_TOKEN)["hub_authz"]["token_sha256"]) == 64


def test_remote_sends_the_token_on_every_call(remote_pdp):
    """The hub's client decides every rule, reads the revision and the health through the token-guarded API."""
    assert decide_request(remote_pdp, request()).allow is True
    assert check_operation(remote_pdp, "dji", "notification.create").allow is True
    assert remote_pdp.healthy() is True
    assert remote_pdp.served().revision == remote_pdp.revision


@pytest.mark.parametrize("token", [None, "wrong-" + secrets.token_urlsafe(32)], ids=["no-token", "wrong-token"])
def test_rejected_token_is_a_policy_unavailable_refusal(standin, token):
    """A 401 from OPA fails closed: every decision is a policy_unavailable error, and the log says why."""
    with capture_logs() as logs:
        pdp = RemotePDP(standin.url, 5.0, POLICIES, token=token)
        with pytest.raises(PolicyUnavailableError) as decision:
            decide_request(pdp, request())
        with pytest.raises(PolicyUnavailableError) as operation:
            check_operation(pdp, "dji", "notification.create")
    assert (decision.value.code, decision.value.extra["policy_revision"]) == ("policy_unavailable", "unavailable")
    assert (operation.value.code, operation.value.extra["operation"]) == ("policy_unavailable", "notification.create")
    assert pdp.healthy() is False
    errors = [e["error"] for e in logs if e["event"] in ("policy.unavailable", "policy.revision_unknown")]
    assert len(errors) == 3 and all(e.startswith("OPA refused the hub's token (401)") for e in errors)


def test_make_pdp_reads_the_token_file(standin, tmp_path):
    """HUB_OPA_TOKEN_FILE is read (its newline stripped) and sent: the app's decision point gets through."""
    settings = Settings(
        env="dev", opa_url=standin.url, opa_timeout_seconds=5, opa_token_file=write_token_file(tmp_path)
    )
    pdp = make_pdp(settings)
    try:
        assert decide_request(pdp, request()).allow is True
    finally:
        pdp.close()


def test_remote_revision_is_of_its_own_kind_and_equals_the_local_copy(remote_pdp, embedded_pdp):
    """The remote revision is `opa-sha256:`, equal to the same function over the local files, never the
    embedded `sha256:` revision; OPA's test modules and its system.authz module are not part of it."""
    assert remote_pdp.revision.startswith(REVISION_KIND)
    assert remote_pdp.revision == local_content(read_source(POLICIES), DOCUMENTS).revision
    assert remote_pdp.revision != embedded_pdp.revision
    modules = {
        f"module:{path.relative_to(POLICIES).as_posix()}"
        for path in POLICIES.rglob("*.rego")
        if not path.name.endswith("_test.rego")
    }
    assert set(remote_pdp.served().digests) == modules | {f"data:{path}" for path in DOCUMENTS}
    listed = httpx.get(f"{remote_pdp.url}/v1/policies", headers=HUB).json()["result"]
    assert {"/authz/authz.rego", "/policies/dt/request_test.rego"} <= {m["id"] for m in listed}


def test_decisions_carry_the_revision_of_the_server(remote_pdp):
    """Every decision reports the revision the OPA server gave."""
    assert decide_request(remote_pdp, request()).policy_revision == remote_pdp.revision


@pytest.fixture
def server(policies_copy: Path):
    with StandinServer(policies_copy, token=OPA_TOKEN) as server:
        yield server


def _mismatches(logs: list[dict]) -> list[list[str]]:
    return [e["differs"] for e in logs if e["event"] == "policy.revision_mismatch" and e["log_level"] == "error"]


def test_revision_follows_a_policy_changed_on_the_server(server, policies_copy):
    """A module changed on the server (as OPA's --watch takes an edited file) changes the revision at the next
    reload, decisions carry it, and the difference from the local copy is logged by path."""
    pdp = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN)
    before = pdp.revision
    changed = (policies_copy / "dt" / "api.rego").read_text() + "\n# changed on the server\n"
    server.replace_module("dt/api.rego", changed)
    assert decide_request(pdp, request()).policy_revision == before  # not read again until a reload
    with capture_logs() as logs:
        after = pdp.reload()
    assert after != before and after.startswith(REVISION_KIND)
    assert decide_request(pdp, request()).policy_revision == after
    assert _mismatches(logs) == [["module:dt/api.rego"]]

    (policies_copy / "dt" / "api.rego").write_text(changed)  # the local copy catches up
    with capture_logs() as logs:
        assert pdp.reload() == after
    assert _mismatches(logs) == []
    assert after == local_content(read_source(policies_copy), DOCUMENTS).revision


def test_a_module_added_on_the_server_is_part_of_the_revision(server, policies_copy):
    """A module the local copy does not have changes the server's revision and is named in the mismatch."""
    pdp = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN)
    before = pdp.revision
    server.replace_module("dt/extra.rego", "package dt.extra\n\nimport rego.v1\n\nanswer := 42\n")
    with capture_logs() as logs:
        assert pdp.reload() != before
    assert _mismatches(logs) == [["module:dt/extra.rego"]]


def test_local_data_that_differs_from_the_server_is_logged(server, policies_copy):
    """A data document that differs between the local copy and the server is logged as a mismatch; the
    revision stays the server's."""
    pdp = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN)
    before = pdp.revision
    path = policies_copy / "dt" / "register" / "data.json"
    register = json.loads(path.read_text())
    register["activities"]["reintegration"]["version"] = "2099.1"
    path.write_text(json.dumps(register))
    with capture_logs() as logs:
        assert pdp.reload() == before
    assert _mismatches(logs) == [["data:dt/register"]]


def test_data_reformatted_locally_is_no_mismatch(server, policies_copy):
    """Data documents are compared as canonical JSON: the same data written differently is the same revision."""
    pdp = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN)
    path = policies_copy / "dt" / "catalogue" / "data.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=7, sort_keys=True))
    with capture_logs() as logs:
        assert pdp.reload() == pdp.revision
    assert _mismatches(logs) == []


def test_revision_is_read_when_opa_comes_up(policies_copy):
    """With OPA down at start-up the revision is unknown and decisions are refused; once OPA answers, the
    first decision reads the revision and carries it."""
    server = StandinServer(policies_copy, token=OPA_TOKEN)  # bound, not yet listening
    with capture_logs() as logs:
        pdp = RemotePDP(server.url, 1.0, policies_copy, token=OPA_TOKEN)
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == ["policy.revision_unknown"]
    with pytest.raises(PolicyUnavailable):
        _ = pdp.revision
    with pytest.raises(PolicyUnavailableError) as refused:
        decide_request(pdp, request())
    assert refused.value.extra["policy_revision"] == "unavailable"
    with server:
        decision = decide_request(pdp, request())
    assert decision.allow is True
    assert decision.policy_revision == pdp.revision == local_content(read_source(policies_copy), DOCUMENTS).revision


def test_reload_keeps_the_revision_when_opa_does_not_answer(policies_copy):
    """A reload while OPA is away is refused and the revision read last stays."""
    server = StandinServer(policies_copy, token=OPA_TOKEN)
    with server:
        pdp = RemotePDP(server.url, 1.0, policies_copy, token=OPA_TOKEN)
        before = pdp.revision
    with capture_logs() as logs, pytest.raises(PolicyLoadError, match="did not report"):
        pdp.reload()
    assert pdp.revision == before
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["policy.reload_refused"]


def test_the_token_never_reaches_a_log_event(standin, policies_copy, tmp_path):
    """Start-up, decisions, reloads, mismatches and 401 refusals log neither the token nor its header."""
    other = secrets.token_urlsafe(32)
    # Content of its own, so that this PDP compiles and loads its bundle here (a bundle of the same content
    # compiled by an earlier test in this process is shared, and would log no policy.loaded).
    api = policies_copy / "dt" / "api.rego"
    api.write_text(f"# {secrets.token_hex(8)}\n" + api.read_text())
    with capture_logs() as events:
        good = make_pdp(
            Settings(
                env="dev",
                opa_url=standin.url,
                opa_timeout_seconds=5,
                policies_dir=policies_copy,
                opa_token_file=write_token_file(tmp_path),
            )
        )
        decide_request(good, request())
        (policies_copy / "dt" / "api.rego").write_text("# local change\n" + (POLICIES / "dt" / "api.rego").read_text())
        good.reload()
        # A bundle revision of its own, so that no API-access table built for the shipped policies by an earlier
        # test in this process answers check_operation without asking OPA (the table is per revision).
        unique = tmp_path / "policies-unique"
        shutil.copytree(POLICIES, unique)
        api = unique / "dt" / "api.rego"
        api.write_text(f"# {secrets.token_hex(8)}\n" + api.read_text())
        bad = RemotePDP(standin.url, 5.0, unique, token=other)
        with pytest.raises(PolicyUnavailableError):
            decide_request(bad, request())
        with pytest.raises(PolicyUnavailableError):
            check_operation(bad, "dji", "notification.create")
    logged = json.dumps(events, default=str)
    logged_events = {e["event"] for e in events}
    # Start-up logs policy.loaded, or policy.revision_unknown when the stand-in has not answered yet (seen in a
    # fresh-clone CI run, depending on what ran before in the worker); either way the token must not be in it.
    assert {"policy.loaded", "policy.revision_unknown"} & logged_events
    assert {"policy.revision_mismatch", "policy.unavailable"} <= logged_events
    assert OPA_TOKEN not in logged and other not in logged and "Bearer" not in logged


def test_policies_root_maps_module_ids(policies_copy):
    """Module ids below HUB_OPA_POLICIES_ROOT are compared by their path below it, wherever OPA mounts them."""
    with StandinServer(policies_copy, token=OPA_TOKEN, root="/srv/opa/policies") as server:
        mapped = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN, policies_root="/srv/opa/policies/")
        unmapped = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN)
        assert mapped.revision == local_content(read_source(policies_copy), DOCUMENTS).revision
        assert unmapped.revision != mapped.revision
        assert "module-id:/srv/opa/policies/dt/api.rego" in unmapped.served().digests
        assert not [entry for entry in unmapped.served().digests if entry.startswith("module:")]


def test_a_module_outside_the_root_never_stands_in_for_one_below_it(server, policies_copy):
    """A module whose id is a bare relative path (as PUT /v1/policies/dt/api.rego would make) is counted apart
    from the file module of the same path, so it cannot hide behind it."""
    pdp = RemotePDP(server.url, 5.0, policies_copy, token=OPA_TOKEN)
    text = (policies_copy / "dt" / "api.rego").read_text().replace("package dt.api", "package dt.api_shadow")
    server.app.state.engine.put_module("dt/api.rego", text)
    with capture_logs() as logs:
        pdp.reload()
    assert _mismatches(logs) == [["module-id:dt/api.rego"]]


def test_root_level_data_file_is_refused(tmp_path):
    """A data.json at the policy root cannot be read back apart from the rules: the remote PDP refuses it."""
    shutil.copytree(POLICIES, tmp_path / "policies")
    (tmp_path / "policies" / "data.json").write_text("{}")
    with pytest.raises(PolicyLoadError, match="root of the policy folder"):
        data_document_paths(tmp_path / "policies")


def test_opa_token_command_writes_a_matching_pair(tmp_path):
    """`hub policy opa-token` writes the hub's token (owner-only) and OPA's digest of it, and never overwrites."""
    from typer.testing import CliRunner

    from hub.cli import app as cli

    folder = tmp_path / "secrets"
    result = CliRunner().invoke(cli, ["policy", "opa-token", str(folder)])
    assert result.exit_code == 0, result.output
    token = Settings(env="production", opa_url="http://opa:8181", opa_token_file=folder / "opa-token").read_opa_token()
    assert json.loads((folder / "opa-authz.json").read_text()) == opa_authz_data(token)
    assert len(token) >= 43 and token not in result.output
    assert (folder / "opa-token").stat().st_mode & 0o077 == 0
    again = CliRunner().invoke(cli, ["policy", "opa-token", str(folder)])
    assert again.exit_code == 1 and "already exist" in again.output
    assert Settings(env="dev", opa_token_file=folder / "opa-token").read_opa_token() == token


def test_opa_token_command_gives_the_token_to_the_hub_user(tmp_path):
    """With --owner the token file belongs to that uid (the hub container's user) and stays owner-only."""
    from typer.testing import CliRunner

    from hub.cli import app as cli

    if os.geteuid() != 0:
        pytest.skip("giving a file to another uid needs root")
    given = CliRunner().invoke(cli, ["policy", "opa-token", str(tmp_path / "given"), "--owner", "10001"])
    assert given.exit_code == 0, given.output
    token_file = tmp_path / "given" / "opa-token"
    assert token_file.stat().st_uid == 10001 and token_file.stat().st_mode & 0o077 == 0
    assert "chown" not in given.output


def test_opa_token_command_without_owner_says_which_chown_compose_needs(tmp_path):
    """Without --owner the token file stays its creator's, and the command names the chown the hub needs."""
    from typer.testing import CliRunner

    from hub.cli import app as cli

    plain = CliRunner().invoke(cli, ["policy", "opa-token", str(tmp_path / "plain")])
    assert plain.exit_code == 0 and f"chown 10001 {tmp_path / 'plain' / 'opa-token'}" in plain.output
    assert (tmp_path / "plain" / "opa-token").stat().st_uid == os.geteuid()


def test_opa_token_command_fails_when_the_owner_cannot_be_set(tmp_path, monkeypatch):
    """A chown the system refuses (not root) is an error that says what to run; the pair stays written."""
    from typer.testing import CliRunner

    from hub.cli import app as cli

    def refused(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refused)
    result = CliRunner().invoke(cli, ["policy", "opa-token", str(tmp_path / "secrets"), "--owner", "10001"])
    assert result.exit_code == 1 and "chown 10001" in result.output
    assert (tmp_path / "secrets" / "opa-token").exists() and (tmp_path / "secrets" / "opa-authz.json").exists()
