"""The category catalogue and the register of processing activities, as DESIGN.md §4 lists them."""

from __future__ import annotations

import csv
import json

import pytest
from jsonschema import Draft202012Validator

from hub.config import ROOT
from hub.policy.catalogue import CatalogueError, UnknownCategory, get_catalogue, holders, schema_for, sensitivity
from hub.policy.register import UnknownActivity, activity, get_register

POLICIES = ROOT / "policies"

DESIGN_CATALOGUE = {
    "identity_document": ({"municipal_social"}, "personal"),
    "brp_registration": ({"municipal_social"}, "personal"),
    "housing": ({"municipal_social"}, "personal"),
    "income": ({"municipal_social", "probation"}, "personal"),
    "debts": ({"municipal_social", "probation"}, "personal"),
    "daytime_activities": ({"municipal_social", "probation"}, "personal"),
    "social_network": ({"municipal_social", "probation"}, "personal"),
    "children": ({"municipal_social"}, "personal"),
    "care": ({"municipal_social", "probation"}, "special"),
    "detention": ({"dji"}, "criminal"),
    "supervision": ({"probation"}, "criminal"),
    "risk_notices": ({"municipal_security"}, "criminal"),
    "risk_clarification": ({"police"}, "police"),
    "plan": ({"zvh_coordinator"}, "personal"),
}

VALID_ANSWERS = {
    "identity_document": {"has_valid_id": False, "document_type": "none", "application_needed": True},
    "brp_registration": {"registered": True, "address_type": "postal", "municipality": "GM0402"},
    "housing": {"situation": "homeless", "registered_address_type": "postal", "at_risk_of_loss": True},
    "income": {"source": "social_assistance", "suspended_during_detention": True},
    "debts": {"has_debts": True, "estimated_total_eur": 12000, "priority_creditors": ["cjib", "tax"]},
    "daytime_activities": {"situation": "none", "employment_retained": None},
    "social_network": {"support_available": True, "stable_contacts": 2},
    "children": {"count": 2, "ages": [4, 9]},
    "care": {"ongoing_care": True, "care_types": ["addiction"], "health_insurance": "suspended"},
    "detention": {"prison": "PI Almere", "started_on": "2026-09-01", "expected_end": "2026-12-01"},
    "supervision": {"under_supervision": True, "special_conditions": ["contact_ban"]},
    "risk_notices": {"notice_18b": True, "notice_bij": False, "pga_status": "candidate"},
    "risk_clarification": {"level": "medium", "explanation": "Eerdere geweldsdelicten.", "valid_until": "2027-01-01"},
    "plan": {
        "agreed_on": "2026-10-01",
        "actions": [{"domain": "housing", "action": "Aanmelden maatschappelijke opvang"}],
    },
}


def test_catalogue_matches_the_design():
    """Every category of DESIGN.md §4 is there with its holders and sensitivity, and no other."""
    catalogue = get_catalogue(POLICIES)
    assert {c: (set(cat.holders), cat.sensitivity) for c, cat in catalogue.categories.items()} == DESIGN_CATALOGUE
    assert holders("care", POLICIES) == {"municipal_social", "probation"}
    assert sensitivity("risk_clarification", POLICIES) == "police"


@pytest.mark.parametrize("category", sorted(DESIGN_CATALOGUE))
def test_schema_accepts_a_real_answer_and_refuses_extras(category):
    """Each schema is valid JSON Schema, accepts a realistic answer and refuses unknown fields."""
    schema = schema_for(category, POLICIES)
    Draft202012Validator.check_schema(schema)
    validator = get_catalogue(POLICIES).validator_for(category)
    assert list(validator.iter_errors(VALID_ANSWERS[category])) == []
    assert list(validator.iter_errors({**VALID_ANSWERS[category], "bsn": "123456782"}))
    assert list(validator.iter_errors({}))  # every schema has a required field


def test_unknown_category_and_activity_raise_named_errors():
    """Looking up what is not there raises a named error, not a bare KeyError from deep inside."""
    with pytest.raises(UnknownCategory):
        schema_for("shoe_size", POLICIES)
    with pytest.raises(UnknownActivity):
        activity("marketing", POLICIES)


def test_register_has_the_four_activities_with_their_legal_basis():
    """The register holds id, version, Dutch name, purpose, legal basis, categories, retention, confidentiality."""
    register = get_register(POLICIES)
    assert set(register.activities) >= {"reintegration", "risk_assessment", "family_support", "handover"}
    catalogue = get_catalogue(POLICIES)
    for key, entry in register.activities.items():
        assert entry.ref.id == key and entry.ref.version and entry.ref.name and entry.purpose
        assert entry.ref.retention_days > 0 and entry.ref.confidentiality
        assert all({"law", "article"} <= set(basis) for basis in entry.legal_basis)
        assert set(entry.categories) <= set(catalogue.categories)
    assert "Pbw art. 18b" in register.get("risk_assessment").ref.legal_basis
    assert register.get("family_support").categories.count("children") == 1
    assert "children" not in register.get("reintegration").categories


def test_policy_regions_match_the_reference_csv():
    """The municipality -> region map in the policy data is hub/reference/regions.csv."""
    with (ROOT / "hub" / "reference" / "regions.csv").open(encoding="utf-8") as handle:
        expected = {row["cbs_code"]: row["region"] for row in csv.DictReader(handle)}
    data = json.loads((POLICIES / "dt" / "reference" / "data.json").read_text(encoding="utf-8"))
    assert data["municipality_regions"] == expected


def test_catalogue_fields_are_the_schema_properties(policies_copy):
    """The fields the answer filter releases are exactly the properties of each category's schema."""
    for category in get_catalogue(POLICIES).categories.values():
        assert category.fields == set(category.schema["properties"])
    path = policies_copy / "dt" / "catalogue" / "data.json"
    data = json.loads(path.read_text())
    data["categories"]["housing"]["fields"].append("landlord")
    path.write_text(json.dumps(data))
    with pytest.raises(CatalogueError, match="housing"):
        get_catalogue(policies_copy)


def test_policy_case_states_and_facts_match_the_case_models():
    """The case states, consent and risk values the policy knows are those hub.cases stores."""
    from hub.cases.models import CaseState, Consent, Risk

    data = json.loads((POLICIES / "dt" / "reference" / "data.json").read_text(encoding="utf-8"))
    assert set(data["case_states"]) == {s.value for s in CaseState}
    assert set(data["consent_values"]) == {c.value for c in Consent}
    assert set(data["risk_values"]) == {r.value for r in Risk}
