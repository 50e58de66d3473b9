"""Control characters never reach a policy engine: the enforcement point refuses them first (DESIGN.md §8).

regopy cuts a string at U+0000 and decides on the prefix; the four one-field changes below make it allow what
OPA refuses. The enforcement point refuses each with `invalid_input`, naming the field, on every decision point.
"""

from __future__ import annotations

import pytest

from hub.policy.pdp import PolicyUnavailable
from hub.policy.pep import (
    INVALID_INPUT,
    check_operation,
    control_character_fields,
    decide_case_read,
    decide_request,
    filter_answer,
)
from tests.policy.vectors import COORDINATOR_GV, SOCIAL_HILVERSUM, request

NUL_CASES = [
    ("requester.region", request(requester={**COORDINATOR_GV, "region": "gooi-en-vechtstreek\u0000evil"})),
    ("requester.role", request(requester={**COORDINATOR_GV, "role": "zvh_coordinator\u0000x"})),
    ("case.state", request(state="screening\u0000closed")),
    ("responder.municipality", request(responder={**SOCIAL_HILVERSUM, "municipality": "GM0402\u0000GM0406"})),
]


def test_regopy_alone_would_allow_the_nul_cases(embedded_pdp, opa_pdp):
    """Why the check exists: asked directly, regopy allows each of these and OPA refuses it."""
    for _field, doc in NUL_CASES:
        assert embedded_pdp.decide("request", doc).value["allow"] is True
        assert opa_pdp.decide("request", doc).value["allow"] is False


@pytest.mark.parametrize("pdp_name", ["embedded_pdp", "remote_pdp", "opa_pdp"])
@pytest.mark.parametrize(("field", "doc"), NUL_CASES, ids=[c[0] for c in NUL_CASES])
def test_pep_refuses_a_nul_naming_the_field(field, doc, pdp_name, request_fixture):
    """Through the enforcement point every decision point refuses the whole request, naming the field."""
    pdp = request_fixture.getfixturevalue(pdp_name)
    decision = decide_request(pdp, doc)
    assert decision.allow is False and decision.allowed == ()
    assert decision.refusal is not None and decision.refusal.reason == INVALID_INPUT
    assert field in decision.refusal.explanation_nl
    assert set(decision.denied) == {"housing", "income"}


@pytest.fixture
def request_fixture(request):
    return request


@pytest.mark.parametrize("char", ["\u0001", "\u001f", "\u007f", "\n", "\t"])
def test_every_c0_character_and_del_is_refused(char, embedded_pdp):
    """Each code point below U+0020, and U+007F, anywhere in a string or a key of the input."""
    decision = decide_request(embedded_pdp, request(activity=f"reintegration{char}"))
    assert decision.refusal is not None and decision.refusal.reason == INVALID_INPUT
    assert "activity" in decision.refusal.explanation_nl
    assert control_character_fields({"case": {f"x{char}": 1}, "ok": "é ü €\u00a0"}) == ["case"]


def test_case_read_with_a_nul_region_is_refused(embedded_pdp):
    """The coordinator's own read: `case.region` with U+0000 is refused before the engine."""
    read = {
        "requester": COORDINATOR_GV,
        "categories": ["identity", "housing"],
        "case": {**request()["case"], "region": "gooi-en-vechtstreek\u0000evil"},
    }
    assert embedded_pdp.decide("case_read", read).value["allow"] is True  # regopy alone
    decision = decide_case_read(embedded_pdp, read)
    assert decision.allow is False
    assert decision.refusal is not None and decision.refusal.reason == INVALID_INPUT
    assert "case.region" in decision.refusal.explanation_nl


def test_answer_and_api_inputs_with_control_characters_are_refused(embedded_pdp):
    """The answer filter withholds everything (invalid_input) and the API check refuses."""
    decision = decide_request(embedded_pdp, request(categories=["housing"]))
    assert decision.allowed == ("housing",)
    result = filter_answer(embedded_pdp, decision, {"housing": {"situation\u0000": "x", "situation": "y"}})
    assert result.released == {}
    assert [(w.category, w.reason) for w in result.withheld] == [("housing", INVALID_INPUT)]
    outcome = check_operation(embedded_pdp, "zvh_coordinator\u0000", "case.read")
    assert outcome.allow is False and outcome.reason == INVALID_INPUT


@pytest.mark.parametrize("char", ['"', "\\"])
def test_a_quote_or_backslash_that_regopy_cannot_echo_is_refused(char, embedded_pdp, opa_pdp):
    """regopy writes a string that its result echoes as a key (the decision's `denied` is keyed by category)
    without escaping `"` and `\\`, so its result does not parse and the decision fails where OPA decides: the two
    engines differ (the differential test found it). No policy input needs either character, so the enforcement
    point refuses them like control characters, naming the field, before either engine decides."""
    doc = request(categories=["housing", f"x{char}y"])
    with pytest.raises(PolicyUnavailable):  # why: regopy alone
        embedded_pdp.decide("request", doc)
    assert opa_pdp.decide("request", doc).value["denied"][f"x{char}y"]["reason"] == "unknown_category"
    for pdp in (embedded_pdp, opa_pdp):
        decision = decide_request(pdp, doc)
        assert decision.refusal is not None and decision.refusal.reason == INVALID_INPUT
        assert "categories" in decision.refusal.explanation_nl
    assert control_character_fields({"answer": {"housing": [f"situation{char}"]}}) == ["answer.housing"]
