"""The `dt.case_read` rule: the coordinator's own reads of case content, per category (finding H3)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.policy.pep import decide_case_read
from tests.policy.test_policy_data import UncheckedPDP, _without
from tests.policy.vectors import BASE_CASE, COORDINATOR_GV, COORDINATOR_MH, DJI

SHEET = ["identity", "housing", "care"]


def read(requester: dict[str, Any] | None = None, categories: list[Any] | None = None, **case: Any) -> dict[str, Any]:
    return {"requester": requester or COORDINATOR_GV, "categories": categories or SHEET, "case": {**BASE_CASE, **case}}


CASES = [
    # (id, input, allowed, {category: reason}, activity)
    ("consent_given", read(state="plan", consent="yes"), {"identity", "housing", "care"}, {}, "reintegration"),
    (
        "before_weighing_unknown",
        read(),
        {"identity", "housing"},
        {"care": "special_category_needs_consent"},
        "reintegration",
    ),
    (
        "outreach_no_consent_risk",
        read(state="outreach", consent="no", risk="signalled"),
        {"identity"},
        {"housing": "category_not_in_activity", "care": "category_not_in_activity"},
        "risk_assessment",
    ),
    ("no_consent_no_risk", read(state="outreach", consent="no"), set(), dict.fromkeys(SHEET, "no_consent"), None),
    ("closed", read(state="closed", consent="yes"), set(), dict.fromkeys(SHEET, "case_closed"), None),
    ("other_region", read(COORDINATOR_MH), set(), dict.fromkeys(SHEET, "wrong_region"), None),
    ("not_coordinator", read(DJI), set(), dict.fromkeys(SHEET, "requester_not_coordinator"), None),
    (
        "unknown_category",
        read(categories=["identity", "yacht"]),
        {"identity"},
        {"yacht": "unknown_category"},
        "reintegration",
    ),
    ("bad_consent", read(consent="maybe"), set(), dict.fromkeys(SHEET, "invalid_input"), None),
]


@pytest.mark.parametrize(("name", "input_doc", "allowed", "denied", "activity"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("engine", ["embedded_pdp", "remote_pdp"])
def test_case_read_decides_per_category(engine, name, input_doc, allowed, denied, activity, request):
    """Each read gets the expected categories, reasons and policy-chosen activity, embedded and remote."""
    decision = decide_case_read(request.getfixturevalue(engine), input_doc)
    assert set(decision.allowed) == allowed
    assert {c: d.reason for c, d in decision.denied.items()} == denied
    assert (decision.activity.id if decision.activity else None) == activity
    assert decision.decision_id


def test_case_read_denies_a_category_with_incomplete_data():
    """With the care category's sensitivity removed (schemas bypassed), care is denied even with consent."""
    pdp = UncheckedPDP(_without("catalogue", ("categories", "care", "sensitivity")))
    decision = decide_case_read(pdp, read(state="plan", consent="yes"))
    assert set(decision.allowed) == {"identity", "housing"}
    assert decision.denied["care"].reason == "policy_data_incomplete"
