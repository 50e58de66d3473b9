"""The decision points fail closed: a broken engine, a slow or absent OPA, or a malformed result is a refusal."""

from __future__ import annotations

import copy
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from hub.config import ROOT
from hub.policy.bundle import read_source
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pdp import EmbeddedPDP
from hub.policy.pep import check_operation, decide_request
from hub.policy.remote import RemotePDP
from tests.policy.vectors import VECTORS, request
from tests.support.opa import OPA_TOKEN
from tests.support.opa_standin import StandinServer

UNAVAILABLE = "policy_unavailable"


def _unavailable(decide: Callable[[], object]) -> str:
    """The problem code of the error `decide()` raises; fails the test when it decides instead."""
    with pytest.raises(PolicyUnavailableError) as raised:
        decide()
    return raised.value.code


ALLOWED_INPUTS = [v.input for v in VECTORS if v.allow][:10]

BROKEN_DECISIONS = {
    "wrong_shape": 'decision := "allow everything"\n',
    "runtime_conflict": "decision := 1 if true\n\ndecision := 2 if true\n",
    "allows_unasked_category": (
        'decision := {"allow": true, "allowed": ["housing", "care", "detention"], "denied": {}, '
        '"refusal": null, "activity": data.dt.request.activity_ref}\n'
    ),
    "allow_without_activity": (
        'decision := {"allow": true, "allowed": input.categories, "denied": {}, "refusal": null, "activity": null}\n'
    ),
}


def _break_request_policy(policies: Path, body: str) -> None:
    """Replace the decision rule of request.rego by `body`."""
    path = policies / "dt" / "request.rego"
    text = path.read_text().replace("decision := {", "original_decision := {")
    path.write_text(text + "\n" + body)


def test_revision_is_sha256_of_the_files(embedded_pdp):
    """The revision is a SHA-256 over the policy and data files, stable between loads."""
    assert embedded_pdp.revision.startswith("sha256:") and len(embedded_pdp.revision) == 71
    assert read_source(embedded_pdp.policies_dir).revision == embedded_pdp.revision


def test_test_files_do_not_change_the_revision(policies_copy):
    """Editing a *_test.rego file leaves the revision of the decision bundle alone."""
    before = read_source(policies_copy).revision
    (policies_copy / "dt" / "api_test.rego").write_text("package dt.api_test\n")
    assert read_source(policies_copy).revision == before


@pytest.mark.parametrize("broken", sorted(BROKEN_DECISIONS))
def test_broken_engine_refuses_every_request(broken, policies_copy):
    """A policy that errs or answers the wrong shape makes every request a policy_unavailable error: no
    Decision at all."""
    _break_request_policy(policies_copy, BROKEN_DECISIONS[broken])
    pdp = EmbeddedPDP(policies_copy)
    for input_doc in ALLOWED_INPUTS:
        with capture_logs() as logs, pytest.raises(PolicyUnavailableError) as raised:
            decide_request(pdp, input_doc)
        assert (raised.value.status, raised.value.code, raised.value.extra["rule"]) == (503, UNAVAILABLE, "request")
        assert [e["event"] for e in logs if e["log_level"] == "error"] == ["policy.unavailable"]


def test_undefined_api_rule_denies(policies_copy):
    """An API-access rule that is undefined for the input denies the operation."""
    path = policies_copy / "dt" / "api.rego"
    path.write_text(path.read_text().replace("default reason := null\n", ""))
    pdp = EmbeddedPDP(policies_copy)
    with pytest.raises(PolicyUnavailableError) as raised:
        check_operation(pdp, "dji", "notification.create")
    assert (raised.value.code, raised.value.extra["operation"]) == (UNAVAILABLE, "notification.create")


def test_input_that_json_cannot_carry_is_refused(embedded_pdp):
    """A value JSON cannot carry (NaN) never reaches the engine: the request is refused, not crashed."""
    input_doc = request()
    input_doc["responder"]["weight"] = float("nan")
    with pytest.raises(PolicyUnavailableError) as raised:
        decide_request(embedded_pdp, input_doc)
    assert raised.value.code == UNAVAILABLE


def test_slow_remote_refuses_every_request(policies_copy):
    """When OPA answers after the timeout every request is refused with policy_unavailable."""
    with StandinServer(policies_copy, delay_seconds=0.5, token=OPA_TOKEN) as server:
        pdp = RemotePDP(server.url, 0.05, policies_copy, token=OPA_TOKEN)
        with capture_logs() as logs:
            refused = [_unavailable(lambda i=i: decide_request(pdp, i)) for i in ALLOWED_INPUTS[:3]]
        server.set_delay(0)
    assert refused == [UNAVAILABLE] * 3
    assert [e["error"] for e in logs if e["event"] == "policy.unavailable"] == ["OPA timed out"] * 3


def test_unreachable_remote_refuses(policies_copy):
    """An OPA that is not listening gives a refusal, not an exception."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pdp = RemotePDP(f"http://127.0.0.1:{port}", 0.2, policies_copy)
    assert _unavailable(lambda: decide_request(pdp, ALLOWED_INPUTS[0])) == UNAVAILABLE
    assert _unavailable(lambda: check_operation(pdp, "dji", "notification.create")) == UNAVAILABLE


def test_remote_undefined_result_refuses(policies_copy):
    """A body without `result` (an undefined rule in OPA) is a refusal; the policy changes on the server."""
    with StandinServer(policies_copy, token=OPA_TOKEN) as server:
        pdp = RemotePDP(server.url, 2.0, policies_copy, token=OPA_TOKEN)
        assert decide_request(pdp, ALLOWED_INPUTS[0]).allow is True
        source = (policies_copy / "dt" / "request.rego").read_text()
        undefined = source.replace("decision := {", "decision := x if {\n\tfalse\n\tx := 1\n}\n\nold_decision := {")
        server.replace_module("dt/request.rego", undefined)
        assert _unavailable(lambda: decide_request(pdp, ALLOWED_INPUTS[0])) == UNAVAILABLE


def test_remote_takes_opa_decision_id(remote_pdp):
    """The remote decision point reports OPA's own decision_id."""
    result = remote_pdp.decide("request", ALLOWED_INPUTS[0])
    assert len(result.decision_id) == 36 and result.decision_id.count("-") == 4


@pytest.mark.parametrize("url", ["ftp://opa:8181", "http://opa:8181/v1/data", "opa:8181"])
def test_remote_url_is_checked(url, policies_copy):
    """HUB_OPA_URL must be a bare http(s) origin."""
    with pytest.raises(ValueError, match="HUB_OPA_URL"):
        RemotePDP(url, 0.5, policies_copy)


def test_compiled_bundles_are_shared_by_content_never_by_a_claimed_revision():
    """The same files compile once per process; a source that claims the same revision with other content gets
    a bundle of its own, which decides by that content."""
    from dataclasses import replace

    from hub.policy.bundle import compile_bundle

    source = read_source(ROOT / "policies")
    assert compile_bundle(source) is compile_bundle(read_source(ROOT / "policies"))
    data = copy.deepcopy(source.data)
    data["dt"]["catalogue"]["categories"]["housing"]["holders"] = ["probation"]
    altered = replace(source, data=data)  # the same revision string, other content
    assert compile_bundle(altered) is not compile_bundle(source)

    class Altered(EmbeddedPDP):
        def _read(self):
            return altered

    decision = decide_request(Altered(ROOT / "policies"), request(categories=["housing"]))
    assert decision.denied["housing"].reason == "wrong_holder"
    assert decide_request(EmbeddedPDP(ROOT / "policies"), request(categories=["housing"])).allowed == ("housing",)
