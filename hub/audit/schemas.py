"""API models of the privacy officer's routes (/v1/audit) and the log key route."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

from hub.strict_input import StrictInput
from hub.timestamps import UtcDateTime

_PSEUDONYM = r"^[0-9a-f]{64}$"
_OIN = r"^[0-9]{20}$"
_IDENTIFIER = r"^[A-Za-z0-9._:-]{1,64}$"


class RecordQuery(StrictInput):
    """Filters on the log. At least one of period, case, subject, partner, activity or decision is required."""

    period_from: dt.datetime | None = Field(None, description="Event time from (inclusive), ISO 8601 with offset")
    period_to: dt.datetime | None = Field(None, description="Event time until (exclusive)")
    case_id: str | None = Field(None, pattern=_IDENTIFIER)
    subject_bsn: SecretStr | None = Field(None, description="The data subject's BSN (only ever in a body)")
    subject_pseudonym: str | None = Field(None, pattern=_PSEUDONYM)
    partner_oin: str | None = Field(None, pattern=_OIN, description="Sending or receiving organisation")
    activity_id: str | None = Field(None, pattern=_IDENTIFIER)
    decision_id: str | None = Field(None, pattern=_IDENTIFIER)
    event_type: str | None = Field(None, pattern=_IDENTIFIER, description="Narrows; does not count as a filter")
    cursor: str | None = Field(None, max_length=40, description="next_cursor of the previous page")
    limit: int = Field(100, ge=1, le=500)


class RecordPublic(BaseModel):
    """One log record as the privacy officer sees it (never content: categories, codes and hashes)."""

    seq: int
    record_id: str
    event_type: str
    event_time: UtcDateTime
    recorded_time: UtcDateTime
    case_id: str | None
    data_request_id: str | None
    trace_id: str
    span_id: str
    parent_span_id: str | None
    activity_id: str | None
    activity_version: str | None
    purpose: str | None
    legal_basis: str | None
    retention_days: int | None
    confidentiality: str | None
    subject_pseudonym: str | None
    subject_id_type: str | None
    from_oin: str | None
    to_oin: str | None
    from_actor: str | None
    to_actor: str | None
    categories_released: list[str]
    categories_withheld: list[str]
    denial_reasons: dict[str, Any]
    decision_id: str | None
    policy_revision: str | None
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, record: Any) -> RecordPublic:
        """The officer's view of one `AuditRecord` row."""
        return cls.model_validate(record, from_attributes=True)


class RecordPage(BaseModel):
    records: list[RecordPublic]
    next_cursor: str | None
    inspection_seq: int = Field(description="Sequence number of the inspection record this query wrote")


class CheckpointPublic(BaseModel):
    kind: str
    seq: int
    head_hash: str
    signed_at: UtcDateTime
    key_id: str
    signature: str

    @classmethod
    def from_row(cls, checkpoint: Any) -> CheckpointPublic:
        """One `AuditCheckpoint` row."""
        return cls.model_validate(checkpoint, from_attributes=True)


class IntegrityPublic(BaseModel):
    verification: dict[str, Any]
    checkpoints_total: int
    checkpoints: list[CheckpointPublic] = Field(description="The newest checkpoints (at most 100)")
    public_key: dict[str, Any]


class AccessReportCreate(StrictInput):
    """AVG art. 15 / Wpg art. 25: whose disclosures to report. The BSN travels only in this body."""

    bsn: SecretStr = Field(description="Burgerservicenummer of the person asking (eleven-test checked)")
    received_on: dt.date | None = Field(
        None,
        description="The day the request came in (not after today); recorded with the report, so the annual "
        "report can say how long the answer took",
    )


class AccessEntryPublic(BaseModel):
    datum: str = Field(description="Date and time (Europe/Amsterdam)")
    ontvanger: str
    ontvanger_oin: str | None
    verstrekker: str
    categorieen: list[str]
    doel: str
    grondslag: str
    omschrijving: str
    vertrouwelijkheid: str | None = Field(
        None, description="The activity's confidentiality (confidential, strictly_confidential) as recorded"
    )


class AccessReportPublic(BaseModel):
    titel: str
    toelichting: str
    opgesteld_op: str
    aantal_verstrekkingen: int
    verstrekkingen: list[AccessEntryPublic]
    report_seq: int = Field(description="Sequence number of the log record of this report")


ReportFormat = Literal["json", "csv"]
