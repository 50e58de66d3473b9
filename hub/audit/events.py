"""The disclosure log's events: one typed function per event type, the only way the hub writes a record.

Each function names its event and demands what that event cannot be without: a `Decision` (made only by the
enforcement point, hub.policy.pep) for every event that discloses or refuses on the policy's word, a data
subject for every event about a person. The other fields (`RecordFields`) are typed and checked by
`hub.audit.service.record`, which appends the record in the caller's transaction (it flushes, never commits).

Cases, the exchange and the audit capability call these; nothing else calls `record` directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypedDict

from sqlmodel import Session
from typing_extensions import Unpack

from hub.audit.models import AuditRecord
from hub.audit.service import record
from hub.audit.trace import TraceContext

if TYPE_CHECKING:  # types only: the log is below the policy, which never imports it back
    from hub.auth.principal import Caller
    from hub.policy.pep import Decision
    from hub.policy.register import ActivityRef


class RecordFields(TypedDict, total=False):
    """The optional fields of a record (see hub.audit.service.record)."""

    trace: TraceContext | None
    activity: ActivityRef | None
    case_id: str | None
    data_request_id: str | None
    from_oin: str | None
    to_oin: str | None
    from_actor: str | None
    to_actor: str | None
    categories_released: Iterable[str]
    categories_withheld: Iterable[str]
    denial_reasons: Mapping[str, str] | None
    event_time: dt.datetime | None


# -- what the policy decided on a request, and what it refused ----------------------------------------------


def request_decided(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """A request (or what of it the policy allowed) was decided and passed on."""
    return record(
        session, event_type="request_decided", subject_pseudonym=subject_pseudonym, decision=decision, **fields
    )


def request_refused(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """The policy refused (part of) a request, a release or a read: categories withheld, with reasons."""
    return record(
        session, event_type="request_refused", subject_pseudonym=subject_pseudonym, decision=decision, **fields
    )


def refused_to(
    session: Session, caller: Caller, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """A read or release refused to `caller`: every category the decision denied, withheld with its reason."""
    reasons = {category: denial.reason for category, denial in decision.denied.items()}
    fields["to_oin"], fields["to_actor"] = caller.partner.oin, caller.actor
    fields["categories_withheld"], fields["denial_reasons"] = sorted(reasons), reasons
    return request_refused(session, subject_pseudonym=subject_pseudonym, decision=decision, **fields)


def request_redecided(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """An open request was decided again after its case changed: what it still allows, what was withdrawn."""
    return record(
        session, event_type="request_redecided", subject_pseudonym=subject_pseudonym, decision=decision, **fields
    )


# -- what left the hub, under a decision ------------------------------------------------------------------


def identity_shown(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """The person's identifying data was shown (to a responder or the coordinator)."""
    return record(
        session, event_type="identity_shown", subject_pseudonym=subject_pseudonym, decision=decision, **fields
    )


def data_released(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """Data was released to its requester (or recipient) for the first time."""
    return record(session, event_type="data_released", subject_pseudonym=subject_pseudonym, decision=decision, **fields)


def data_read(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """Data was read again (or read by the coordinator from the case), under a fresh decision."""
    return record(session, event_type="data_read", subject_pseudonym=subject_pseudonym, decision=decision, **fields)


def risk_notice_read(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """The text of one of DJI's risk notices (Pbw art. 18b, BIJ) was read by its addressee: a read of the
    category `risk_notices` under the notice_read decision (activity risk_assessment)."""
    return record(session, event_type="data_read", subject_pseudonym=subject_pseudonym, decision=decision, **fields)


def handover(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """A handover was sent to the municipality of origin."""
    return record(session, event_type="handover", subject_pseudonym=subject_pseudonym, decision=decision, **fields)


# -- what came into the hub -------------------------------------------------------------------------------


def data_received(
    session: Session, *, subject_pseudonym: str, decision: Decision | None = None, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """Data came in: an answer (under the decision taken again at answer time) or DJI's notification (no
    decision: the register's activity says why the hub holds it)."""
    return record(session, event_type="data_received", subject_pseudonym=subject_pseudonym, decision=decision, **fields)


def data_withheld(
    session: Session, *, subject_pseudonym: str, decision: Decision, **fields: Unpack[RecordFields]
) -> AuditRecord:
    """Part of an answer was withheld by the policy's answer filter."""
    return record(session, event_type="data_withheld", subject_pseudonym=subject_pseudonym, decision=decision, **fields)


# -- the municipality of origin (issue 16) -----------------------------------------------------------------


def origin_determined(session: Session, *, subject_pseudonym: str, **fields: Unpack[RecordFields]) -> AuditRecord:
    """The coordinator (`from_oin`, `from_actor`) determined the person's municipality of origin, whose social
    domain (`to_oin`) becomes responsible; the rule applied is on the case's timeline. Nothing is disclosed."""
    return record(session, event_type="origin_determined", subject_pseudonym=subject_pseudonym, **fields)


def origin_contested(session: Session, *, subject_pseudonym: str, **fields: Unpack[RecordFields]) -> AuditRecord:
    """A municipality's social domain (`from_oin`, `from_actor`) contested that it is the person's municipality of
    origin, to the coordinator (`to_oin`); its reason is on the case's timeline. Nothing is disclosed."""
    return record(session, event_type="origin_contested", subject_pseudonym=subject_pseudonym, **fields)


# -- the hub's own duties -----------------------------------------------------------------------------------


def content_destroyed(session: Session, *, subject_pseudonym: str, **fields: Unpack[RecordFields]) -> AuditRecord:
    """A case's content under one data key was destroyed at the end of its retention."""
    return record(session, event_type="content_destroyed", subject_pseudonym=subject_pseudonym, **fields)


def access_report(
    session: Session,
    *,
    subject_pseudonym: str,
    query_filter: Mapping[str, str] | None = None,
    **fields: Unpack[RecordFields],
) -> AuditRecord:
    """A privacy officer made the access report (AVG art. 15) of one person; the filter holds the day the
    request came in (`received_on`), when given."""
    return record(
        session, event_type="access_report", subject_pseudonym=subject_pseudonym, query_filter=query_filter, **fields
    )


def inspection(
    session: Session,
    *,
    subject_pseudonym: str | None,
    query_filter: Mapping[str, str] | None,
    **fields: Unpack[RecordFields],
) -> AuditRecord:
    """A privacy officer read the log, with the filter used (about one person, or about none)."""
    return record(
        session, event_type="inspection", subject_pseudonym=subject_pseudonym, query_filter=query_filter, **fields
    )


def log_pruned(session: Session, *, event_time: dt.datetime) -> AuditRecord:
    """Records past the log's retention were removed behind a signed anchor."""
    return record(session, event_type="log_pruned", subject_pseudonym=None, event_time=event_time)


def statistics_written(session: Session, **fields: Unpack[RecordFields]) -> AuditRecord:
    """The hub wrote a case's anonymous statistics rows under `monitoring` (no subject, no categories)."""
    return record(session, event_type="statistics_written", subject_pseudonym=None, **fields)
