"""The whole seed scenario through the HTTP API: real tokens (partners.client.HubClient), the real policy
engine, SQLite and PostgreSQL; then the disclosure log must hold exactly the expected records."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from partners.scenario import ACTORS, DJI, POLICE, PRIVACY_OFFICER, SECURITY, SOCIAL, ZVH

OIN = {
    DJI: "00000009990000016000",
    ZVH: "00000009990000001000",
    SOCIAL: "00000009990000008000",
    SECURITY: "00000009990000009000",
    POLICE: "00000009990000017000",
    PRIVACY_OFFICER: "00000009990000019000",
}
BASICS = ["brp_registration", "debts", "housing", "identity_document", "income"]
HANDED_OVER = ["debts", "housing", "identity_document", "income", "plan"]

# (event type, from, to, categories released, categories withheld, reasons, activity)
EXPECTED_LOG = [
    ("data_received", DJI, None, ["debts", "detention", "housing", "identity_document"], [], {}, "reintegration"),
    ("request_decided", ZVH, SOCIAL, BASICS, [], {}, "reintegration"),
    ("request_refused", SOCIAL, ZVH, [], ["care"], {"care": "special_category_needs_consent"}, "reintegration"),
    ("request_decided", ZVH, SECURITY, ["risk_notices"], [], {}, "risk_assessment"),
    ("identity_shown", ZVH, SOCIAL, [], [], {}, "reintegration"),
    ("data_received", SOCIAL, ZVH, BASICS, [], {}, "reintegration"),
    (
        "data_withheld",
        SOCIAL,
        ZVH,
        [],
        ["care", "housing"],
        {"care": "category_not_allowed", "housing": "field_not_in_catalogue"},
        "reintegration",
    ),
    ("identity_shown", ZVH, SECURITY, [], [], {}, "risk_assessment"),
    ("data_received", SECURITY, ZVH, ["risk_notices"], [], {}, "risk_assessment"),
    ("data_released", SOCIAL, ZVH, BASICS, [], {}, "reintegration"),
    ("data_released", SECURITY, ZVH, ["risk_notices"], [], {}, "risk_assessment"),
    (
        "request_refused",
        POLICE,
        ZVH,
        [],
        ["risk_clarification"],
        {"risk_clarification": "risk_not_signalled"},
        "risk_assessment",
    ),
    ("request_decided", ZVH, POLICE, ["risk_clarification"], [], {}, "risk_assessment"),
    ("identity_shown", ZVH, POLICE, [], [], {}, "risk_assessment"),
    ("data_received", POLICE, ZVH, ["risk_clarification"], [], {}, "risk_assessment"),
    ("data_released", POLICE, ZVH, ["risk_clarification"], [], {}, "risk_assessment"),
    ("data_received", DJI, None, ["detention"], [], {}, "reintegration"),
    ("handover", ZVH, SOCIAL, HANDED_OVER, [], {}, "handover"),
    (
        "request_refused",
        ZVH,
        SOCIAL,
        [],
        ["brp_registration"],
        {"brp_registration": "category_not_in_activity"},
        "handover",
    ),
    ("data_released", ZVH, SOCIAL, HANDED_OVER, [], {}, "handover"),
    # the acknowledgement closes the case: its anonymous statistics are written (hub.monitoring), about no one
    ("statistics_written", None, None, [], [], {}, "monitoring"),
]


def _oin(client_id: str | None) -> str | None:
    return OIN[client_id] if client_id else None


def _row(record: AuditRecord) -> tuple:
    return (
        record.event_type,
        record.from_oin,
        record.to_oin,
        record.categories_released,
        record.categories_withheld,
        record.denial_reasons,
        record.activity_id,
    )


def test_the_seed_scenario_runs_end_to_end(scenario, engine):
    """Detention to handover: every step answers as expected and the case ends closed."""
    steps = scenario.run()
    by_title = {step.title: step for step in steps}
    social = by_title["ZVH vraagt Hilversum (sociaal domein) om de basisvoorwaarden"].body
    care = next(c for c in social["categories"] if c["category"] == "care")
    assert care["outcome"] == "denied" and "toestemming" in care["explanation"].lower()
    early = by_title["ZVH vraagt de politie al om een risicoduiding, vóór de weging"].body
    assert early["status"] == "refused" and early["categories"][0]["reason"] == "risk_not_signalled"
    receipt = by_title["Hilversum (sociaal) antwoordt"].body
    assert {(w["category"], w["field"], w["fields_not_in_catalogue"]) for w in receipt["withheld"]} == {
        ("care", None, None),
        ("housing", None, 1),
    }  # the extra field is counted, never named
    read = by_title["ZVH leest het antwoord van het sociaal domein"].body
    assert sorted(read["values"]) == BASICS and "landlord_notes" not in read["values"]["housing"]
    assert read["withheld"] == [
        {
            "category": "care",
            "field": None,
            "reason": "category_not_allowed",
            "explanation": read["withheld"][0]["explanation"],
            "fields_not_in_catalogue": None,
        }
    ]  # categories only, no field names
    clarification = by_title["ZVH leest de risicoduiding"].body["values"]["risk_clarification"]
    assert clarification["level"] == "medium" and clarification["valid_until"] == "2027-06-30"
    handover = by_title["Hilversum leest de overdracht"].body
    assert handover["categories"] == HANDED_OVER and handover["subject"]["bsn"] == scenario.person.bsn
    with Session(engine) as session:
        case = session.get(Case, scenario.case_id)
        assert case.state == "closed" and case.closed_at is not None


def test_the_disclosure_log_holds_exactly_the_expected_records(scenario, engine):
    """Each disclosure and refusal of the scenario is one record, in order, with the right parties and codes."""
    scenario.run()
    expected = [
        (event, _oin(frm), _oin(to), released, withheld, reasons, activity)
        for event, frm, to, released, withheld, reasons, activity in EXPECTED_LOG
    ]
    with Session(engine) as session:
        records = list(session.exec(select(AuditRecord).order_by(AuditRecord.seq)))
    *disclosures, inspection = records
    assert [_row(r) for r in disclosures] == expected
    assert {r.case_id for r in disclosures} == {scenario.case_id}
    assert len({r.subject_pseudonym for r in disclosures if r.event_type != "statistics_written"}) == 1
    assert disclosures[-1].subject_pseudonym is None
    assert scenario.person.bsn not in str([r.model_dump() for r in records])
    # The privacy officer's query is itself a record: an inspection, filtered on the case, about no one.
    assert (inspection.event_type, inspection.to_oin, inspection.subject_pseudonym) == (
        "inspection",
        OIN[PRIVACY_OFFICER],
        None,
    )


def test_the_privacy_officer_sees_the_same_log_and_a_sound_chain(scenario, partner_client):
    """The privacy officer's query returns the scenario's records (no content) and the chain verifies."""
    scenario.run()
    seen = scenario.steps[-1].body["records"]
    assert [r["event_type"] for r in seen] == [row[0] for row in EXPECTED_LOG]
    assert all("values" not in r and "content" not in r for r in seen)
    integrity = partner_client(PRIVACY_OFFICER, actor=ACTORS[PRIVACY_OFFICER]).get("/v1/audit/integrity")
    assert integrity.status_code == 200
    assert integrity.json()["verification"]["ok"] is True
