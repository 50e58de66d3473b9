"""The seed scenario, step by step, through the hub's HTTP API with each partner's own client.

A Hilversum resident (GM0402) enters detention in PI Nieuwegein. The ZVH Gooi en Vechtstreek enriches the
case from Hilversum's social and security domains, records the weighing, asks the police for a risk
clarification once a risk is signalled, draws up a plan, and at release hands the case over to Hilversum.
Along the way the policy refuses some things, and explains why.

`partners.demo` prints the steps for a newcomer; `tests/e2e/test_scenario.py` runs the same steps against
the test app and checks every answer and the resulting disclosure log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from partners.client import HubClient

DJI = "dji-pi-nieuwegein"
ZVH = "zvh-gooi-en-vechtstreek"
SOCIAL = "gm0402-social"
SECURITY = "gm0402-security"
POLICE = "politie-midden-nederland"
PRIVACY_OFFICER = "fg-gooi-en-vechtstreek"
HUIZEN_SOCIAL = "gm0406-social"  # the origin branch (partners/scenario_origin.py)

ACTORS = {
    DJI: "casemanager-nwg-17",
    ZVH: "procesregisseur-04",
    SOCIAL: "consulent-hilversum-12",
    SECURITY: "veiligheid-hilversum-3",
    POLICE: "wijkagent-gooi-8",
    PRIVACY_OFFICER: "fg-1",
    HUIZEN_SOCIAL: "consulent-huizen-5",
}

STARTED_PATH = "/v1/notifications/detention-started"
ENDED_PATH = "/v1/notifications/detention-ended"
AUDIT_QUERY_PATH = "/v1/audit/records/query"


class StepFailed(RuntimeError):
    """The hub did not answer a step as the scenario expects."""

    def __init__(self, title: str, response: httpx.Response) -> None:
        super().__init__(f"{title}: HTTP {response.status_code} {response.text[:500]}")
        self.response = response


@dataclass
class Step:
    actor: str  # client_id of the partner acting
    title: str  # what happens, in plain words
    response: httpx.Response

    @property
    def body(self) -> Any:
        return self.response.json() if self.response.content else None


@dataclass
class Person:
    bsn: str = "111222333"
    name: str = "J. de Vries"
    birth_date: date = date(1990, 4, 12)


@dataclass
class Scenario:
    """Runs the seed scenario. `client_for(client_id)` gives each partner's HubClient."""

    client_for: Callable[[str], HubClient]
    person: Person = field(default_factory=Person)
    started_on: date = field(default_factory=lambda: date.today() - timedelta(days=30))
    notification_prefix: str = "PI-NWG-DEMO"
    on_step: Callable[[Step], None] = lambda step: None
    steps: list[Step] = field(default_factory=list)
    case_id: str | None = None
    ids: dict[str, str] = field(default_factory=dict)

    # -- plumbing ----------------------------------------------------------------------------------

    def _call(self, actor: str, title: str, method: str, path: str, expect: int, **kwargs: Any) -> Step:
        response = self.client_for(actor).request(method, path, **kwargs)
        step = Step(actor, title, response)
        self.steps.append(step)
        self.on_step(step)
        if response.status_code != expect:
            raise StepFailed(title, response)
        return step

    def _post(self, actor: str, title: str, path: str, body: Any = None, expect: int = 201) -> Step:
        return self._call(
            actor,
            title,
            "POST",
            path,
            expect,
            json=body,
            headers={"Idempotency-Key": f"{self.notification_prefix}-{len(self.steps)}"},
        )

    def _get(self, actor: str, title: str, path: str, expect: int = 200, **params: Any) -> Step:
        return self._call(actor, title, "GET", path, expect, params=params or None)

    # -- the steps ---------------------------------------------------------------------------------

    def detention_starts(self) -> Step:
        body = {
            "notification_id": f"{self.notification_prefix}-START",
            "subject": {
                "bsn": self.person.bsn,
                "name": self.person.name,
                "birth_date": self.person.birth_date.isoformat(),
            },
            "prison": "PI Nieuwegein",
            "started_on": self.started_on.isoformat(),
            "expected_release_on": (self.started_on + timedelta(days=60)).isoformat(),
            "municipality": "GM0402",
            "information_sheet": {
                "conditions": {
                    "identity_document": {"status": "not_in_order", "help_question": "ID-kaart verlopen"},
                    "housing": {"status": "not_in_order", "help_question": "Zoekt woonruimte na detentie"},
                    "debts": {"status": "unknown"},
                }
            },
        }
        step = self._post(DJI, "DJI meldt: detentie gestart (opent een casus bij de ZVH)", STARTED_PATH, body)
        self.case_id = step.body["case_id"]
        return step

    def ask(self, key: str, responder: str, activity: str, categories: list[str], title: str) -> Step:
        body = {"responder": responder, "activity": activity, "categories": categories}
        step = self._post(ZVH, title, f"/v1/cases/{self.case_id}/requests", body)
        self.ids[key] = step.body["id"]
        return step

    def answer(self, key: str, responder: str, values: dict[str, dict[str, Any]], title: str) -> list[Step]:
        request_id = self.ids[key]
        inbox = self._get(responder, "Inbox bekijken", "/v1/inbox")
        if request_id not in [item["id"] for item in inbox.body["items"]]:
            raise StepFailed(f"{title}: the request is not in the inbox", inbox.response)
        shown = self._get(
            responder, "Verzoek openen (toont wie het betreft; dat wordt gelogd)", f"/v1/inbox/{request_id}"
        )
        sent = self._post(responder, title, f"/v1/inbox/{request_id}/answer", {"values": values})
        return [inbox, shown, sent]

    def read_answer(self, key: str, title: str) -> Step:
        return self._get(ZVH, title, f"/v1/requests/{self.ids[key]}/answer")

    def event(self, body: dict[str, Any], title: str) -> Step:
        return self._post(ZVH, title, f"/v1/cases/{self.case_id}/events", body)

    def detention_ends(self) -> Step:
        body = {
            "notification_id": f"{self.notification_prefix}-END",
            "started_notification_id": f"{self.notification_prefix}-START",
            "bsn": self.person.bsn,
            "ended_on": (self.started_on + timedelta(days=29)).isoformat(),
        }
        return self._post(DJI, "DJI meldt: detentie beëindigd", ENDED_PATH, body, expect=200)

    def hand_over(self) -> list[Step]:
        sent = self._post(
            ZVH,
            "ZVH draagt het plan en de vrijgegeven gegevens warm over aan Hilversum",
            f"/v1/cases/{self.case_id}/handover",
        )
        self.ids["handover"] = sent.body["id"]
        read = self._get(SOCIAL, "Hilversum leest de overdracht", f"/v1/handovers/{self.ids['handover']}")
        acknowledged = self._post(
            SOCIAL,
            "Hilversum bevestigt de ontvangst (de casus sluit)",
            f"/v1/handovers/{self.ids['handover']}/acknowledge",
            expect=200,
        )
        return [sent, read, acknowledged]

    def disclosure_log(self) -> Step:
        return self._post(
            PRIVACY_OFFICER,
            "De FG bekijkt het verwerkingenlogboek van deze casus",
            AUDIT_QUERY_PATH,
            {"case_id": self.case_id, "limit": 500},
            expect=200,
        )

    # -- the whole story ---------------------------------------------------------------------------

    def run(self) -> list[Step]:
        self.detention_starts()
        self.ask(
            "social",
            SOCIAL,
            "reintegration",
            ["identity_document", "brp_registration", "housing", "income", "debts", "care"],
            "ZVH vraagt Hilversum (sociaal domein) om de basisvoorwaarden",
        )
        self.ask(
            "security",
            SECURITY,
            "risk_assessment",
            ["risk_notices"],
            "ZVH vraagt Hilversum (veiligheid) naar 18b-, BIJ- en PGA-meldingen",
        )
        self.answer("social", SOCIAL, SOCIAL_ANSWER, "Hilversum (sociaal) antwoordt")
        self.answer("security", SECURITY, SECURITY_ANSWER, "Hilversum (veiligheid) antwoordt")
        self.read_answer("social", "ZVH leest het antwoord van het sociaal domein")
        self.read_answer("security", "ZVH leest het antwoord van het veiligheidsdomein")
        self.ask(
            "police_early",
            POLICE,
            "risk_assessment",
            ["risk_clarification"],
            "ZVH vraagt de politie al om een risicoduiding, vóór de weging",
        )
        self.event(
            {"type": "visit_recorded", "visited_on": (self.started_on + timedelta(days=3)).isoformat()},
            "ZVH legt het bezoek in de PI vast",
        )
        self.event(
            {"type": "weighing_recorded", "consent": "yes", "risk": "signalled"},
            "ZVH legt de weging vast: wil hulp, veiligheidsrisico gesignaleerd",
        )
        self.ask(
            "police",
            POLICE,
            "risk_assessment",
            ["risk_clarification"],
            "ZVH vraagt de politie om een risicoduiding, nu het risico is gesignaleerd",
        )
        self.answer("police", POLICE, POLICE_ANSWER, "De politie geeft de risicoduiding")
        self.read_answer("police", "ZVH leest de risicoduiding")
        self.event({"type": "plan_recorded", "plan": PLAN}, "ZVH stelt het plan van aanpak op")
        self.detention_ends()
        self.hand_over()
        self.disclosure_log()
        return self.steps


SOCIAL_ANSWER: dict[str, dict[str, Any]] = {
    "identity_document": {"has_valid_id": False, "application_needed": True},
    "brp_registration": {"registered": True, "address_type": "residential", "municipality": "GM0402"},
    "housing": {
        "situation": "with_family_or_friends",
        "at_risk_of_loss": True,
        "landlord_notes": "huurachterstand sinds maart",
    },  # not in the catalogue: withheld
    "income": {"source": "none", "suspended_during_detention": True, "application_needed": True},
    "debts": {"has_debts": True, "estimated_total_eur": 8500, "in_debt_assistance": False},
    "care": {"ongoing_care": True},  # the policy did not allow care: withheld
}
SECURITY_ANSWER: dict[str, dict[str, Any]] = {
    "risk_notices": {"notice_18b": True, "notice_bij": False, "pga_status": "candidate"},
}
POLICE_ANSWER: dict[str, dict[str, Any]] = {
    "risk_clarification": {
        "level": "medium",
        "explanation": "Eerdere geweldsdelicten in de wijk; afspraken met de wijkagent aanbevolen.",
        "valid_until": "2027-06-30",
    },
}
PLAN: dict[str, Any] = {
    "agreed_on": "2026-11-20",
    "actions": [
        {"domain": "identity_document", "action": "Aanvraag geldig identiteitsbewijs via de PI"},
        {"domain": "housing", "action": "Aanmelding maatschappelijke opvang vóór ontslag"},
        {"domain": "income", "action": "Bijstandsaanvraag vóór ontslag, inkomen vanaf dag één"},
    ],
    "contact_municipality": "Gemeente Hilversum, team Nazorg",
}
