"""API models of the municipality of origin (issue 16): the coordinator's determination, a municipality's
contest, and what the municipality sees of a determination. Shapes only: whether a reason is in the register,
a municipality in the region or a call in turn is for hub.origin.service to say, naming the field or rule."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from hub.cases.models import Case, CaseEvent, Origin
from hub.strict_input import StrictInput
from hub.timestamps import UtcDateTime

if TYPE_CHECKING:  # the service imports this module's input models
    from hub.origin.service import ShownDetermination
    from hub.policy.origin_register import OriginRegister

REASON_ID = r"^[a-z][a-z0-9_]{0,39}$"


class OriginDetermine(StrictInput):
    """The coordinator determines the municipality of origin, by a rule of the samenwerkingsmodel nazorg."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"municipality": "GM0406", "reason": "last_address"}]},
    )

    municipality: str = Field(pattern=r"^GM\d{4}$", description="CBS code of the municipality of origin.")
    reason: str = Field(pattern=REASON_ID, description="A reason of the register (policies/dt/origin `reasons`).")


class OriginContest(StrictInput):
    """A municipality's social domain contests that it is the municipality of origin."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "registered_elsewhere"}]})

    reason: str = Field(
        pattern=REASON_ID, description="A reason of the register (policies/dt/origin `contest_reasons`)."
    )


class OriginDeterminationPublic(BaseModel):
    """A determination as the determined municipality sees it: no identifying data, no case id. The prison and
    the date detention started (category `detention`) only when the policy (dt.origin_read) allows them; each
    one shown is a logged disclosure."""

    id: str = Field(description="The determination (the id of its timeline event).")
    municipality: str
    reason: str
    reason_name: str
    origin: Origin = Field(description="determined, or disputed once contested.")
    determined_at: UtcDateTime
    prison: str | None = Field(description="The prison; null when the policy withholds `detention`.")
    detention_started_on: date | None = Field(description="null when the policy withholds `detention`.")
    detention_withheld: str | None = Field(
        default=None, description="The policy's Dutch explanation when the prison and date are withheld."
    )
    contested: bool = Field(description="This municipality already contested the origin of this case.")

    @classmethod
    def from_row(cls, shown: ShownDetermination, register: OriginRegister) -> OriginDeterminationPublic:
        case, entry = shown.case, shown.entry
        reason = str(entry.payload["reason"])
        known = register.reasons.get(reason)
        return cls(
            id=entry.public_id,
            municipality=str(entry.payload["municipality"]),
            reason=reason,
            reason_name=known.name if known else reason,
            origin=Origin(case.origin),
            determined_at=entry.at,
            prison=case.prison if shown.detention_shown else None,
            detention_started_on=case.detention_started_on if shown.detention_shown else None,
            detention_withheld=shown.withheld,
            contested=shown.contested,
        )


class OriginEventPublic(BaseModel):
    """The timeline event a determination or contest made."""

    id: str
    type: str
    case_origin: Origin
    municipality: str | None
    reason: str
    at: UtcDateTime

    @classmethod
    def from_row(cls, case: Case, entry: CaseEvent) -> OriginEventPublic:
        return cls(
            id=entry.public_id,
            type=entry.type,
            case_origin=Origin(case.origin),
            municipality=case.municipality,
            reason=str(entry.payload["reason"]),
            at=entry.at,
        )
