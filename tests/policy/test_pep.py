"""The enforcement point: only it makes a Decision; it checks input shape; it cuts answers down."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
from structlog.testing import capture_logs

from hub.policy import pep
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pep import Decision, Denial, decide_request, filter_answer
from tests.policy.test_pdp import BROKEN_DECISIONS, _break_request_policy
from tests.policy.vectors import request


def test_decision_cannot_be_made_outside_the_pep():
    """Constructing a Decision without the enforcement point's private token fails."""
    with pytest.raises(TypeError, match="hub.policy.pep"):
        Decision(True, ("housing",), {}, None, "id", "rev", None)
    with pytest.raises(TypeError, match="hub.policy.pep"):
        Decision(True, ("housing",), {}, None, "id", "rev", None, object())


def test_decision_cannot_be_copied_into_a_wider_one(embedded_pdp):
    """dataclasses.replace cannot widen a decision, and its fields cannot be changed."""
    decision = decide_request(embedded_pdp, request(categories=["housing", "care"]))
    with pytest.raises(TypeError, match="hub.policy.pep"):
        dataclasses.replace(decision, allowed=("housing", "care"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.allowed = ("housing", "care")  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.denied["care"] = Denial("x", "y")  # type: ignore[index]


@pytest.mark.parametrize("duplicate", [copy.copy, copy.deepcopy, pickle.dumps])
def test_decision_cannot_be_duplicated_around_the_pep(embedded_pdp, duplicate):
    """copy, deepcopy and pickle would skip the constructor's check: each is refused."""
    decision = decide_request(embedded_pdp, request(categories=["housing"]))
    with pytest.raises(TypeError, match="hub.policy.pep"):
        duplicate(decision)


@pytest.mark.parametrize(
    ("drop", "field"),
    [
        ("case.consent", "case.consent"),
        ("case.detention_ended", "case.detention_ended"),
        ("requester.role", "requester.role"),
        ("responder", "responder"),
        ("activity", "activity"),
    ],
)
def test_missing_field_is_named_and_engine_not_asked(drop, field, policies_copy):
    """An input missing a field is refused as invalid_input naming it, before the (here broken) engine."""
    from hub.policy.pdp import EmbeddedPDP

    _break_request_policy(policies_copy, BROKEN_DECISIONS["wrong_shape"])
    decision = decide_request(EmbeddedPDP(policies_copy), request(drop=(drop,)))
    assert decision.refusal.reason == "invalid_input"
    assert field in decision.refusal.explanation_nl
    assert decision.denied["housing"].reason == "invalid_input"


@pytest.mark.parametrize(
    "hostile",
    [
        None,
        [],
        "housing",
        {"categories": ["housing"]},
        request(categories=["housing"] * 51),
        request(requester={"role": "zvh_coordinator", "oin": 1, "region": "gooi-en-vechtstreek"}),
    ],
)
def test_hostile_input_is_refused(hostile, embedded_pdp):
    """Inputs of the wrong type or size get a refusal, never an exception or an allow."""
    decision = (
        decide_request(embedded_pdp, hostile)
        if isinstance(hostile, dict)
        else decide_request(embedded_pdp, {"categories": hostile})
    )
    assert decision.allow is False
    assert decision.refusal.reason == "invalid_input"


@pytest.mark.parametrize("not_an_object", [None, ["housing"], "housing", 42])
def test_input_that_is_not_an_object_is_refused(not_an_object, embedded_pdp):
    """An input that is not an object at all is refused as invalid_input."""
    decision = decide_request(embedded_pdp, not_an_object)  # type: ignore[arg-type]
    assert decision.allow is False and decision.refusal.reason == "invalid_input"


def test_duplicate_categories_are_decided_once(embedded_pdp):
    """A category named twice is decided once."""
    decision = decide_request(embedded_pdp, request(categories=["housing", "housing", "income"]))
    assert decision.allowed == ("housing", "income")


def test_answer_is_cut_to_allowed_categories_and_fields(embedded_pdp):
    """Fields beyond the catalogue and categories beyond the decision are withheld, values kept as sent."""
    decision = decide_request(embedded_pdp, request(categories=["housing", "care"]))
    answer = {
        "housing": {"situation": "homeless", "at_risk_of_loss": True, "landlord": "Woonstichting X"},
        "care": {"ongoing_care": True},
        "detention": {"prison": "PI Almere"},
    }
    with capture_logs() as logs:
        result = filter_answer(embedded_pdp, decision, answer)
    assert dict(result.released) == {"housing": {"situation": "homeless", "at_risk_of_loss": True}}
    assert {(w.category, w.field, w.reason) for w in result.withheld} == {
        ("housing", "landlord", "field_not_in_catalogue"),
        ("care", None, "category_not_allowed"),
        ("detention", None, "category_not_allowed"),
    }
    assert result.withheld_categories == ("care", "detention")
    event = next(e for e in logs if e["event"] == "policy.answer_withheld")
    assert "Woonstichting X" not in str(event) and "housing.landlord" in event["withheld"]


def test_answer_category_of_wrong_shape_is_withheld(embedded_pdp):
    """A category whose answer is not an object is withheld as invalid_input."""
    decision = decide_request(embedded_pdp, request())
    result = filter_answer(embedded_pdp, decision, {"housing": ["homeless"], "income": {"source": "none"}})
    assert dict(result.released) == {"income": {"source": "none"}}
    assert [(w.category, w.reason) for w in result.withheld] == [("housing", "invalid_input")]


def test_refused_decision_releases_nothing(embedded_pdp):
    """An answer to a refused request is withheld entirely."""
    decision = decide_request(embedded_pdp, request(state="closed"))
    result = filter_answer(embedded_pdp, decision, {"housing": {"situation": "homeless"}})
    assert result.released == {}
    assert [w.reason for w in result.withheld] == ["category_not_allowed"]


def test_filter_with_broken_engine_releases_nothing(embedded_pdp, policies_copy):
    """When the engine fails on the answer filter, nothing is released: the enforcement point raises."""
    from hub.policy.pdp import EmbeddedPDP

    decision = decide_request(embedded_pdp, request())
    path = policies_copy / "dt" / "answer.rego"
    path.write_text(path.read_text().replace("filter := {", "filter := 7\n\nold_filter := {"))
    with pytest.raises(PolicyUnavailableError) as raised:
        filter_answer(EmbeddedPDP(policies_copy), decision, {"housing": {"situation": "homeless"}})
    assert (raised.value.code, raised.value.extra["rule"]) == ("policy_unavailable", "answer")


def test_filter_needs_a_real_decision(embedded_pdp):
    """filter_answer refuses anything that is not a Decision made by the enforcement point."""
    with pytest.raises(TypeError):
        filter_answer(embedded_pdp, {"allowed": ["housing"]}, {"housing": {}})  # type: ignore[arg-type]


def test_only_pep_constructs_decisions():
    """No module of the hub but hub.policy.pep calls the Decision constructor."""
    import re

    from hub.config import ROOT

    call = re.compile(r"(?<![\w])(?:pep\.)?Decision\(|_MINT\b|_decision_from\b")
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "hub").rglob("*.py")
        if p.name != "pep.py" and call.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert pep._MINT is not None
