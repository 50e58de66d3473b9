"""Decision vectors: request-decision inputs and the outcome the policy must give per category.

Each vector names the rule of DESIGN.md §4 it checks. `allowed` lists the categories released; `denied`
maps each refused category to its reason code; `refusal` is the reason that refuses the whole request.
test_vectors.py runs this table through the embedded engine and through the remote decision point.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

GV, MH, WVV = "gooi-en-vechtstreek", "maastricht-heuvelland", "west-veluwe-vallei"

COORDINATOR_GV = {"role": "zvh_coordinator", "oin": "00000001000000001001", "region": GV}
COORDINATOR_MH = {"role": "zvh_coordinator", "oin": "00000001000000001002", "region": MH}
COORDINATOR_WVV = {"role": "zvh_coordinator", "oin": "00000001000000001003", "region": WVV}
SOCIAL_HILVERSUM = {"role": "municipal_social", "oin": "00000001000000002402", "municipality": "GM0402", "region": GV}
SOCIAL_HUIZEN = {"role": "municipal_social", "oin": "00000001000000002406", "municipality": "GM0406", "region": GV}
SOCIAL_EDE = {"role": "municipal_social", "oin": "00000001000000002228", "municipality": "GM0228", "region": WVV}
SOCIAL_MAASTRICHT = {"role": "municipal_social", "oin": "00000001000000002935", "municipality": "GM0935", "region": MH}
SECURITY_HILVERSUM = {
    "role": "municipal_security",
    "oin": "00000001000000003402",
    "municipality": "GM0402",
    "region": GV,
}
SECURITY_HUIZEN = {"role": "municipal_security", "oin": "00000001000000003406", "municipality": "GM0406", "region": GV}
POLICE_GV = {"role": "police", "oin": "00000001000000004001", "region": GV}
POLICE_WVV = {"role": "police", "oin": "00000001000000004003", "region": WVV}
POLICE_NATIONAL = {"role": "police", "oin": "00000001000000004000", "region": None}
DJI = {"role": "dji", "oin": "00000001000000005000", "region": None}
PROBATION = {"role": "probation", "oin": "00000001000000006000", "region": None}
PRIVACY_OFFICER = {"role": "privacy_officer", "oin": "00000001000000007000", "region": GV}
REGION_ANALYST = {"role": "region_analyst", "oin": "00000001000000008000", "region": GV}

BASE_CASE = {
    "state": "screening",
    "region": GV,
    "municipality": "GM0402",
    "consent": "unknown",
    "risk": "none",
    "detention_ended": False,
}


def request(
    *,
    requester: dict | None = None,
    responder: dict | None = None,
    activity: str = "reintegration",
    categories: list[Any] | tuple[str, ...] = ("housing", "income"),
    drop: tuple[str, ...] = (),
    exchange: str | None = None,
    **case: Any,
) -> dict[str, Any]:
    """A request-decision input: the base case (screening in Hilversum) with the given changes. `exchange` is
    what the hub does: "provide" for the handover, "request" otherwise, unless given."""
    doc: dict[str, Any] = {
        "exchange": exchange or ("provide" if activity == "handover" else "request"),
        "requester": copy.deepcopy(requester or COORDINATOR_GV),
        "responder": copy.deepcopy(responder or SOCIAL_HILVERSUM),
        "activity": activity,
        "categories": list(categories) if isinstance(categories, list | tuple) else categories,
        "case": {**BASE_CASE, **case},
    }
    for path in drop:
        *parents, last = path.split(".")
        node = doc
        for part in parents:
            node = node[part]
        del node[last]
    return doc


@dataclass(frozen=True)
class Vector:
    id: str
    rule: str
    input: dict[str, Any]
    allowed: frozenset[str] = frozenset()
    denied: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None

    @property
    def allow(self) -> bool:
        return self.refusal is None and bool(self.allowed)


def V(
    id: str,
    rule: str,
    input: dict[str, Any],
    allowed: tuple[str, ...] = (),  # noqa: N802 - table syntax
    denied: dict[str, str] | None = None,
    refusal: str | None = None,
) -> Vector:
    if refusal is not None and denied is None:
        cats = input.get("categories")
        denied = {c: refusal for c in cats if isinstance(c, str)} if isinstance(cats, list) else {}
    return Vector(id, rule, input, frozenset(allowed), denied or {}, refusal)


ENRICH = ("housing", "income")
RISK = {"activity": "risk_assessment"}
HANDOVER = {
    "activity": "handover",
    "categories": ("plan",),
    "state": "handed_over",
    "consent": "yes",
    "detention_ended": True,
}

POLICE_RISK_BASE = {"activity": "risk_assessment", "responder": POLICE_GV, "categories": ["risk_clarification"]}

VECTORS: list[Vector] = [
    # Rule 1: only the coordinator of the case's region, only for an open case; every open state.
    V("enrichment_in_screening", "1", request(), ENRICH),
    V("enrichment_when_notified", "1", request(state="notified"), ENRICH),
    V("enrichment_while_weighing", "1", request(state="weighing"), ENRICH),
    V("plan_with_consent", "1", request(state="plan", consent="yes"), ENRICH),
    V("outreach_after_change_of_mind", "1", request(state="outreach", consent="yes", risk="signalled"), ENRICH),
    V("handed_over_with_consent", "1", request(state="handed_over", consent="yes", detention_ended=True), ENRICH),
    V("closed_case", "7", request(state="closed", consent="yes"), refusal="case_closed"),
    V(
        "closed_case_even_with_risk",
        "7",
        request(
            state="closed",
            consent="no",
            risk="signalled",
            responder=SECURITY_HILVERSUM,
            activity="risk_assessment",
            categories=["risk_notices"],
        ),
        refusal="case_closed",
    ),
    V("coordinator_of_other_region", "1", request(requester=COORDINATOR_WVV), refusal="wrong_region"),
    V("coordinator_without_region", "1", request(requester={**COORDINATOR_GV, "region": None}), refusal="wrong_region"),
    V("requester_dji", "1", request(requester=DJI), refusal="requester_not_coordinator"),
    V("requester_municipality", "1", request(requester=SOCIAL_HILVERSUM), refusal="requester_not_coordinator"),
    V("requester_police", "1", request(requester=POLICE_GV), refusal="requester_not_coordinator"),
    V("requester_probation", "1", request(requester=PROBATION), refusal="requester_not_coordinator"),
    V("requester_privacy_officer", "7", request(requester=PRIVACY_OFFICER), refusal="privacy_officer_no_content"),
    V("responder_privacy_officer", "7", request(responder=PRIVACY_OFFICER), refusal="privacy_officer_no_content"),
    V("unknown_case_state", "1", request(state="archived"), refusal="unknown_case_state"),
    V(
        "case_region_not_of_its_municipality",
        "1",
        request(requester=COORDINATOR_WVV, region=WVV),
        refusal="case_region_mismatch",
    ),
    V("case_municipality_unknown", "1", request(municipality="GM9999"), refusal="case_region_mismatch"),
    V(
        "maastricht_case",
        "1",
        request(requester=COORDINATOR_MH, responder=SOCIAL_MAASTRICHT, region=MH, municipality="GM0935"),
        ENRICH,
    ),
    V(
        "ede_case",
        "1",
        request(requester=COORDINATOR_WVV, responder=SOCIAL_EDE, region=WVV, municipality="GM0228"),
        ENRICH,
    ),
    V("unknown_responder_role", "2", request(responder={**SOCIAL_HILVERSUM, "role": "mayor"}), refusal="unknown_role"),
    V("unknown_requester_role", "1", request(requester={**COORDINATOR_GV, "role": "minister"}), refusal="unknown_role"),
    # Rule 2: asked of the holder; a municipality only for its own residents; regional partners per region.
    V(
        "housing_from_probation",
        "2",
        request(responder=PROBATION, categories=["housing"]),
        denied={"housing": "wrong_holder"},
    ),
    V("income_from_probation", "2", request(responder=PROBATION, categories=["income"]), ("income",)),
    V("debts_from_probation", "2", request(responder=PROBATION, categories=["debts"]), ("debts",)),
    V(
        "mixed_holders_from_probation",
        "2",
        request(responder=PROBATION, categories=["income", "housing"]),
        ("income",),
        {"housing": "wrong_holder"},
    ),
    V("detention_from_dji", "2", request(responder=DJI, categories=["detention"]), ("detention",)),
    V("detention_from_municipality", "2", request(categories=["detention"]), denied={"detention": "wrong_holder"}),
    V("supervision_from_probation", "2", request(responder=PROBATION, categories=["supervision"]), ("supervision",)),
    V(
        "supervision_from_dji",
        "2",
        request(responder=DJI, categories=["supervision"]),
        denied={"supervision": "wrong_holder"},
    ),
    V(
        "neighbour_municipality",
        "2",
        request(responder=SOCIAL_HUIZEN),
        denied={"housing": "not_municipality_of_origin", "income": "not_municipality_of_origin"},
    ),
    V(
        "municipality_of_other_region",
        "2",
        request(responder=SOCIAL_EDE),
        denied={"housing": "not_municipality_of_origin", "income": "not_municipality_of_origin"},
    ),
    V(
        "municipality_without_code",
        "2",
        request(responder={k: v for k, v in SOCIAL_HILVERSUM.items() if k != "municipality"}, categories=["housing"]),
        denied={"housing": "not_municipality_of_origin"},
    ),
    V(
        "risk_notices_from_security",
        "2",
        request(responder=SECURITY_HILVERSUM, categories=["risk_notices"], consent="yes", **RISK),
        ("risk_notices",),
    ),
    V(
        "risk_notices_from_neighbour_security",
        "2",
        request(responder=SECURITY_HUIZEN, categories=["risk_notices"], consent="yes", **RISK),
        denied={"risk_notices": "not_municipality_of_origin"},
    ),
    V(
        "risk_notices_from_social",
        "2",
        request(categories=["risk_notices"], consent="yes", **RISK),
        denied={"risk_notices": "wrong_holder"},
    ),
    V(
        "police_of_other_region",
        "2",
        request(responder=POLICE_WVV, categories=["risk_clarification"], consent="no", risk="signalled", **RISK),
        denied={"risk_clarification": "responder_other_region"},
    ),
    V(
        "police_without_region",
        "2",
        request(responder=POLICE_NATIONAL, categories=["risk_clarification"], consent="no", risk="signalled", **RISK),
        ("risk_clarification",),
    ),
    # Rule 3: a category must belong to the activity.
    V(
        "children_for_reintegration",
        "3",
        request(categories=["children"]),
        denied={"children": "category_not_in_activity"},
    ),
    V(
        "children_for_family_support",
        "3",
        request(activity="family_support", categories=["children"], state="plan", consent="yes"),
        ("children",),
    ),
    V("children_during_screening", "3", request(activity="family_support", categories=["children"]), ("children",)),
    V(
        "family_support_brp_and_housing",
        "3",
        request(activity="family_support", categories=["brp_registration", "housing"]),
        ("brp_registration", "housing"),
    ),
    V(
        "risk_notices_for_reintegration",
        "3",
        request(responder=SECURITY_HILVERSUM, categories=["risk_notices"]),
        denied={"risk_notices": "category_not_in_activity"},
    ),
    V(
        "housing_for_risk_assessment",
        "3",
        request(categories=["housing"], consent="yes", **RISK),
        denied={"housing": "category_not_in_activity"},
    ),
    V("plan_for_reintegration", "3", request(categories=["plan"]), denied={"plan": "category_not_in_activity"}),
    V(
        "unknown_category_beside_known",
        "3",
        request(categories=["housing", "shoe_size"]),
        ("housing",),
        {"shoe_size": "unknown_category"},
    ),
    V("unknown_activity", "3", request(activity="marketing"), refusal="unknown_activity"),
    V(
        "all_basic_conditions",
        "3",
        request(
            categories=[
                "identity_document",
                "brp_registration",
                "housing",
                "income",
                "debts",
                "daytime_activities",
                "social_network",
            ]
        ),
        ("identity_document", "brp_registration", "housing", "income", "debts", "daytime_activities", "social_network"),
    ),
    # Rule 4: help is voluntary; without consent only a risk assessment with a signalled risk.
    V("consent_no_in_screening", "4", request(consent="no"), denied={"housing": "no_consent", "income": "no_consent"}),
    V(
        "consent_no_in_plan",
        "4",
        request(state="plan", consent="no"),
        denied={"housing": "no_consent", "income": "no_consent"},
    ),
    V(
        "consent_unknown_after_weighing",
        "4",
        request(state="plan"),
        denied={"housing": "no_consent", "income": "no_consent"},
    ),
    V(
        "consent_unknown_in_outreach",
        "4",
        request(state="outreach", risk="signalled"),
        denied={"housing": "no_consent", "income": "no_consent"},
    ),
    V(
        "outreach_reintegration_refused",
        "4",
        request(state="outreach", consent="no", risk="signalled"),
        denied={"housing": "no_consent", "income": "no_consent"},
    ),
    V(
        "outreach_risk_assessment_goes_on",
        "4",
        request(
            state="outreach",
            consent="no",
            risk="signalled",
            responder=SECURITY_HILVERSUM,
            categories=["risk_notices"],
            **RISK,
        ),
        ("risk_notices",),
    ),
    V(
        "no_consent_no_risk",
        "4",
        request(state="outreach", consent="no", responder=SECURITY_HILVERSUM, categories=["risk_notices"], **RISK),
        denied={"risk_notices": "no_consent_no_risk"},
    ),
    V(
        "unknown_consent_no_risk_after_weighing",
        "4",
        request(state="plan", responder=SECURITY_HILVERSUM, categories=["risk_notices"], **RISK),
        denied={"risk_notices": "no_consent_no_risk"},
    ),
    V(
        "risk_check_during_screening",
        "4",
        request(responder=SECURITY_HILVERSUM, categories=["risk_notices"], **RISK),
        ("risk_notices",),
    ),
    V(
        "supervision_with_consent_no_risk",
        "4",
        request(state="plan", consent="yes", responder=PROBATION, categories=["supervision"], **RISK),
        ("supervision",),
    ),
    V(
        "detention_for_risk_without_consent",
        "4",
        request(state="outreach", consent="no", risk="signalled", responder=DJI, categories=["detention"], **RISK),
        ("detention",),
    ),
    V("care_with_consent", "4", request(state="plan", consent="yes", categories=["care"]), ("care",)),
    V("care_consent_unknown", "4", request(categories=["care"]), denied={"care": "special_category_needs_consent"}),
    V("care_consent_no", "4", request(consent="no", categories=["care"]), denied={"care": "no_consent"}),
    V(
        "care_from_probation_with_consent",
        "4",
        request(state="plan", consent="yes", responder=PROBATION, categories=["care"]),
        ("care",),
    ),
    V(
        "care_and_housing_in_screening",
        "4",
        request(categories=["care", "housing"]),
        ("housing",),
        {"care": "special_category_needs_consent"},
    ),
    V(
        "family_support_after_weighing_without_consent",
        "4",
        request(activity="family_support", categories=["children"], state="plan"),
        denied={"children": "no_consent"},
    ),
    V(
        "family_support_consent_no",
        "4",
        request(activity="family_support", categories=["children"], consent="no"),
        denied={"children": "no_consent"},
    ),
    # Rule 5: the police only with a signalled risk.
    V(
        "police_signalled_without_consent",
        "5",
        request(
            responder=POLICE_GV,
            categories=["risk_clarification"],
            state="outreach",
            consent="no",
            risk="signalled",
            **RISK,
        ),
        ("risk_clarification",),
    ),
    V(
        "police_not_signalled_with_consent",
        "5",
        request(responder=POLICE_GV, categories=["risk_clarification"], state="plan", consent="yes", **RISK),
        denied={"risk_clarification": "risk_not_signalled"},
    ),
    V(
        "police_not_signalled_in_screening",
        "5",
        request(responder=POLICE_GV, categories=["risk_clarification"], **RISK),
        denied={"risk_clarification": "risk_not_signalled"},
    ),
    V(
        "police_not_signalled_without_consent",
        "5",
        request(responder=POLICE_GV, categories=["risk_clarification"], state="outreach", consent="no", **RISK),
        denied={"risk_clarification": "no_consent_no_risk"},
    ),
    V(
        "police_signalled_with_plan",
        "5",
        request(
            responder=POLICE_GV,
            categories=["risk_clarification"],
            state="plan",
            consent="yes",
            risk="signalled",
            **RISK,
        ),
        ("risk_clarification",),
    ),
    V(
        "risk_clarification_from_security",
        "5",
        request(responder=SECURITY_HILVERSUM, categories=["risk_clarification"], risk="signalled", **RISK),
        denied={"risk_clarification": "wrong_holder"},
    ),
    V(
        "risk_clarification_for_reintegration",
        "5",
        request(responder=POLICE_GV, categories=["risk_clarification"], risk="signalled"),
        denied={"risk_clarification": "category_not_in_activity"},
    ),
    # Rule 6: handover once detention has ended, to the municipality of origin.
    V("handover_after_detention", "6", request(**HANDOVER), ("plan",)),
    V(
        "handover_before_end_of_detention",
        "6",
        request(**{**HANDOVER, "state": "plan", "detention_ended": False}),
        denied={"plan": "detention_not_ended"},
    ),
    V("handover_when_ended_but_state_not_yet_moved", "6", request(**{**HANDOVER, "state": "plan"}), ("plan",)),
    V(
        "handover_to_neighbour",
        "6",
        request(responder=SOCIAL_HUIZEN, **HANDOVER),
        denied={"plan": "handover_not_to_origin"},
    ),
    V(
        "handover_to_security_domain",
        "6",
        request(responder=SECURITY_HILVERSUM, **HANDOVER),
        denied={"plan": "handover_not_to_origin"},
    ),
    V(
        "handover_to_probation",
        "6",
        request(responder=PROBATION, **HANDOVER),
        denied={"plan": "handover_not_to_origin"},
    ),
    V("handover_without_consent", "6", request(**{**HANDOVER, "consent": "unknown"}), denied={"plan": "no_consent"}),
    V(
        "handover_in_outreach_consent_no",
        "6",
        request(**{**HANDOVER, "state": "outreach", "consent": "no", "risk": "signalled"}),
        denied={"plan": "no_consent"},
    ),
    V(
        "handover_plan_and_conditions",
        "6",
        request(**{**HANDOVER, "categories": ("plan", "housing", "income")}),
        ("plan", "housing", "income"),
    ),
    V(
        "handover_children",
        "6",
        request(**{**HANDOVER, "categories": ("children",)}),
        denied={"children": "category_not_in_activity"},
    ),
    V("handover_care_with_consent", "6", request(**{**HANDOVER, "categories": ("care",)}), ("care",)),
    V("handover_closed_case", "7", request(**{**HANDOVER, "state": "closed"}), refusal="case_closed"),
    V(
        "handover_to_privacy_officer",
        "7",
        request(responder=PRIVACY_OFFICER, **HANDOVER),
        refusal="privacy_officer_no_content",
    ),
    # Bad input: a refusal that says what is wrong.
    V("missing_consent", "input", request(drop=("case.consent",)), refusal="invalid_input"),
    V("missing_requester", "input", request(drop=("requester",)), refusal="invalid_input"),
    V("missing_responder_oin", "input", request(drop=("responder.oin",)), refusal="invalid_input"),
    V("missing_case", "input", request(drop=("case",)), refusal="invalid_input"),
    V("empty_categories", "input", request(categories=[]), refusal="invalid_input"),
    V("categories_not_a_list", "input", request(categories="housing"), refusal="invalid_input"),
    V("category_not_a_string", "input", request(categories=["housing", 7]), refusal="invalid_input"),
    V("detention_ended_as_text", "input", request(detention_ended="yes"), refusal="invalid_input"),
    V("consent_maybe", "input", request(consent="maybe"), refusal="invalid_input"),
    V("risk_high", "input", request(risk="high"), refusal="invalid_input"),
    V("empty_activity", "input", request(activity=""), refusal="invalid_input"),
    V("missing_exchange", "input", request(drop=("exchange",)), refusal="invalid_input"),
    # Purpose binding: a request only under an activity that requests, a provision only under one that provides.
    V(
        "request_under_handover",
        "purpose",
        request(**{**HANDOVER, "categories": ("plan", "care", "housing")}, exchange="request"),
        refusal="exchange_not_activity",
    ),
    V(
        "request_under_handover_to_origin_after_detention",
        "purpose",
        request(**{**HANDOVER, "categories": ("care",)}, exchange="request", responder=SOCIAL_HILVERSUM),
        refusal="exchange_not_activity",
    ),
    V("provision_under_reintegration", "purpose", request(exchange="provide"), refusal="exchange_not_activity"),
    # Monitoring is the hub's own processing (direction internal): no exchange runs under it, either way.
    V("request_under_monitoring", "purpose", request(activity="monitoring"), refusal="exchange_not_activity"),
    V(
        "provision_under_monitoring",
        "purpose",
        request(activity="monitoring", exchange="provide"),
        refusal="exchange_not_activity",
    ),
    # The region's analyst reads statistics only: it can never ask a partner for anything.
    V("requester_region_analyst", "1", request(requester=REGION_ANALYST), refusal="requester_not_coordinator"),
]

# Inputs that pass the enforcement point's shape check but that the policy itself must refuse (it does
# not trust the enforcement point), and inputs that never get past the enforcement point: for both the
# policy alone must refuse with this reason.
POLICY_ONLY_REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("missing_case_policy", request(drop=("case",)), "invalid_input"),
    ("missing_activity_policy", request(drop=("activity",)), "invalid_input"),
    ("categories_not_a_list_policy", request(categories="housing"), "invalid_input"),
    ("consent_maybe_policy", request(consent="maybe"), "invalid_input"),
    ("unknown_role_policy", request(responder={**SOCIAL_HILVERSUM, "role": "mayor"}), "unknown_role"),
    ("unknown_activity_policy", request(activity="marketing"), "unknown_activity"),
    ("empty_input_policy", {}, "invalid_input"),
    ("case_not_an_object_policy", {**request(), "case": "closed"}, "invalid_input"),
    ("missing_exchange_policy", request(drop=("exchange",)), "invalid_input"),
    ("exchange_unknown_policy", request(exchange="sell"), "invalid_input"),
    ("request_under_handover_policy", request(**HANDOVER, exchange="request"), "exchange_not_activity"),
]


# Withdrawals (issue 17): an open request is decided again when its case changes. Each vector is one request
# decided on the case before the change (everything allowed) and after it: `kept` is what it still allows,
# `withdrawn` maps each category it loses to the policy's reason, `refusal` the reason of a refusal whole.
@dataclass(frozen=True)
class Withdrawal:
    id: str
    change: str  # what changed on the case: consent, risk, state, detention_end or origin
    before: dict[str, Any]
    after: dict[str, Any]
    kept: frozenset[str] = frozenset()
    withdrawn: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None


def W(  # noqa: N802 - table syntax
    id: str,
    change: str,
    before: dict[str, Any],
    after: dict[str, Any],
    kept: tuple[str, ...] = (),
    withdrawn: dict[str, str] | None = None,
    refusal: str | None = None,
) -> Withdrawal:
    if refusal is not None and withdrawn is None:
        withdrawn = {c: refusal for c in before["categories"]}
    return Withdrawal(id, change, before, after, frozenset(kept), withdrawn or {}, refusal)


# Issue 16: the municipality of origin unknown (DJI sent none; the case is in the prison's region), disputed by
# a municipality, or changed by the coordinator.
UNKNOWN_ORIGIN = {"origin": "unknown", "municipality": None}

ORIGIN_VECTORS: list[Vector] = [
    V("origin_unknown_social", "16", request(**UNKNOWN_ORIGIN), denied=dict.fromkeys(ENRICH, "origin_unknown")),
    V(
        "origin_unknown_security",
        "16",
        request(responder=SECURITY_HILVERSUM, categories=["risk_notices"], risk="signalled", **RISK, **UNKNOWN_ORIGIN),
        denied={"risk_notices": "origin_unknown"},
    ),
    V(
        "origin_unknown_dji_goes_on",
        "16",
        request(responder=DJI, categories=["detention"], **UNKNOWN_ORIGIN),
        ("detention",),
    ),
    V(
        "origin_unknown_police_goes_on",
        "16",
        request(risk="signalled", **{**POLICE_RISK_BASE, **UNKNOWN_ORIGIN}),
        ("risk_clarification",),
    ),
    V("origin_disputed_social", "16", request(origin="disputed"), denied=dict.fromkeys(ENRICH, "origin_disputed")),
    V(
        "origin_disputed_other_municipality",
        "16",
        request(responder=SOCIAL_HUIZEN, origin="disputed"),
        denied=dict.fromkeys(ENRICH, "origin_disputed"),
    ),
    V("origin_determined_social", "16", request(origin="determined"), ENRICH),
    V("origin_notified_social", "16", request(origin="notified"), ENRICH),
    V(
        "origin_unknown_handover",
        "16",
        request(**{**HANDOVER, **UNKNOWN_ORIGIN}),
        denied={"plan": "origin_unknown"},
    ),
    V(
        "origin_disputed_handover",
        "16",
        request(**{**HANDOVER, "origin": "disputed"}),
        denied={"plan": "origin_disputed"},
    ),
    # After a change of municipality (Huizen, contested, then Hilversum determined): the handover goes to the
    # municipality that holds at the end; the earlier one gets nothing, and answers nothing new.
    V("handover_after_change_to_new", "16", request(**{**HANDOVER, "origin": "determined"}), ("plan",)),
    V(
        "handover_after_change_not_to_old",
        "16",
        request(responder=SOCIAL_HUIZEN, **{**HANDOVER, "origin": "determined"}),
        denied={"plan": "handover_not_to_origin"},
    ),
    V(
        "request_after_change_not_to_old",
        "16",
        request(responder=SOCIAL_HUIZEN, origin="determined"),
        denied=dict.fromkeys(ENRICH, "not_municipality_of_origin"),
    ),
    V("origin_status_unknown_value", "16", request(origin="guessed"), refusal="invalid_input"),
    V(
        "origin_null_municipality_when_settled",
        "16",
        request(origin="determined", municipality=None),
        refusal="invalid_input",
    ),
    V("origin_null_status", "16", request(origin=None), refusal="invalid_input"),
]

VECTORS.extend(ORIGIN_VECTORS)

POLICE_RISK = {"activity": "risk_assessment", "responder": POLICE_GV, "categories": ["risk_clarification"]}
SECURITY_RISK = {"activity": "risk_assessment", "responder": SECURITY_HILVERSUM, "categories": ["risk_notices"]}

WITHDRAWALS: list[Withdrawal] = [
    W(
        "consent_no_at_the_weighing",
        "consent",
        request(state="weighing"),
        request(state="weighing", consent="no"),
        withdrawn={"housing": "no_consent", "income": "no_consent"},
    ),
    W(
        "consent_withdrawn_in_plan",
        "consent",
        request(state="plan", consent="yes"),
        request(state="plan", consent="no"),
        withdrawn={"housing": "no_consent", "income": "no_consent"},
    ),
    W(
        "consent_unknown_again_in_plan",
        "consent",
        request(state="plan", consent="yes"),
        request(state="plan", consent="unknown"),
        withdrawn={"housing": "no_consent", "income": "no_consent"},
    ),
    W(
        "care_with_consent_withdrawn",
        "consent",
        request(state="plan", consent="yes", categories=["housing", "care"]),
        request(state="plan", consent="no", categories=["housing", "care"]),
        withdrawn={"housing": "no_consent", "care": "no_consent"},
    ),
    W(
        "consent_unknown_again_before_the_weighing_ends",
        "consent",
        request(state="weighing", consent="yes", categories=["housing", "care"]),
        request(state="weighing", consent="unknown", categories=["housing", "care"]),
        kept=("housing",),
        withdrawn={"care": "special_category_needs_consent"},
    ),
    W(
        "risk_gone_police",
        "risk",
        request(state="weighing", consent="yes", risk="signalled", **POLICE_RISK),
        request(state="weighing", consent="yes", risk="none", **POLICE_RISK),
        withdrawn={"risk_clarification": "risk_not_signalled"},
    ),
    W(
        "risk_gone_without_consent",
        "risk",
        request(state="outreach", consent="no", risk="signalled", **SECURITY_RISK),
        request(state="outreach", consent="no", risk="none", **SECURITY_RISK),
        withdrawn={"risk_notices": "no_consent_no_risk"},
    ),
    W(
        "outreach_ends_the_wait_for_consent",
        "state",
        request(state="weighing", risk="signalled"),
        request(state="outreach", risk="signalled"),
        withdrawn={"housing": "no_consent", "income": "no_consent"},
    ),
    W(
        "closed_after_handover",
        "state",
        request(state="handed_over", consent="yes", detention_ended=True),
        request(state="closed", consent="yes", detention_ended=True),
        refusal="case_closed",
    ),
    W(
        "detention_ended_without_consent",
        "detention_end",
        request(state="screening"),
        request(state="closed", detention_ended=True),
        refusal="case_closed",
    ),
    W(
        "detention_ended_with_consent",
        "detention_end",
        request(state="plan", consent="yes"),
        request(state="handed_over", consent="yes", detention_ended=True),
        kept=ENRICH,
    ),
    W(
        "risk_assessment_survives_a_no",
        "consent",
        request(state="weighing", risk="signalled", **SECURITY_RISK),
        request(state="weighing", consent="no", risk="signalled", **SECURITY_RISK),
        kept=("risk_notices",),
    ),
    # Issue 16: the origin contested by the municipality, and changed by the coordinator. Open requests to a
    # municipality wait (withdrawn with the reason); a request to DJI goes on. The request to the old
    # municipality is not moved to the new one: it is withdrawn as it stands, and a new request is made.
    W(
        "origin_contested",
        "origin",
        request(origin="determined"),
        request(origin="disputed"),
        withdrawn={"housing": "origin_disputed", "income": "origin_disputed"},
    ),
    W(
        "origin_contested_dji_goes_on",
        "origin",
        request(origin="determined", responder=DJI, categories=["detention"]),
        request(origin="disputed", responder=DJI, categories=["detention"]),
        kept=("detention",),
    ),
    W(
        "municipality_changed",
        "origin",
        request(origin="determined", municipality="GM0406", responder=SOCIAL_HUIZEN),
        request(origin="determined", municipality="GM0402", responder=SOCIAL_HUIZEN),
        withdrawn={"housing": "not_municipality_of_origin", "income": "not_municipality_of_origin"},
    ),
]
