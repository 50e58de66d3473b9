"""Partners under load: several regions and municipalities run complete cases against one hub at once.

Each worker is a team of real partners (each with its own key, token and HTTP connection): PI Nieuwegein
(DJI), a ZVH coordinator and the social and security domains of one municipality of its region. A worker
runs whole cases one after another until its time or case budget is spent:

    notification -> requests to the social and security domains -> each opens and answers ->
    the coordinator reads the answers -> visit and weighing -> (full) plan, detention ended,
    handover, the municipality reads and acknowledges it.

Every response the hub acknowledged (2xx) goes into the `Ledger`, so that afterwards one can check that the
hub kept each of them (hub.consistency). A call that fails on the wire (the hub was killed) is retried with
the same Idempotency-Key until `retry_seconds` have passed, exactly as a partner's client should: a POST
that was committed before the crash is then replayed, one that was not runs again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from partners.client import DEV_KEYS, HubClient, HubClientError

DJI = "dji-pi-nieuwegein"
STARTED_PATH = "/v1/notifications/detention-started"
ENDED_PATH = "/v1/notifications/detention-ended"


@dataclass(frozen=True)
class Team:
    """A coordinator and the municipality whose residents its cases are about."""

    coordinator: str  # client_id of the ZVH
    municipality: str  # CBS code

    @property
    def social(self) -> str:
        return f"{self.municipality.lower()}-social"

    @property
    def security(self) -> str:
        return f"{self.municipality.lower()}-security"


TEAMS = (
    Team("zvh-gooi-en-vechtstreek", "GM0402"),  # Hilversum
    Team("zvh-maastricht-heuvelland", "GM0935"),  # Maastricht
    Team("zvh-gooi-en-vechtstreek", "GM0406"),  # Huizen
    Team("zvh-gooi-en-vechtstreek", "GM0417"),  # Laren
)


@dataclass(frozen=True)
class Ack:
    """One acknowledged exchange: what (`kind`), which object (`key`), in which case."""

    kind: str  # notification | request | answer | read | event | ended | handover | handover_read | handover_ack
    key: str
    case_id: str
    detail: str = ""


class UnexpectedResponse(RuntimeError):
    """The hub answered a step with a status the scenario does not expect; the case stops there."""


@dataclass
class Ledger:
    """Client-side record of the run, shared by the workers."""

    acks: list[Ack] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # "step status code" of every 5xx
    unexpected: list[str] = field(default_factory=list)
    transport_errors: int = 0
    cases_completed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def responded(self, step: str, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{step} {response.status_code} {_code(response)}")

    def token_refused(self, error: HubClientError) -> None:
        with self.lock:
            self.statuses[error.status] += 1
            if error.status >= 500:
                self.server_errors.append(f"token {error.status} {error.error}")

    def acknowledge(self, ack: Ack) -> None:
        with self.lock:
            self.acks.append(ack)

    def note(self, attr: str, value: Any = 1) -> None:
        with self.lock:
            if isinstance(getattr(self, attr), list):
                getattr(self, attr).append(value)
            else:
                setattr(self, attr, getattr(self, attr) + value)

    @property
    def requests(self) -> int:
        with self.lock:  # read while the workers write
            return sum(self.statuses.values())

    @property
    def acknowledged(self) -> int:
        with self.lock:
            return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    def count(self, kind: str) -> int:
        with self.lock:
            return sum(1 for ack in self.acks if ack.kind == kind)


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


def valid_bsn(number: int) -> str:
    """A BSN that passes the eleven-test, derived from `number` (test data only, never a real person's)."""
    prefix = 10_000_000 + number * 7
    while True:
        digits = [int(c) for c in f"{prefix % 100_000_000:08d}"]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10 and (digits[0] or check):
            return "".join(map(str, digits)) + str(check)
        prefix += 1


class Calls:
    """One worker's HTTP calls: record every response, retry on the wire, check the expected status."""

    def __init__(self, base_url: str, ledger: Ledger, retry_seconds: float, stop: threading.Event) -> None:
        self.base_url, self.ledger, self.retry_seconds, self.stop = base_url, ledger, retry_seconds, stop
        self.http = httpx.Client(timeout=30.0)
        self.clients: dict[str, HubClient] = {}

    def client(self, client_id: str) -> HubClient:
        if client_id not in self.clients:
            self.clients[client_id] = HubClient(
                client_id,
                DEV_KEYS / f"{client_id}.key.pem",
                base_url=self.base_url,
                actor=f"load-{client_id}"[:60],
                http=self.http,
            )
        return self.clients[client_id]

    def call(self, client_id: str, step: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else None
        deadline = time.monotonic() + self.retry_seconds
        while True:
            try:
                response = self.client(client_id).request(method, path, json=body, headers=headers)
                break
            except HubClientError as error:  # the token endpoint refused or failed
                self.ledger.token_refused(error)
                raise UnexpectedResponse(f"token: {error.status} {error.error}") from None
            except httpx.TransportError:
                self.ledger.note("transport_errors")
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.ledger.responded(step, response)
        if not 200 <= response.status_code < 300:
            raise UnexpectedResponse(f"{step}: {response.status_code} {_code(response)}")
        return response.json()

    def close(self) -> None:
        self.http.close()


@dataclass
class CaseRun:
    """One complete case of one team."""

    caller: Calls
    team: Team
    number: int
    run_id: str
    full: bool = True
    case_id: str = ""

    @property
    def ledger(self) -> Ledger:
        return self.caller.ledger

    def run(self) -> None:
        self.notify()
        social = self.ask(
            self.team.social,
            "reintegration",
            ["identity_document", "brp_registration", "housing", "income", "debts", "care"],
        )
        security = self.ask(self.team.security, "risk_assessment", ["risk_notices"])
        self.answer(self.team.social, social, social_answer(self.team.municipality))
        self.answer(self.team.security, security, SECURITY_ANSWER)
        for request_id in (social, social, security):
            self.read(request_id)
        self.event({"type": "visit_recorded", "visited_on": (date.today() - timedelta(days=5)).isoformat()})
        self.event({"type": "weighing_recorded", "consent": "yes", "risk": "none"})
        if self.full:
            self.event({"type": "plan_recorded", "plan": plan()})
            self.end_detention()
            self.hand_over()
        self.ledger.note("cases_completed")

    def _ack(self, kind: str, key: str, detail: str = "") -> None:
        self.ledger.acknowledge(Ack(kind, key, self.case_id, detail))

    @property
    def notification_id(self) -> str:
        return f"LOAD-{self.run_id}-{self.number}"

    @property
    def bsn(self) -> str:
        return valid_bsn(self.number)

    def notify(self) -> None:
        started = date.today() - timedelta(days=20)
        body = {
            "notification_id": self.notification_id,
            "subject": {"bsn": self.bsn, "name": f"Testpersoon {self.number}", "birth_date": "1991-02-03"},
            "prison": "PI Nieuwegein",
            "started_on": started.isoformat(),
            "expected_release_on": (started + timedelta(days=90)).isoformat(),
            "municipality": self.team.municipality,
            "information_sheet": {"conditions": {"housing": {"status": "not_in_order"}}},
        }
        self.case_id = self.caller.call(DJI, "notification", "POST", STARTED_PATH, body)["case_id"]
        self._ack("notification", self.notification_id)

    def ask(self, responder: str, activity: str, categories: list[str]) -> str:
        body = {"responder": responder, "activity": activity, "categories": categories}
        request_id = self.caller.call(
            self.team.coordinator, "request", "POST", f"/v1/cases/{self.case_id}/requests", body
        )["id"]
        self._ack("request", request_id)
        return request_id

    def answer(self, responder: str, request_id: str, values: dict[str, Any]) -> None:
        self.caller.call(responder, "inbox_item", "GET", f"/v1/inbox/{request_id}")
        self.caller.call(responder, "answer", "POST", f"/v1/inbox/{request_id}/answer", {"values": values})
        self._ack("answer", request_id)

    def read(self, request_id: str) -> None:
        self.caller.call(self.team.coordinator, "read", "GET", f"/v1/requests/{request_id}/answer")
        self._ack("read", request_id)

    def event(self, body: dict[str, Any]) -> None:
        self.caller.call(self.team.coordinator, "event", "POST", f"/v1/cases/{self.case_id}/events", body)
        self._ack("event", self.case_id, body["type"])

    def end_detention(self) -> None:
        body = {
            "notification_id": self.notification_id + "-END",
            "started_notification_id": self.notification_id,
            "bsn": self.bsn,
            "ended_on": date.today().isoformat(),
        }
        self.caller.call(DJI, "detention_ended", "POST", ENDED_PATH, body)
        self._ack("ended", self.notification_id + "-END")

    def hand_over(self) -> None:
        coordinator, social = self.team.coordinator, self.team.social
        handover_id = self.caller.call(coordinator, "handover", "POST", f"/v1/cases/{self.case_id}/handover")["id"]
        self._ack("handover", handover_id)
        self.caller.call(social, "handover_read", "GET", f"/v1/handovers/{handover_id}")
        self._ack("handover_read", handover_id)
        self.caller.call(social, "handover_ack", "POST", f"/v1/handovers/{handover_id}/acknowledge")
        self._ack("handover_ack", handover_id)


@dataclass
class LoadPlan:
    base_url: str
    partners: int = 4  # concurrent teams (workers); they cycle through TEAMS
    seconds: float = 10.0
    max_cases: int | None = None  # per worker
    full: bool = True
    retry_seconds: float = 60.0


def worker(plan: LoadPlan, index: int, ledger: Ledger, stop: threading.Event, run_id: str) -> None:
    """Run cases for TEAMS[index % len(TEAMS)] until the time or case budget is spent."""
    caller = Calls(plan.base_url, ledger, plan.retry_seconds, stop)
    team = TEAMS[index % len(TEAMS)]
    deadline = time.monotonic() + plan.seconds
    done = 0
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            if plan.max_cases is not None and done >= plan.max_cases:
                break
            number = int.from_bytes(uuid.uuid4().bytes[:4], "big") % 9_000_000
            case = CaseRun(caller, team, number, run_id, full=plan.full)
            try:
                case.run()
            except UnexpectedResponse as error:
                ledger.note("unexpected", str(error))
            except httpx.TransportError as error:
                ledger.note("unexpected", f"transport: {type(error).__name__}")
            done += 1
    finally:
        caller.close()


def run_load(plan: LoadPlan, *, during: Callable[[Ledger], None] | None = None) -> tuple[Ledger, float]:
    """Run the workers; `during(ledger)` runs in this thread meanwhile (e.g. a crash drill). Returns the ledger
    and the elapsed seconds."""
    ledger, stop, run_id = Ledger(), threading.Event(), uuid.uuid4().hex[:8]
    threads = [
        threading.Thread(target=worker, args=(plan, i, ledger, stop, run_id), daemon=True) for i in range(plan.partners)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        if during is not None:
            during(ledger)
    except BaseException:
        stop.set()
        raise
    finally:
        for thread in threads:
            thread.join(timeout=plan.seconds + plan.retry_seconds + 60)
    return ledger, time.monotonic() - started


def social_answer(municipality: str) -> dict[str, Any]:
    return {
        "identity_document": {"has_valid_id": False, "application_needed": True},
        "brp_registration": {"registered": True, "address_type": "residential", "municipality": municipality},
        "housing": {"situation": "with_family_or_friends", "at_risk_of_loss": True},
        "income": {"source": "none", "suspended_during_detention": True, "application_needed": True},
        "debts": {"has_debts": True, "estimated_total_eur": 4200, "in_debt_assistance": False},
        "care": {"ongoing_care": True},  # not allowed before consent: withheld by the answer filter
    }


SECURITY_ANSWER: dict[str, Any] = {"risk_notices": {"notice_18b": False, "notice_bij": False, "pga_status": "none"}}


def plan() -> dict[str, Any]:
    return {
        "agreed_on": date.today().isoformat(),
        "actions": [
            {"domain": "housing", "action": "Aanmelding maatschappelijke opvang"},
            {"domain": "income", "action": "Bijstandsaanvraag voor ontslag"},
        ],
    }


def crash_drill(
    hub: Any, *, after_acknowledged: int, down_seconds: float = 0.5, timeout: float = 60.0
) -> Callable[[Ledger], None]:
    """A `during` for run_load: once the hub acknowledged `after_acknowledged` responses, SIGKILL its
    process group (master and workers) in mid-load, wait `down_seconds`, and start it again on the same
    port and database. `hub` is a partners.hubprocess.HubProcess."""

    def drill(ledger: Ledger) -> None:
        deadline = time.monotonic() + timeout
        while ledger.acknowledged < after_acknowledged and time.monotonic() < deadline:
            time.sleep(0.02)
        hub.kill()
        time.sleep(down_seconds)
        hub.start()

    return drill
