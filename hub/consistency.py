"""After a load or a crash: did the hub keep what it acknowledged, and is every disclosure accounted for?

Three checks over a live database (read-only):

- `check_disclosures(engine)`: no disclosure without its record and no record without its disclosure.
  Every stored request has its `request_decided` (when anything was allowed) and one `request_refused`
  per denied category, and a request that lost categories as its case changed its `request_redecided`;
  every stored answer its `data_received`; every answer or handover that was read its
  `data_released`; every handover its `handover` record; every DJI notification that opened a case its
  `data_received`. Conversely, every `data_received`/`data_released` of a request has its stored answer.
- `check_acknowledged(engine, acks)`: every exchange a client saw acknowledged (2xx) is in the database.
- `verify_log(engine, settings)`: the chain of the disclosure log and its MACs (hub.audit.verify).

Each finding names the rule and the object's id, never personal data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hub.audit import mac
from hub.audit.models import AuditRecord
from hub.audit.signing import load_signer
from hub.audit.verify import VerificationResult, verify_database
from hub.cases.models import CaseEvent, DjiNotification
from hub.config import Settings
from hub.exchange.models import Answer, DataRequest, Handover


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str


class Acknowledged(Protocol):
    kind: str
    key: str
    case_id: str
    detail: str


@dataclass
class Snapshot:
    """What the database holds, in sets, for the checks (the loads are thousands of rows, not millions)."""

    records: Counter[tuple[str, str | None, str | None]]  # (event_type, case_id, data_request_id) -> count
    requests: dict[str, DataRequest]
    answers: dict[str, Answer]  # by request id
    handovers: dict[str, Handover]
    notifications: dict[str, DjiNotification]  # by notification id
    events: set[tuple[str, str]]  # (case_id, type)

    @classmethod
    def load(cls, engine: Engine) -> Snapshot:
        with Session(engine) as session:
            rows = session.execute(
                select(col(AuditRecord.event_type), col(AuditRecord.case_id), col(AuditRecord.data_request_id))
            )
            records = Counter((event, case, request) for event, case, request in rows)
            return cls(
                records=records,
                requests={r.id: r for r in session.scalars(select(DataRequest))},
                answers={a.request_id: a for a in session.scalars(select(Answer))},
                handovers={h.id: h for h in session.scalars(select(Handover))},
                notifications={n.notification_id: n for n in session.scalars(select(DjiNotification))},
                events={
                    (case, kind) for case, kind in session.execute(select(col(CaseEvent.case_id), col(CaseEvent.type)))
                },
            )

    def has(self, event: str, case_id: str | None, request_id: str | None = None) -> int:
        return self.records.get((event, case_id, request_id), 0)


def check_disclosures(engine: Engine) -> list[Finding]:
    """Every disclosure has its record, and every record of a request's data its stored disclosure."""
    snap = Snapshot.load(engine)
    return _requests_logged(snap) + _answers_logged(snap) + _handovers_logged(snap) + _records_backed(snap)


def _requests_logged(snap: Snapshot) -> list[Finding]:
    findings = []
    for request in snap.requests.values():
        allowed_once = request.categories_allowed or request.categories_withdrawn
        if allowed_once and not snap.has("request_decided", request.case_id, request.id):
            findings.append(Finding("request_without_request_decided", request.id))
        if request.categories_withdrawn and not snap.has("request_redecided", request.case_id, request.id):
            findings.append(Finding("withdrawal_without_request_redecided", request.id))
        if snap.has("request_refused", request.case_id, request.id) != len(request.categories_denied):
            findings.append(Finding("request_refusals_not_logged_one_per_category", request.id))
    for notification in snap.notifications.values():
        if notification.kind == "detention_started" and not snap.has("data_received", notification.case_id):
            findings.append(Finding("notification_without_data_received", notification.notification_id))
    return findings


def _answers_logged(snap: Snapshot) -> list[Finding]:
    findings = []
    for request_id, answer in snap.answers.items():
        if not snap.has("data_received", answer.case_id, request_id):
            findings.append(Finding("answer_without_data_received", request_id))
        if answer.first_read_at is not None and not snap.has("data_released", answer.case_id, request_id):
            findings.append(Finding("answer_read_without_data_released", request_id))
        if answer.first_read_at is None and snap.has("data_read", answer.case_id, request_id):
            findings.append(Finding("data_read_before_release", request_id))
    return findings


def _handovers_logged(snap: Snapshot) -> list[Finding]:
    findings = []
    per_case = Counter(handover.case_id for handover in snap.handovers.values())
    for case_id, count in per_case.items():
        if snap.has("handover", case_id) < count:
            findings.append(Finding("handover_without_record", case_id))
    for handover in snap.handovers.values():
        if handover.first_read_at is not None and not snap.has("data_released", handover.case_id):
            findings.append(Finding("handover_read_without_data_released", handover.id))
    return findings


def _records_backed(snap: Snapshot) -> list[Finding]:
    """The other way round: a record of a request's data names a request and answer that exist."""
    findings = []
    for (event, case_id, request_id), _count in snap.records.items():
        if request_id is None:
            continue
        request = snap.requests.get(request_id)
        if request is None or request.case_id != case_id:
            findings.append(Finding(f"{event}_without_request", request_id))
        elif event in ("data_received", "data_released", "data_read") and request_id not in snap.answers:
            findings.append(Finding(f"{event}_without_answer", request_id))
        elif event == "data_released" and snap.answers[request_id].first_read_at is None:
            findings.append(Finding("data_released_without_read", request_id))
    return findings


def check_acknowledged(engine: Engine, acks: Iterable[Acknowledged]) -> list[Finding]:
    """Every exchange the clients saw acknowledged is stored (and, for reads, released with its record)."""
    snap = Snapshot.load(engine)
    return [Finding(f"acknowledged_{ack.kind}_lost", ack.key) for ack in acks if not _kept(snap, ack)]


def _kept(snap: Snapshot, ack: Acknowledged) -> bool:
    answer = snap.answers.get(ack.key)
    handover = snap.handovers.get(ack.key)
    checks: dict[str, Any] = {
        "notification": lambda: ack.key in snap.notifications,
        "ended": lambda: ack.key in snap.notifications,
        "request": lambda: ack.key in snap.requests,
        "answer": lambda: answer is not None,
        "read": lambda: (
            answer is not None
            and answer.first_read_at is not None
            and snap.has("data_released", ack.case_id, ack.key) > 0
        ),
        "event": lambda: (ack.case_id, ack.detail) in snap.events,
        "handover": lambda: handover is not None,
        "handover_read": lambda: handover is not None and handover.first_read_at is not None,
        "handover_ack": lambda: handover is not None and handover.acknowledged_at is not None,
    }
    return bool(checks[ack.kind]())


def verify_log(engine: Engine, settings: Settings) -> VerificationResult:
    """Verify the disclosure log's chain, checkpoints and record MACs with the hub's log keys."""
    signer = load_signer(settings)
    witnesses = [signer.witness] if signer.witness is not None else []
    return verify_database(engine, signer.verifier, mac_key=mac.load_key(settings), witnesses=witnesses)
