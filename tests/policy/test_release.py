"""One evaluation at answer time (`dt.answer.release`): the request decision, now, and the answer filter by it."""

from __future__ import annotations

from collections import Counter

import pytest

from hub.config import ROOT
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pdp import EmbeddedPDP
from hub.policy.pep import decide_and_filter, decide_request, filter_answer
from tests.policy.vectors import request

ANSWER = {
    "housing": {"situation": "with_family_or_friends", "landlord_name": "X"},
    "income": {"source": "none"},
    "care": {"ongoing_care": True},
}


class CountingPDP(EmbeddedPDP):
    """The real embedded engine, counting its evaluations per rule."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counts: Counter[str] = Counter()

    def _evaluate(self, rule, input_doc):
        self.counts[rule] += 1
        return super()._evaluate(rule, input_doc)


@pytest.mark.parametrize("pdp_name", ["embedded_pdp", "remote_pdp", "opa_pdp"])
def test_release_equals_decision_then_filter(pdp_name, request_fixture):
    """The one evaluation gives what the two separate ones give, on every decision point."""
    pdp = request_fixture.getfixturevalue(pdp_name)
    facts = request(categories=["housing", "income", "care"])
    decision, result = decide_and_filter(pdp, facts, ANSWER)
    separate = decide_request(pdp, facts)
    expected = filter_answer(pdp, separate, ANSWER)
    assert (decision.allow, decision.allowed, dict(decision.denied)) == (
        separate.allow,
        separate.allowed,
        dict(separate.denied),
    )
    assert decision.allowed == ("housing", "income")
    assert {c: dict(v) for c, v in result.released.items()} == {c: dict(v) for c, v in expected.released.items()}
    assert set(result.withheld) == set(expected.withheld)
    assert result.released["housing"] == {"situation": "with_family_or_friends"}
    assert decision.policy_revision == result.policy_revision == pdp.revision


@pytest.fixture
def request_fixture(request):
    return request


def test_release_is_one_evaluation():
    """decide_and_filter asks the engine once; the decision and the filter carry one revision."""
    pdp = CountingPDP(ROOT / "policies")
    decision, result = decide_and_filter(pdp, request(categories=["housing"]), {"housing": {"situation": "x"}})
    assert pdp.counts == Counter({"release": 1})
    assert decision.allowed == ("housing",) and set(result.released) == {"housing"}
    assert decision.policy_revision == result.policy_revision


def test_release_on_the_case_as_it_is_now_releases_nothing_when_closed(embedded_pdp):
    """Consent withdrawn or the case closed since the request: nothing of the answer is released."""
    for changed in (request(state="closed", consent="yes"), request(state="plan", consent="no")):
        decision, result = decide_and_filter(embedded_pdp, changed, ANSWER)
        assert decision.allow is False
        assert result.released == {}
        assert {w.category for w in result.withheld} == set(ANSWER)


def test_release_refuses_invalid_or_hostile_input_before_the_engine():
    """A control character or a missing field: refused by the enforcement point, the engine not asked."""
    pdp = CountingPDP(ROOT / "policies")
    decision, result = decide_and_filter(pdp, request(state="screening\u0000closed"), ANSWER)
    assert decision.refusal is not None and decision.refusal.reason == "invalid_input"
    assert result.released == {} and {w.reason for w in result.withheld} == {"invalid_input"}
    decision, _ = decide_and_filter(pdp, request(drop=("exchange",)), ANSWER)
    assert decision.refusal is not None and decision.refusal.reason == "invalid_input"
    # `allowed` would switch the policy to the plain filter with the caller's list: refused, never passed on
    decision, result = decide_and_filter(pdp, {**request(state="closed"), "allowed": ["housing"]}, ANSWER)
    assert decision.refusal is not None and decision.refusal.reason == "invalid_input"
    assert result.released == {}
    assert pdp.counts == Counter()


def test_broken_release_is_policy_unavailable(policies_copy):
    """A release rule of the wrong shape fails closed: no decision and no released value at all, but the one
    PolicyUnavailableError (503 policy_unavailable) naming the rule."""
    path = policies_copy / "dt" / "answer.rego"
    path.write_text(path.read_text().replace('release := {"decision"', 'release := {"x": 1, "decision"'))
    pdp = EmbeddedPDP(policies_copy)
    with pytest.raises(PolicyUnavailableError) as refused:
        decide_and_filter(pdp, request(categories=["housing"]), {"housing": {"situation": "x"}})
    assert refused.value.code == "policy_unavailable" and refused.value.extra["rule"] == "release"
