"""The Dutch label of every value the screens show: enum values, event types, reason codes, roles, the
catalogue's answer fields and their enum values. One file, so that a reviewer reads every text in one place;
tests/web/test_labels.py fails when a value of the enums, the policy's reason codes or the category schemas
has no label here."""

from __future__ import annotations

from typing import Final

ROLES: Final = {
    "dji": "DJI (penitentiaire inrichting)",
    "zvh_coordinator": "Coördinator Zorg- en Veiligheidshuis",
    "municipal_social": "Gemeente, sociaal domein",
    "municipal_security": "Gemeente, veiligheidsdomein",
    "police": "Politie",
    "probation": "Reclassering",
    "privacy_officer": "Functionaris gegevensbescherming",
    "region_analyst": "Beleidsanalist van de regio",
}

CASE_STATES: Final = {
    "notified": "Aangemeld",
    "screening": "Screening",
    "weighing": "Weging",
    "plan": "Plan",
    "outreach": "Toeleiding",
    "handed_over": "Overgedragen",
    "closed": "Gesloten",
}

CONSENT: Final = {"yes": "Toestemming", "no": "Geen toestemming", "unknown": "Nog onbekend"}
RISK: Final = {"none": "Geen risico gesignaleerd", "signalled": "Risico gesignaleerd"}

CASE_EVENTS: Final = {
    "detention_started": "Detentie begonnen",
    "screening_started": "Screening gestart",
    "visit_recorded": "Bezoek vastgelegd",
    "weighing_recorded": "Weging vastgelegd",
    "plan_recorded": "Plan vastgelegd",
    "outreach_started": "Toeleiding gestart",
    "detention_ended": "Detentie beëindigd",
    "handover_sent": "Overdracht verstuurd",
    "handover_acknowledged": "Ontvangst overdracht bevestigd",
    "case_closed": "Casus gesloten",
    "risk_notice_received": "Risicomelding van DJI ontvangen",
    "evaluation_recorded": "Evaluatie vastgelegd",
    "origin_determined": "Herkomst vastgesteld",
    "origin_contested": "Herkomst betwist",
}

# The status of the municipality of origin (issue 16); the reasons to determine or contest it are named in
# their register (policies/dt/origin), which the screens read through hub.policy.origin_register.
ORIGIN: Final = {
    "notified": "Gemeld door DJI",
    "determined": "Vastgesteld door de coördinator",
    "unknown": "Herkomst onbekend",
    "disputed": "Herkomst betwist",
}

# DJI's risk notices (hub.notices): their kind, who received them, and the risk they signal.
NOTICE_KINDS: Final = {"18b": "Melding artikel 18b Pbw", "bij": "BIJ-melding"}
NOTICE_ADDRESSEES: Final = {
    "zvh_coordinator": "Zorg- en Veiligheidshuis (gemandateerd door de burgemeester)",
    "municipal_security": "Veiligheidsdomein van de gemeente (geen mandaat aan het ZVH)",
}
NOTICE_RISK: Final = {"signalled_by_dji": "Risico gesignaleerd door DJI (nog niet gewogen)"}

AUDIT_EVENTS: Final = {
    "request_decided": "Verzoek beslist",
    "request_refused": "Verzoek geweigerd",
    "request_redecided": "Verzoek opnieuw beslist",
    "identity_shown": "Identiteit getoond",
    "data_received": "Gegevens ontvangen",
    "data_withheld": "Gegevens tegengehouden",
    "data_released": "Gegevens verstrekt",
    "data_read": "Gegevens ingezien",
    "handover": "Overdracht",
    "access_report": "Inzageverzoek",
    "inspection": "Inspectie van het logboek",
    "content_destroyed": "Inhoud vernietigd",
    "log_pruned": "Logboek opgeschoond",
    "statistics_written": "Anonieme statistiek geschreven",
    "origin_determined": "Herkomst vastgesteld",
    "origin_contested": "Herkomst betwist",
}

REQUEST_STATUS: Final = {
    "open": "Open",
    "answered": "Beantwoord",
    "refused": "Geweigerd",
    "withdrawn": "Ingetrokken",
    "expired": "Verlopen",
    "closed": "Gesloten",
    "overdue": "Te laat",
}

HANDOVER_STATUS: Final = {"sent": "Verstuurd", "acknowledged": "Ontvangst bevestigd", "refused": "Geweigerd"}

# The coordinator's steps as actions (the links on the case page, the step page's heading); CASE_EVENTS names
# them as done, in the timeline.
STEPS: Final = {
    "visit_recorded": "Bezoek vastleggen",
    "weighing_recorded": "Weging vastleggen",
    "plan_recorded": "Plan vastleggen",
    "outreach_started": "Toeleiding starten",
    "evaluation_recorded": "Evaluatie vastleggen",
    "case_closed": "Casus sluiten",
}

SENSITIVITY: Final = {
    "personal": "persoonsgegeven",
    "special": "bijzonder",
    "criminal": "strafrechtelijk",
    "police": "politiegegeven (Wpg)",
}

CLOSE_REASONS: Final = {
    "no_help_no_risk": "Geen hulpvraag en geen risico",
    "risk_resolved": "Risico weggenomen",
    "handover_not_possible": "Overdracht niet mogelijk",
}

CONDITION_STATUS: Final = {"in_order": "Op orde", "not_in_order": "Niet op orde", "unknown": "Onbekend"}

# The policy's reason codes (policies/dt/reference/data.json `reasons`) and the enforcement point's own.
REASONS: Final = {
    "invalid_input": "Ongeldige invoer",
    "unknown_role": "Onbekende rol",
    "unknown_operation": "Onbekende handeling",
    "role_not_permitted": "Rol heeft geen toegang",
    "unknown_activity": "Onbekende verwerking",
    "exchange_not_activity": "Verwerking past niet bij deze uitwisseling",
    "unknown_case_state": "Onbekende casusfase",
    "privacy_officer_no_content": "De FG ziet geen inhoud",
    "requester_not_coordinator": "Alleen de coördinator mag vragen",
    "case_closed": "Casus gesloten",
    "wrong_region": "Andere regio",
    "case_region_mismatch": "Casus hoort bij een andere regio",
    "unknown_category": "Onbekende categorie",
    "category_not_in_activity": "Categorie hoort niet bij deze verwerking",
    "wrong_holder": "Deze partner heeft deze gegevens niet",
    "not_municipality_of_origin": "Niet de gemeente van herkomst",
    "origin_unknown": "Herkomst onbekend",
    "origin_disputed": "Herkomst betwist",
    "responder_other_region": "Partner in een andere regio",
    "detention_not_ended": "Detentie nog niet beëindigd",
    "handover_not_to_origin": "Overdracht alleen aan de gemeente van herkomst",
    "no_consent": "Geen toestemming",
    "no_consent_no_risk": "Geen toestemming en geen risico",
    "special_category_needs_consent": "Bijzonder gegeven vraagt toestemming",
    "risk_not_signalled": "Geen risico gesignaleerd",
    "policy_data_incomplete": "Beleidsgegevens onvolledig",
    "policy_unavailable": "Beleid niet bereikbaar",
    "category_not_allowed": "Categorie niet toegestaan",
    "field_not_in_catalogue": "Veld buiten de catalogus",
    "notice_not_mandated": "Geen mandaat van de burgemeester aan het ZVH",
    "notice_mandated_to_zvh": "De melding is bij het ZVH (mandaat)",
    "notice_other_municipality": "Melding voor een andere gemeente",
    "notice_reader_not_permitted": "Deze rol leest geen risicomeldingen",
    "origin_reader_not_permitted": "Alleen het sociaal domein van de vastgestelde gemeente",
    "origin_not_determined": "Herkomst niet vastgesteld door de coördinator",
}

# Answer fields of the category schemas (policies/dt/schemas/data.json).
FIELDS: Final = {
    "action": "Actie",
    "actions": "Acties",
    "address_type": "Soort adres",
    "ages": "Leeftijden",
    "agreed_on": "Afgesproken op",
    "application_needed": "Aanvraag nodig",
    "at_risk_of_loss": "Dreigt verloren te gaan",
    "brp_registration": "Inschrijving BRP",
    "care": "Zorg",
    "care_types": "Soorten zorg",
    "case_manager": "Casemanager",
    "children": "Kinderen",
    "contact_municipality": "Contactpersoon gemeente",
    "continuation_needed": "Voortzetting nodig",
    "count": "Aantal",
    "daytime_activities": "Dagbesteding",
    "debts": "Schulden",
    "detention": "Detentie",
    "document_type": "Soort document",
    "domain": "Basisvoorwaarde",
    "employment_retained": "Werk behouden",
    "estimated_total_eur": "Geschat totaal (euro)",
    "expected_end": "Verwacht einde",
    "explanation": "Toelichting",
    "has_debts": "Heeft schulden",
    "has_valid_id": "Heeft geldig identiteitsbewijs",
    "health_insurance": "Zorgverzekering",
    "housing": "Huisvesting",
    "identity_document": "Identiteitsbewijs",
    "in_debt_assistance": "In schuldhulpverlening",
    "income": "Inkomen",
    "level": "Niveau",
    "municipality": "Gemeente",
    "network_increases_risk": "Netwerk vergroot risico",
    "notice_18b": "Melding artikel 18b",
    "notice_bij": "Melding BIJ",
    "ongoing_care": "Lopende zorg",
    "partner_role": "Partner",
    "pga_status": "PGA-status",
    "plan": "Plan",
    "prison": "Inrichting",
    "priority_creditors": "Preferente schuldeisers",
    "registered": "Ingeschreven",
    "registered_address_type": "Soort inschrijfadres",
    "registered_since": "Ingeschreven sinds",
    "risk_clarification": "Toelichting risico",
    "risk_notices": "Risicomeldingen",
    "situation": "Situatie",
    "social_network": "Sociaal netwerk",
    "source": "Bron",
    "special_conditions": "Bijzondere voorwaarden",
    "stable_contacts": "Stabiele contacten",
    "started_on": "Begonnen op",
    "supervision": "Toezicht",
    "supervision_until": "Toezicht tot",
    "support_available": "Steun beschikbaar",
    "suspended_during_detention": "Opgeschort tijdens detentie",
    "under_supervision": "Onder toezicht",
    "valid_until": "Geldig tot",
}

# Enum values inside the category schemas.
VALUES: Final = {
    "active": "Actief",
    "addiction": "Verslavingszorg",
    "candidate": "Kandidaat",
    "care": "Zorg",
    "cjib": "CJIB",
    "contact_ban": "Contactverbod",
    "day_programme": "Dagprogramma",
    "daytime_activities": "Dagbesteding",
    "debts": "Schulden",
    "disability": "Gehandicaptenzorg",
    "driving_licence": "Rijbewijs",
    "education": "Opleiding",
    "electronic_monitoring": "Elektronische monitoring",
    "employed": "In loondienst",
    "employment": "Werk",
    "ended": "Beëindigd",
    "energy": "Energie",
    "health_insurance": "Zorgverzekering",
    "high": "Hoog",
    "homeless": "Dakloos",
    "housing": "Huisvesting",
    "identity_card": "Identiteitskaart",
    "identity_document": "Identiteitsbewijs",
    "income": "Inkomen",
    "insured": "Verzekerd",
    "location_ban": "Locatieverbod",
    "low": "Laag",
    "medium": "Middel",
    "mental_health": "GGZ",
    "none": "Geen",
    "other": "Anders",
    "own_rental": "Eigen huurwoning",
    "owner_occupied": "Koopwoning",
    "passport": "Paspoort",
    "pension": "Pensioen",
    "postal": "Postadres",
    "reporting_duty": "Meldplicht",
    "residence_permit": "Verblijfsdocument",
    "residential": "Woonadres",
    "sheltered": "Opvang",
    "social_assistance": "Bijstand",
    "social_network": "Sociaal netwerk",
    "somatic": "Somatische zorg",
    "suspended": "Opgeschort",
    "tax": "Belastingdienst",
    "treatment": "Behandeling",
    "uninsured": "Onverzekerd",
    "unknown": "Onbekend",
    "uwv_benefit": "UWV-uitkering",
    "volunteering": "Vrijwilligerswerk",
    "with_family_or_friends": "Bij familie of vrienden",
}

# Why verifying the log failed (hub.audit.verify), for the privacy officer's Integriteit screen.
INTEGRITY: Final = {
    "checkpoint_signature": "De handtekening van een checkpoint klopt niet (vervalst of met een andere sleutel).",
    "gap": "Er ontbreekt een record: het is verwijderd of verplaatst.",
    "out_of_order": "Een record staat dubbel of te vroeg: ingevoegd of van plaats verwisseld.",
    "altered": "Een record is veranderd: de inhoud past niet meer bij de eigen hash of bij de opvolger.",
    "inserted": "Er is een record tussengevoegd tussen twee records die direct aan elkaar zijn geketend.",
    "broken_link": "De ketting is gebroken: de verwijzing naar het vorige record klopt niet.",
    "rewritten": "Het logboek is herschreven: het wijkt af van een ondertekend checkpoint.",
    "truncated": "Het logboek is ingekort: een checkpoint verzegelt records die er niet meer zijn.",
    "unauthenticated": "Een record heeft geen of een verkeerde MAC: het is niet door de hub toegevoegd.",
    "malformed": "Een record is onleesbaar of onvolledig.",
    "unsealed_tail_too_long": "Te veel records staan nog na het laatste ondertekende checkpoint.",
    "stale_seal": "Het laatste checkpoint is te lang geleden gezet.",
    "witness_truncated": "Het logboek is korter dan een checkpoint dat buiten de database is bewaard.",
    "witness_mismatch": "Het logboek wijkt af van een checkpoint dat buiten de database is bewaard.",
    "witness_signature": "Een checkpoint bij de getuige heeft een ongeldige handtekening.",
    "header_signature": "De kop van de export is niet met de sleutel van het logboek ondertekend.",
    "unsealed": "De export bevat records die geen ondertekend checkpoint dekt.",
}

CONFIDENTIALITY: Final = {"confidential": "Vertrouwelijk", "strictly_confidential": "Strikt vertrouwelijk"}

# The API's operations (the policy's `api` table, hub.auth.scopes), for the Partners en rechten screen.
OPERATIONS: Final = {
    "notification.create": "Detentie melden (begin en einde)",
    "case.list": "Casussen bekijken (lijst)",
    "case.read": "Een casus inzien",
    "case.transition": "Stappen van een casus vastleggen",
    "request.create": "Een verzoek om gegevens doen",
    "request.list": "Verzoeken bij een casus bekijken",
    "request.read": "Een verzoek en het antwoord inzien",
    "inbox.list": "Binnengekomen verzoeken bekijken (inbox)",
    "inbox.read": "Een binnengekomen verzoek openen",
    "answer.submit": "Een verzoek beantwoorden",
    "handover.create": "Een warme overdracht versturen",
    "handover.acknowledge": "Ontvangst van een overdracht bevestigen",
    "origin.determine": "De gemeente van herkomst vaststellen",
    "origin.contest": "De vastgestelde herkomst betwisten",
    "audit.query": "Het logboek doorzoeken",
    "audit.integrity": "De integriteit van het logboek controleren",
    "audit.access_report": "Een inzageverzoek beantwoorden",
    "audit.report": "Rapporten over het logboek maken",
    "monitor.read": "De anonieme monitor van de regio bekijken",
}

# The monitor's column headers (hub.monitoring.report): detention length bands, flags, partner types.
MONITOR: Final = {
    "under_4_weeks": "Korter dan 4 weken",
    "1_to_6_months": "1 tot 6 maanden",
    "longer": "Langer dan 6 maanden",
    "not_ended": "Nog niet beëindigd bij sluiten",
    "total": "Aantal casussen",
    "consent": "Met toestemming",
    "risk": "Met gesignaleerd risico",
    "outreach": "In toeleiding",
    "handover": "Overdracht bevestigd",
    "notice_18b": "Met 18b-melding",
    "notice_bij": "Met BIJ-melding",
    "origin_start": "Herkomst onbekend bij de start",
    "origin_disputed": "Herkomst betwist",
    "none": "Herkomst niet vastgesteld",
    "start": "Op orde bij de start",
    "after": "Op orde na het plan",
}

ALL: Final = {
    "role": ROLES,
    "state": CASE_STATES,
    "consent": CONSENT,
    "risk": RISK,
    "event": CASE_EVENTS,
    "step": STEPS,
    "origin": ORIGIN,
    "audit": AUDIT_EVENTS,
    "status": REQUEST_STATUS,
    "handover": HANDOVER_STATUS,
    "sensitivity": SENSITIVITY,
    "condition": CONDITION_STATUS,
    "close": CLOSE_REASONS,
    "reason": REASONS,
    "field": FIELDS,
    "value": VALUES,
    "integrity": INTEGRITY,
    "confidentiality": CONFIDENTIALITY,
    "operation": OPERATIONS,
    "notice_kind": NOTICE_KINDS,
    "notice_addressee": NOTICE_ADDRESSEES,
    "notice_risk": NOTICE_RISK,
    "monitor": MONITOR,
}


def label(kind: str, value: object) -> str:
    """The Dutch label of `value` of kind `kind`; the value itself when there is none (a test keeps that rare)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return ALL[kind].get(str(value), str(value))
