"""The decision vectors through the real embedded engine and through the remote decision point."""

from __future__ import annotations

import pytest

from hub.policy.pep import decide_request
from tests.policy.notice_vectors import NOTICE_VECTORS
from tests.policy.origin_vectors import ORIGIN_READ_VECTORS
from tests.policy.vectors import POLICY_ONLY_REFUSALS, VECTORS, WITHDRAWALS, Vector, Withdrawal

IDS = [v.id for v in VECTORS]


def _check(vector: Vector, pdp) -> None:
    decision = decide_request(pdp, vector.input)
    assert decision.allow is vector.allow
    assert set(decision.allowed) == vector.allowed
    assert {c: d.reason for c, d in decision.denied.items()} == vector.denied
    assert (decision.refusal.reason if decision.refusal else None) == vector.refusal
    assert decision.policy_revision == pdp.revision
    for denial in decision.denied.values():
        assert denial.explanation_nl.endswith(".") and len(denial.explanation_nl) > 20
    if decision.allow:
        assert decision.activity is not None and decision.activity.legal_basis


def test_there_are_at_least_80_vectors():
    """The table holds at least 80 distinct cases."""
    assert len(VECTORS) >= 80
    assert len(set(IDS)) == len(IDS)


def test_vectors_cover_every_reason_and_rule(embedded_pdp):
    """Every reason code the policy knows (but policy_unavailable and policy_data_incomplete, tested apart in
    test_policy_data.py) occurs in the table."""
    reference = embedded_pdp._read().data["dt"]["reference"]
    expected = set(reference["reasons"]) - {"policy_unavailable", "policy_data_incomplete"}
    seen = {r for v in VECTORS for r in v.denied.values()} | {v.refusal for v in VECTORS if v.refusal}
    seen |= {v.refusal for v in NOTICE_VECTORS if v.refusal}  # dt.notice_read's own (test_notice_read.py)
    seen |= {v.refusal for v in ORIGIN_READ_VECTORS if v.refusal}  # dt.origin_read's own (test_origin_read.py)
    assert expected <= seen
    assert {v.rule for v in VECTORS} >= {"1", "2", "3", "4", "5", "6", "7", "input"}
    assert {v.input.get("case", {}).get("state") for v in VECTORS} >= set(reference["case_states"])


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_vector_embedded(vector: Vector, embedded_pdp):
    """The embedded engine gives the expected outcome per category."""
    _check(vector, embedded_pdp)


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_vector_remote(vector: Vector, remote_pdp):
    """The remote decision point (over HTTP, against the OPA stand-in) gives the same outcome."""
    _check(vector, remote_pdp)


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_vector_opa(vector: Vector, opa_pdp):
    """Real OPA (the oracle) gives the same outcome through the same enforcement point."""
    _check(vector, opa_pdp)


@pytest.mark.parametrize(
    ("name", "input_doc", "reason"), POLICY_ONLY_REFUSALS, ids=[p[0] for p in POLICY_ONLY_REFUSALS]
)
def test_policy_itself_refuses_bad_input(name, input_doc, reason, embedded_pdp, opa_pdp):
    """Asked directly, bypassing the enforcement point's shape check, the Rego still refuses, on both engines."""
    for pdp in (embedded_pdp, opa_pdp):
        result = pdp.decide("request", input_doc)
        assert result.value["allow"] is False
        assert result.value["refusal"]["reason"] == reason
        assert result.value["allowed"] == []


WITHDRAWAL_IDS = [w.id for w in WITHDRAWALS]


def _check_withdrawal(withdrawal: Withdrawal, pdp) -> None:
    before = decide_request(pdp, withdrawal.before)
    assert set(before.allowed) == set(withdrawal.before["categories"])  # the open request allowed it all
    after = decide_request(pdp, withdrawal.after)
    assert set(after.allowed) == withdrawal.kept
    assert {c: d.reason for c, d in after.denied.items()} == withdrawal.withdrawn
    assert (after.refusal.reason if after.refusal else None) == withdrawal.refusal
    for denial in after.denied.values():  # the Dutch explanation both sides are shown
        assert denial.explanation_nl.endswith(".") and len(denial.explanation_nl) > 20


def test_withdrawals_cover_every_change_and_reason():
    """The withdrawal vectors change consent, risk, state, the detention's end and the origin, and give every
    reason a change of the case can withdraw a request for."""
    assert {w.change for w in WITHDRAWALS} == {"consent", "risk", "state", "detention_end", "origin"}
    reasons = {r for w in WITHDRAWALS for r in w.withdrawn.values()}
    assert reasons >= {
        "no_consent",
        "no_consent_no_risk",
        "special_category_needs_consent",
        "risk_not_signalled",
        "case_closed",
        "origin_disputed",
        "not_municipality_of_origin",
    }
    assert any(w.kept and w.withdrawn for w in WITHDRAWALS)  # a change that leaves a request partly allowed
    assert any(w.kept and not w.withdrawn for w in WITHDRAWALS)  # a change that withdraws nothing
    assert len(set(WITHDRAWAL_IDS)) == len(WITHDRAWAL_IDS)


@pytest.mark.parametrize("withdrawal", WITHDRAWALS, ids=WITHDRAWAL_IDS)
def test_withdrawal_embedded(withdrawal: Withdrawal, embedded_pdp):
    """The embedded engine allows the request before the change and gives the withdrawal's reasons after."""
    _check_withdrawal(withdrawal, embedded_pdp)


@pytest.mark.parametrize("withdrawal", WITHDRAWALS, ids=WITHDRAWAL_IDS)
def test_withdrawal_remote(withdrawal: Withdrawal, remote_pdp):
    """The remote decision point gives the same withdrawals."""
    _check_withdrawal(withdrawal, remote_pdp)


@pytest.mark.parametrize("withdrawal", WITHDRAWALS, ids=WITHDRAWAL_IDS)
def test_withdrawal_opa(withdrawal: Withdrawal, opa_pdp):
    """Real OPA gives the same withdrawals."""
    _check_withdrawal(withdrawal, opa_pdp)
