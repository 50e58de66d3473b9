"""A branch of the seed scenario (issue 16): DJI sends an 18b notice for the Hilversum resident.

Hilversum's mayor has mandated the ZVH Gooi en Vechtstreek (partners/registry/gm0402-security.json,
`zvh_mandate`), so the notice lands on the person's open case at the ZVH: the case's risk is *signalled by
DJI* until the weighing sets it. Hilversum's own security domain is refused the text (the policy: it is with
the ZVH); the coordinator reads it, and that read is in the disclosure log. The branch runs on a detention of
its own, so it does not change the main story; `partners.demo` tells it after that story.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from partners.scenario import DJI, PRIVACY_OFFICER, SECURITY, ZVH, Scenario

NOTICE_PATH = "/v1/notifications/risk-notice"
NOTICE_TEXT = (
    "Op grond van artikel 18b Pbw: ernstige zorg over recidive in een geweldsdelict na de vrijlating.\n"
    "Contact met het slachtoffer is niet uitgesloten."
)


def notice_branch(scenario: Scenario) -> Scenario:
    """Run the branch with the scenario's partners and person; returns the branch (its steps, its case)."""
    branch = replace(
        scenario,
        notification_prefix=f"{scenario.notification_prefix}-18B",
        started_on=date.today() - timedelta(days=20),
        steps=[],
        case_id=None,
        ids={},
    )
    branch.detention_starts()
    sent = branch._post(
        DJI,
        "DJI meldt: 18b-melding voor de burgemeester van Hilversum (gemandateerd: gaat naar het ZVH)",
        NOTICE_PATH,
        {
            "notice_id": f"{branch.notification_prefix}-NOTICE",
            "kind": "18b",
            "bsn": branch.person.bsn,
            "municipality": "GM0402",
            "issued_on": (date.today() - timedelta(days=1)).isoformat(),
            "text": NOTICE_TEXT,
        },
    )
    notice_id = branch.ids["notice"] = sent.body["id"]
    branch._get(ZVH, "ZVH ziet de melding bij de casus (risico gesignaleerd door DJI)", _on_case(branch))
    branch._get(
        SECURITY,
        "Hilversum (veiligheid) wil de tekst lezen: geweigerd, de melding is bij het ZVH",
        f"/v1/risk-notices/{notice_id}",
        expect=403,
    )
    branch._get(ZVH, "ZVH leest de tekst van de melding (wordt gelogd)", f"{_on_case(branch)}/{notice_id}")
    branch.event(
        {"type": "visit_recorded", "visited_on": (branch.started_on + timedelta(days=2)).isoformat()},
        "ZVH legt het bezoek in de PI vast",
    )
    branch.event(
        {"type": "weighing_recorded", "consent": "no", "risk": "signalled"},
        "ZVH weegt: geen hulpvraag, het risico blijft (nu door de weging, niet meer alleen door DJI)",
    )
    branch._get(ZVH, "ZVH bekijkt de melding opnieuw: het risico is nu gewogen", _on_case(branch))
    branch._post(
        PRIVACY_OFFICER,
        "De FG bekijkt het verwerkingenlogboek van deze casus",
        "/v1/audit/records/query",
        {"case_id": branch.case_id, "limit": 500},
        expect=200,
    )
    return branch


def _on_case(branch: Scenario) -> str:
    return f"/v1/cases/{branch.case_id}/risk-notices"
