"""The access report for the demo person lists exactly what the seed scenario disclosed about them."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.audit.access import DISCLOSURES, IDENTITY, category_namer
from hub.audit.models import AuditRecord
from partners.scenario import ACTORS, PRIVACY_OFFICER


def test_access_report_matches_the_scenarios_disclosures(scenario, partner_client, engine, dev_registry, settings):
    """Every disclosure record of the scenario is one entry, in order, with receiver, sender and activity."""
    scenario.run()
    with Session(engine) as session:
        disclosed = [
            r for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq)) if r.event_type in DISCLOSURES
        ]
    officer = partner_client(PRIVACY_OFFICER, actor=ACTORS[PRIVACY_OFFICER])
    response = officer.post("/v1/audit/access-report", json={"bsn": scenario.person.bsn})
    report = response.json()
    assert response.status_code == 200 and report["aantal_verstrekkingen"] == len(disclosed) >= 5
    got = [(e["ontvanger"], e["verstrekker"], e["doel"], e["grondslag"]) for e in report["verstrekkingen"]]
    expected = [
        (dev_registry.by_oin(r.to_oin).name, dev_registry.by_oin(r.from_oin).name, r.purpose, r.legal_basis)
        for r in disclosed
    ]
    assert got == expected
    names = category_namer(settings.policies_dir)
    assert [e["categorieen"] for e in report["verstrekkingen"]] == [
        [IDENTITY] if r.event_type == "identity_shown" else [names(c) for c in r.categories_released] for r in disclosed
    ]
    for actor in ACTORS.values():
        assert actor not in response.text
    assert scenario.person.bsn not in response.text
