"""The seed scenario (partners/scenario.py) done through the screens' forms, as a browser would post them.
Shared by the HTTP test (test_scenario.py) and, for its data, the browser test."""

from __future__ import annotations

from datetime import date, timedelta

from partners.scenario import POLICE, SECURITY, SOCIAL, ZVH, Person

DJI = "dji-pi-nieuwegein"
PROBATION = "reclassering-nederland"  # not in the seed scenario: every answering role clicks through its screens
STARTED = date.today() - timedelta(days=30)
NOTIFICATION_ID = "PI-NWG-SCHERM-START"

NOTIFICATION_FORM = {
    "notification_id": NOTIFICATION_ID,
    "bsn": Person.bsn,
    "name": Person.name,
    "birth_date": Person.birth_date.isoformat(),
    "prison": "PI Nieuwegein",
    "started_on": STARTED.isoformat(),
    "expected_release_on": (STARTED + timedelta(days=60)).isoformat(),
    "municipality": "GM0402",
    "status.identity_document": "not_in_order",
    "vraag.identity_document": "ID-kaart verlopen",
    "status.housing": "not_in_order",
    "vraag.housing": "Zoekt woonruimte na detentie",
    "status.debts": "unknown",
}
SOCIAL_REQUEST = {
    "responder": SOCIAL,
    "activity": "reintegration",
    "categories": ["identity_document", "brp_registration", "housing", "income", "debts", "care"],
}
SECURITY_REQUEST = {"responder": SECURITY, "activity": "risk_assessment", "categories": ["risk_notices"]}
POLICE_REQUEST = {"responder": POLICE, "activity": "risk_assessment", "categories": ["risk_clarification"]}
PROBATION_REQUEST = {"responder": PROBATION, "activity": "risk_assessment", "categories": ["supervision"]}
SOCIAL_ANSWER_FORM = {
    "identity_document.has_valid_id": "nee",
    "identity_document.application_needed": "ja",
    "housing.situation": "with_family_or_friends",
    "housing.at_risk_of_loss": "ja",
    "income.source": "none",
    "income.suspended_during_detention": "ja",
}
SECURITY_ANSWER_FORM = {
    "risk_notices.notice_18b": "ja",
    "risk_notices.notice_bij": "nee",
    "risk_notices.pga_status": "candidate",
}
POLICE_ANSWER_FORM = {
    "risk_clarification.level": "medium",
    "risk_clarification.valid_until": (date.today() + timedelta(days=180)).isoformat(),
    "risk_clarification.explanation": "Afspraken met de wijkagent aanbevolen.",
}
PROBATION_ANSWER_FORM = {
    "supervision.under_supervision": "ja",
    "supervision.special_conditions": ["contact_ban", "reporting_duty"],
    "supervision.supervision_until": (date.today() + timedelta(days=365)).isoformat(),
}
VISIT_FORM = {"type": "visit_recorded", "visited_on": (STARTED + timedelta(days=3)).isoformat()}
WEIGHING_FORM = {"type": "weighing_recorded", "consent": "yes", "risk": "signalled"}
PLAN_FORM = {
    "type": "plan_recorded",
    "agreed_on": (STARTED + timedelta(days=20)).isoformat(),
    "action.identity_document": "ID-kaart aanvragen bij de gemeente",
    "partner.identity_document": "municipal_social",
    "action.housing": "Aanmelden bij de woonkamer voor tijdelijke opvang",
    "contact_municipality": "Consulent Hilversum",
}
ENDED_FORM = {
    "notification_id": "PI-NWG-SCHERM-EINDE",
    "started_notification_id": NOTIFICATION_ID,
    "bsn": Person.bsn,
    "ended_on": (STARTED + timedelta(days=45)).isoformat(),
}

__all__ = ["DJI", "POLICE", "PROBATION", "SECURITY", "SOCIAL", "ZVH"]
