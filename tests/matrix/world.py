"""The objects the authorization matrix acts on, each made through the hub's own HTTP API by the partner
whose job it is, and the input each route needs (path parameters, body, query, OAuth form).

Objects are made lazily and once: a group of rows builds only what it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import cached_property
from itertools import count
from typing import Any

import httpx

from partners.client import HubClient
from partners.scenario import PLAN
from tests.matrix.table import Row
from tests.support.auth import partner_key

DJI, ZVH, SOCIAL = "dji-pi-nieuwegein", "zvh-gooi-en-vechtstreek", "gm0402-social"
BSNS = ("111222333", "123456782", "999999990", "111111110", "222222220", "333333330")  # pass the eleven-test
NEW_BSN = "444444440"  # the notification the matrix row itself posts
STARTED = date.today() - timedelta(days=30)
HOUSING = {"situation": "with_family_or_friends", "at_risk_of_loss": True}
PLAN_EVENT = {"type": "plan_recorded", "plan": PLAN}  # the seed scenario's plan, in the catalogue's shape


def partner_clients(http: httpx.Client, actor: str) -> Callable[[str], HubClient]:
    """Factory: one HubClient per partner, bound to `http` (the test app), its token cached."""
    clients: dict[str, HubClient] = {}

    def client_for(client_id: str) -> HubClient:
        if client_id not in clients:
            clients[client_id] = HubClient(
                client_id, partner_key(client_id), base_url=str(http.base_url), actor=actor, http=http
            )
        return clients[client_id]

    return client_for


class SetupFailed(AssertionError):
    """A step that builds the matrix's objects did not get the answer the walkthrough promises."""


def _expect(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    if response.status_code != status:
        raise SetupFailed(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    return response.json()


class World:
    """Cases, requests, an answer and a handover in Gooi en Vechtstreek, made through the API."""

    def __init__(self, client_for: Callable[[str], HubClient]) -> None:
        self.client_for = client_for
        self._numbers = count(1)
        self._bsns = iter(BSNS)
        self.notifications: dict[str, str] = {}  # case id -> its detention_started notification id
        self.bsns: dict[str, str] = {}

    # -- objects ------------------------------------------------------------------------------------------

    def notify(self, municipality: str | None = "GM0402") -> str:
        """DJI notifies a detention of a Hilversum resident (or of someone whose origin it does not know);
        returns the case id."""
        notification_id = f"PI-NWG-MATRIX-{next(self._numbers)}"
        body = {**self.started_body(notification_id, next(self._bsns)), "municipality": municipality}
        case_id = _expect(
            self.client_for(DJI).post("/v1/notifications/detention-started", json=body), 201, "detention started"
        )["case_id"]
        self.notifications[case_id] = notification_id
        self.bsns[case_id] = body["subject"]["bsn"]
        return case_id

    @cached_property
    def case(self) -> str:
        case_id = self.notify()
        self.event(case_id, {"type": "visit_recorded", "visited_on": (STARTED + timedelta(days=2)).isoformat()})
        return case_id

    @cached_property
    def case_ending(self) -> str:
        return self.notify()

    @cached_property
    def case_ready(self) -> str:
        return self.handed_over_case()

    @cached_property
    def case_unknown(self) -> str:
        """A case whose municipality of origin DJI did not know (issue 16)."""
        return self.notify(municipality=None)

    @cached_property
    def determination(self) -> str:
        """The coordinator determined Hilversum as the origin of a case DJI sent without one."""
        case_id = self.notify(municipality=None)
        body = {"municipality": "GM0402", "reason": "brp_registration"}
        return _expect(self.client_for(ZVH).post(f"/v1/cases/{case_id}/origin", json=body), 201, "origin")["id"]

    @cached_property
    def request_open(self) -> str:
        return self.ask(self.case, ["housing", "income"])

    @cached_property
    def request_done(self) -> str:
        request_id = self.ask(self.case, ["housing"])
        _expect(
            self.client_for(SOCIAL).post(f"/v1/inbox/{request_id}/answer", json={"values": {"housing": HOUSING}}),
            201,
            "answer",
        )
        return request_id

    @cached_property
    def request_withdrawn(self) -> str:
        """A request on its own case, withdrawn when the weighing recorded that the person refused consent."""
        case_id = self.notify()
        self.event(case_id, {"type": "visit_recorded", "visited_on": (STARTED + timedelta(days=2)).isoformat()})
        request_id = self.ask(case_id, ["housing"])
        self.event(case_id, {"type": "weighing_recorded", "consent": "no", "risk": "none"})
        return request_id

    @cached_property
    def handover(self) -> str:
        case_id = self.handed_over_case()
        return _expect(self.client_for(ZVH).post(f"/v1/cases/{case_id}/handover"), 201, "handover")["id"]

    @cached_property
    def notice(self) -> tuple[str, str]:
        """DJI's 18b notice for the resident of a case of its own (Hilversum: mandated); (case id, notice id)."""
        case_id = self.notify()
        body = self.notice_body(f"{self.notifications[case_id]}-18B", self.bsns[case_id])
        sent = _expect(self.client_for(DJI).post("/v1/notifications/risk-notice", json=body), 201, "risk notice")
        return sent["case_id"], sent["id"]

    @property
    def notice_id(self) -> str:
        return self.notice[1]

    def event(self, case_id: str, body: dict[str, Any]) -> None:
        _expect(self.client_for(ZVH).post(f"/v1/cases/{case_id}/events", json=body), 201, body["type"])

    def ask(self, case_id: str, categories: list[str]) -> str:
        body = {"responder": SOCIAL, "activity": "reintegration", "categories": categories}
        return _expect(self.client_for(ZVH).post(f"/v1/cases/{case_id}/requests", json=body), 201, "request")["id"]

    def handed_over_case(self) -> str:
        """A case weighed (consent, no risk), planned and released: state handed_over."""
        case_id = self.notify()
        self.event(case_id, {"type": "visit_recorded", "visited_on": (STARTED + timedelta(days=2)).isoformat()})
        self.event(case_id, {"type": "weighing_recorded", "consent": "yes", "risk": "none"})
        self.event(case_id, PLAN_EVENT)
        _expect(
            self.client_for(DJI).post("/v1/notifications/detention-ended", json=self.ended_body(case_id)),
            200,
            "detention ended",
        )
        return case_id

    # -- inputs per route ---------------------------------------------------------------------------------

    def started_body(self, notification_id: str, bsn: str) -> dict[str, Any]:
        return {
            "notification_id": notification_id,
            "subject": {"bsn": bsn, "name": "J. de Vries", "birth_date": "1990-04-12"},
            "prison": "PI Nieuwegein",
            "started_on": STARTED.isoformat(),
            "expected_release_on": (STARTED + timedelta(days=60)).isoformat(),
            "municipality": "GM0402",
            "information_sheet": {"conditions": {"housing": {"status": "not_in_order"}}},
        }

    def notice_body(self, notice_id: str, bsn: str) -> dict[str, Any]:
        return {
            "notice_id": notice_id,
            "kind": "18b",
            "bsn": bsn,
            "municipality": "GM0402",
            "issued_on": (STARTED + timedelta(days=3)).isoformat(),
            "text": "Ernstige zorg over recidive na de vrijlating.",
        }

    def ended_body(self, case_id: str) -> dict[str, Any]:
        started = self.notifications[case_id]
        return {
            "notification_id": f"{started}-END",
            "started_notification_id": started,
            "bsn": self.bsns[case_id],
            "ended_on": (STARTED + timedelta(days=29)).isoformat(),
        }

    def path_of(self, row: Row) -> str:
        params = {"kind": "disclosures"} if row.on == "report" else {}
        if row.on in {"case", "case_ending", "case_ready", "case_unknown"}:
            params["case_id"] = getattr(self, row.on)
        elif row.on in {"request_open", "request_done", "request_withdrawn"}:
            params["request_id"] = getattr(self, row.on)
        elif row.on == "handover":
            params["handover_id"] = self.handover
        elif row.on == "notice":
            params["case_id"], params["notice_id"] = self.notice
        elif row.on == "determination":
            params["determination_id"] = self.determination
        if "{step}" in row.path:
            params["step"] = "visit_recorded"
        if "{client_id}" in row.path:  # the screens' sign-in with a partner's identity provider
            params["client_id"] = ZVH
        return row.path.format(**params)

    def inputs(self, row: Row) -> dict[str, Any]:
        """Body and query of a call: valid input, so only who calls decides the answer."""
        today = date.today()
        inputs: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
            ("POST", "/v1/audit/records/query"): lambda: {"json": {"case_id": self.case, "limit": 10}},
            ("POST", "/v1/audit/access-report"): lambda: {"json": {"bsn": "111222333"}},
            ("GET", "/v1/audit/reports/{kind}"): lambda: {
                "params": {
                    "period_from": f"{today - timedelta(days=1)}T00:00:00+00:00",
                    "period_to": f"{today + timedelta(days=1)}T00:00:00+00:00",
                }
            },
            ("POST", "/v1/notifications/detention-started"): lambda: {
                "json": self.started_body("PI-NWG-MATRIX-NEW", NEW_BSN)
            },
            ("POST", "/v1/notifications/detention-ended"): lambda: {"json": self.ended_body(self.case_ending)},
            ("POST", "/v1/notifications/risk-notice"): lambda: {
                "json": self.notice_body("PI-NWG-MATRIX-18B-NEW", NEW_BSN)
            },
            ("POST", "/v1/cases/{case_id}/events"): lambda: {
                "json": {"type": "visit_recorded", "visited_on": (STARTED + timedelta(days=5)).isoformat()}
            },
            ("POST", "/v1/cases/{case_id}/requests"): lambda: {
                "json": {"responder": SOCIAL, "activity": "reintegration", "categories": ["income"]}
            },
            ("POST", "/v1/cases/{case_id}/origin"): lambda: {
                "json": {"municipality": "GM0406", "reason": "last_address"}
            },
            ("POST", "/v1/origin-determinations/{determination_id}/contest"): lambda: {
                "json": {"reason": "registered_elsewhere"}
            },
            ("POST", "/v1/inbox/{request_id}/answer"): lambda: {
                "json": {
                    "values": {
                        "housing": HOUSING,
                        "income": {"source": "none", "suspended_during_detention": True, "application_needed": True},
                    }
                }
            },
        }
        make = inputs.get(row.route)
        return make() if make else {}

    def screen_inputs(self, row: Row) -> dict[str, Any]:
        """The form of a screen's POST: valid, with a fresh one-time key, so only who calls decides."""
        forms: dict[tuple[str, str], dict[str, Any]] = {
            ("POST", "/casussen/{case_id}/verzoek/voorbeeld"): {
                "responder": SOCIAL,
                "activity": "reintegration",
                "categories": ["income"],
            },
            ("POST", "/casussen/{case_id}/verzoek"): {
                "responder": SOCIAL,
                "activity": "reintegration",
                "categories": ["income"],
            },
            ("POST", "/inbox/{request_id}/antwoord"): {"housing.situation": "homeless", "income.source": "none"},
            ("POST", "/casussen/{case_id}/herkomst"): {"municipality": "GM0406", "reason": "last_address"},
            ("POST", "/herkomst/{determination_id}/betwisten"): {"reason": "registered_elsewhere"},
            ("POST", "/aanmelden/ontwikkeling"): {"client_id": ZVH, "employee_id": "medewerker-1"},
            ("POST", "/logboek"): {"van": (STARTED - timedelta(days=1)).isoformat(), "uitvoer": "html"},
            ("POST", "/inzage"): {"bsn": NEW_BSN, "uitvoer": "html"},
            ("POST", "/casussen/{case_id}/stap"): {
                "type": "visit_recorded",
                "visited_on": (STARTED + timedelta(days=5)).isoformat(),
            },
            ("POST", "/meldingen/nieuw"): {
                "notification_id": "PI-NWG-MATRIX-SCREEN",
                "bsn": NEW_BSN,
                "name": "J. de Vries",
                "birth_date": "1990-04-12",
                "prison": "PI Nieuwegein",
                "started_on": STARTED.isoformat(),
                "municipality": "GM0402",
                "status.housing": "not_in_order",
            },
        }
        if row.route == ("POST", "/meldingen/einde"):
            return {"data": {**self.ended_body(self.case_ending), "form_key": uuid.uuid4().hex}}
        if row.method != "POST":
            return {}
        return {"data": {**forms.get(row.route, {}), "form_key": uuid.uuid4().hex}}

    def oauth_form(self, row: Row, client_id: str | None) -> dict[str, str]:
        """The form of an OAuth endpoint: authenticated by the partner's own assertion, or not at all."""
        if client_id is None:
            return {"grant_type": "client_credentials", "client_id": "onbekend", "token": "x"}
        partner = self.client_for(client_id)
        if row.path == "/oauth/token":
            return partner.authenticated_form(grant_type="client_credentials")
        if row.path == "/oauth/revoke":  # a token of its own that nothing else uses
            spare = HubClient(client_id, partner.key, base_url=partner.base_url, http=partner.http)
            return partner.authenticated_form(token=spare.access_token())
        return partner.authenticated_form(token=partner.access_token())
