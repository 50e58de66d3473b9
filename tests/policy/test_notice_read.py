"""The `dt.notice_read` rule through the enforcement point on the embedded engine, the remote decision point
and real OPA (the oracle): who reads the text of DJI's risk notices (issue 16)."""

from __future__ import annotations

import pytest

from hub.policy.pep import decide_notice_read
from tests.policy.notice_vectors import NOTICE_VECTORS, NoticeVector, notice_read
from tests.policy.vectors import COORDINATOR_GV


@pytest.mark.parametrize("vector", NOTICE_VECTORS, ids=[v.id for v in NOTICE_VECTORS])
@pytest.mark.parametrize("engine", ["embedded_pdp", "remote_pdp", "opa_pdp"])
def test_notice_read_vectors(engine: str, vector: NoticeVector, request: pytest.FixtureRequest) -> None:
    """Each reader gets the expected outcome; an allowed read names risk_assessment and its legal basis."""
    decision = decide_notice_read(request.getfixturevalue(engine), vector.input)
    if vector.refusal is None:
        assert (decision.allow, decision.allowed, decision.refusal) == (True, ("risk_notices",), None)
        assert decision.activity is not None and decision.activity.id == "risk_assessment"
        assert "18b" in (decision.legal_basis or "")
    else:
        assert decision.allow is False and decision.allowed == ()
        assert decision.refusal is not None and decision.refusal.reason == vector.refusal
        assert decision.refusal.explanation_nl.endswith(".") and len(decision.refusal.explanation_nl) > 20


def test_only_the_notice_category_is_read(embedded_pdp) -> None:
    """Another category asked through this rule is denied, even for the mandated ZVH."""
    doc = {**notice_read(COORDINATOR_GV), "categories": ["risk_notices", "housing", "yacht"]}
    decision = decide_notice_read(embedded_pdp, doc)
    assert decision.allowed == ("risk_notices",)
    assert {c: d.reason for c, d in decision.denied.items()} == {
        "housing": "category_not_in_activity",
        "yacht": "unknown_category",
    }


def test_a_control_character_never_reaches_the_engine(embedded_pdp) -> None:
    """A NUL in the municipality is refused by the enforcement point (regopy would cut the string there)."""
    decision = decide_notice_read(embedded_pdp, notice_read(COORDINATOR_GV, municipality="GM0402\u0000GM0406"))
    assert decision.refusal is not None and decision.refusal.reason == "invalid_input"
