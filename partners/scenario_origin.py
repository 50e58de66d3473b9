"""A branch of the seed scenario (issue 16): a second person whose municipality of origin DJI does not know.

The case opens with the ZVH of PI Nieuwegein's region, herkomst onbekend, and a request to Huizen waits. The
coordinator determines Huizen (last address); Huizen finds the person registered elsewhere and contests the
determination from its list; a request to Huizen waits again (herkomst betwist). The coordinator settles on
Hilversum (BRP registration at the start of detention), and the request to Hilversum goes out.

It runs on a `Scenario` (its partners' clients, steps and narration), after or without the main story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from partners.scenario import (
    AUDIT_QUERY_PATH,
    DJI,
    HUIZEN_SOCIAL,
    PRIVACY_OFFICER,
    SOCIAL,
    STARTED_PATH,
    ZVH,
    Person,
    Scenario,
    Step,
    StepFailed,
)

HUIZEN, HILVERSUM = "GM0406", "GM0402"


@dataclass
class OriginBranch:
    """Runs the branch on `scenario`; `case_id` and `determinations` are known once their step has run."""

    scenario: Scenario
    person: Person = field(default_factory=lambda: Person("123456782", "P. Jansen", date(1985, 2, 1)))
    case_id: str | None = None
    determinations: list[str] = field(default_factory=list)

    def notified_without_municipality(self) -> Step:
        started = self.scenario.started_on + timedelta(days=5)
        body = {
            "notification_id": f"{self.scenario.notification_prefix}-ORIGIN-START",
            "subject": {
                "bsn": self.person.bsn,
                "name": self.person.name,
                "birth_date": self.person.birth_date.isoformat(),
            },
            "prison": "PI Nieuwegein",
            "started_on": started.isoformat(),
            "expected_release_on": (started + timedelta(days=45)).isoformat(),
            "municipality": None,
            "information_sheet": {"conditions": {"housing": {"status": "unknown"}}},
        }
        step = self.scenario._post(
            DJI, "DJI meldt een tweede persoon; de gemeente van herkomst is onbekend", STARTED_PATH, body
        )
        self.case_id = step.body["case_id"]
        return step

    def ask(self, responder: str, title: str, status: str) -> Step:
        body = {"responder": responder, "activity": "reintegration", "categories": ["brp_registration", "housing"]}
        step = self.scenario._post(ZVH, title, f"/v1/cases/{self.case_id}/requests", body)
        if step.body["status"] != status:
            raise StepFailed(f"{title}: status {step.body['status']}, not {status}", step.response)
        return step

    def determine(self, municipality: str, reason: str, title: str) -> Step:
        body = {"municipality": municipality, "reason": reason}
        step = self.scenario._post(ZVH, title, f"/v1/cases/{self.case_id}/origin", body)
        self.determinations.append(step.body["id"])
        return step

    def contest(self, reason: str, title: str) -> list[Step]:
        listed = self.scenario._get(
            HUIZEN_SOCIAL, "Huizen bekijkt de vaststellingen die Huizen noemen", "/v1/origin-determinations"
        )
        current = self.determinations[-1]
        if current not in [d["id"] for d in listed.body]:
            raise StepFailed(f"{title}: the determination is not in Huizen's list", listed.response)
        contested = self.scenario._post(
            HUIZEN_SOCIAL, title, f"/v1/origin-determinations/{current}/contest", {"reason": reason}
        )
        return [listed, contested]

    def disclosure_log(self) -> Step:
        return self.scenario._post(
            PRIVACY_OFFICER,
            "De FG bekijkt het verwerkingenlogboek van de tweede casus",
            AUDIT_QUERY_PATH,
            {"case_id": self.case_id, "limit": 100},
            expect=200,
        )

    def run(self) -> list[Step]:
        first = len(self.scenario.steps)
        self.notified_without_municipality()
        self.ask(HUIZEN_SOCIAL, "ZVH vraagt Huizen om gegevens: dat wacht, de herkomst is onbekend", "refused")
        self.determine(HUIZEN, "last_address", "ZVH stelt Huizen vast als gemeente van herkomst (laatste adres)")
        self.contest("registered_elsewhere", "Huizen betwist de herkomst: de persoon stond elders ingeschreven")
        self.ask(HUIZEN_SOCIAL, "ZVH vraagt Huizen opnieuw: dat wacht, de herkomst is betwist", "refused")
        self.determine(
            HILVERSUM, "brp_registration", "ZVH beslist opnieuw: Hilversum (inschrijving in de BRP bij aanvang)"
        )
        self.ask(SOCIAL, "ZVH vraagt Hilversum om gegevens: dat gaat nu door", "open")
        self.disclosure_log()
        return self.scenario.steps[first:]
