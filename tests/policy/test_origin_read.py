"""The `dt.origin_read` rule through the enforcement point on the embedded engine, the remote decision point
and real OPA (the oracle): who sees the prison and detention date of a determination of origin."""

from __future__ import annotations

import pytest

from hub.policy.pep import decide_origin_read
from tests.policy.origin_vectors import ORIGIN_READ_VECTORS, OriginVector, origin_read
from tests.policy.vectors import SOCIAL_HUIZEN


@pytest.mark.parametrize("vector", ORIGIN_READ_VECTORS, ids=[v.id for v in ORIGIN_READ_VECTORS])
@pytest.mark.parametrize("engine", ["embedded_pdp", "remote_pdp", "opa_pdp"])
def test_origin_read_vectors(engine: str, vector: OriginVector, request: pytest.FixtureRequest) -> None:
    """Each reader gets the expected outcome; an allowed read names reintegration and Pbw art. 18a."""
    decision = decide_origin_read(request.getfixturevalue(engine), vector.input)
    if vector.refusal is None:
        assert (decision.allow, decision.allowed, decision.refusal) == (True, ("detention",), None)
        assert decision.activity is not None and decision.activity.id == "reintegration"
        assert "18a" in (decision.legal_basis or "")
    else:
        assert decision.allow is False and decision.allowed == ()
        assert decision.refusal is not None and decision.refusal.reason == vector.refusal
        assert decision.refusal.explanation_nl.endswith(".") and len(decision.refusal.explanation_nl) > 20


def test_only_the_detention_category_is_shown(embedded_pdp) -> None:
    """Another category asked through this rule is denied, even for the determined municipality."""
    decision = decide_origin_read(
        embedded_pdp, origin_read(SOCIAL_HUIZEN, categories=["detention", "housing", "yacht"])
    )
    assert decision.allowed == ("detention",)
    assert {c: d.reason for c, d in decision.denied.items()} == {
        "housing": "category_not_in_activity",
        "yacht": "unknown_category",
    }


def test_a_control_character_never_reaches_the_engine(embedded_pdp) -> None:
    """A NUL in the requester's municipality is refused by the enforcement point (regopy would cut it there)."""
    requester = {**SOCIAL_HUIZEN, "municipality": "GM0406\u0000GM0402"}
    decision = decide_origin_read(embedded_pdp, origin_read(requester))
    assert decision.refusal is not None and decision.refusal.reason == "invalid_input"
