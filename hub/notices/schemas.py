"""API models of DJI's risk notices. Shapes only; the rules (eleven-test, known municipality, date not in the
future) live in hub.notices.service so that a refusal names its field in Dutch."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from hub.cases.schemas import NOTIFICATION_ID
from hub.notices.models import Addressee, NoticeKind, RiskNotice
from hub.strict_input import MultiLine, StrictInput
from hub.timestamps import UtcDateTime

# The body fields a repeat of a notice id is compared on, in the order a conflict names them.
BODY_FIELDS = ("kind", "bsn", "municipality", "issued_on", "text")


class RiskNoticeCreate(StrictInput):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "notice_id": "PI-NWG-18B-2026-0007",
                    "kind": "18b",
                    "bsn": "111222333",
                    "municipality": "GM0402",
                    "issued_on": "2026-12-01",
                    "text": "Ernstige zorg over recidive in een zedendelict na de vrijlating.",
                }
            ]
        },
    )

    notice_id: str = Field(pattern=NOTIFICATION_ID, description="DJI's own id of the notice.")
    kind: NoticeKind = Field(description="`18b` (Pbw art. 18b) or `bij` (BIJ notification).")
    bsn: str = Field(max_length=16, description="Burgerservicenummer; checked by the eleven-test.")
    municipality: str = Field(max_length=6, description="CBS code of the municipality whose mayor it is for.")
    issued_on: date = Field(description="The date of the notice.")
    text: Annotated[str, MultiLine] = Field(min_length=1, max_length=2000, description="DJI's short text.")


class RiskNoticeResult(BaseModel):
    """What DJI gets back, the same on every repeat of the notice."""

    notice_id: str
    id: str  # the hub's id of the notice
    case_id: str
    delivered_to: Addressee


class RiskNoticePublic(BaseModel):
    """A notice without its text: what exists, where it went. No case id: the coordinator has it in the path,
    and for the municipality's security domain it is the internal id of another organisation's (the ZVH's)
    case, which it has no use for (second reader's finding)."""

    id: str
    notice_id: str
    kind: NoticeKind
    municipality: str
    issued_on: date
    received_at: UtcDateTime
    delivered_to: Addressee

    @classmethod
    def from_row(cls, row: RiskNotice) -> RiskNoticePublic:
        return cls(
            id=row.id,
            notice_id=row.notice_id,
            kind=NoticeKind(row.kind),
            municipality=row.municipality,
            issued_on=row.issued_on,
            received_at=row.received_at,
            delivered_to=row.addressee,
        )


class CaseNoticesPublic(BaseModel):
    """The notices on a case, without their text, and whether the case's risk is still DJI's signal."""

    risk_signalled_by_dji: bool
    notices: list[RiskNoticePublic]


class RiskNoticeText(RiskNoticePublic):
    """A notice with its text: a logged disclosure under `risk_assessment`."""

    text: str
    decision_id: str
