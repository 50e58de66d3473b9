"""policy_ready: whether a decision point can decide now (what /health/ready reports as `policy_engine`)."""

from __future__ import annotations

import secrets

from hub.policy.pdp import EmbeddedPDP
from hub.policy.pep import policy_ready
from hub.policy.remote import RemotePDP
from tests.policy.conftest import POLICIES


def test_ready_engines(embedded_pdp, remote_pdp, opa_pdp):
    """A loaded bundle (embedded), an OPA that answers with the token (remote), real OPA: ready."""
    assert policy_ready(embedded_pdp) and policy_ready(remote_pdp) and policy_ready(opa_pdp)


def test_opa_that_refuses_the_token_is_not_ready(standin):
    """OPA answers, but not to this token: it cannot decide, so it is not ready."""
    pdp = RemotePDP(standin.url, 5.0, POLICIES, token="wrong-" + secrets.token_urlsafe(32))
    assert policy_ready(pdp) is False
    assert pdp.healthy() is False


def test_bundle_without_a_usable_api_rule_is_not_ready(policies_copy):
    """A bundle whose api rule gives no usable answer cannot decide an access check: not ready."""
    path = policies_copy / "dt" / "api.rego"
    path.write_text(path.read_text().replace("decision := {", "decision := 3\n\nold_decision := {"))
    assert policy_ready(EmbeddedPDP(policies_copy)) is False
