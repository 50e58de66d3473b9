"""The shape of the inputs the enforcement point sends to the policy, checked before the engine is asked.

Only shape and types: whether a role, an activity or a category is known is for the policy to say.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class PartyFacts(_Strict):
    role: str = Field(min_length=1, max_length=64)
    oin: str = Field(min_length=1, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    municipality: str | None = Field(default=None, max_length=16)


class CaseFacts(_Strict):
    state: str = Field(min_length=1, max_length=32)
    region: str = Field(min_length=1, max_length=64)
    # null only while the municipality of origin is unknown (issue 16); the policy checks that pairing
    municipality: str | None = Field(min_length=1, max_length=16)
    origin: str | None = Field(default=None, min_length=1, max_length=16)
    consent: str = Field(min_length=1, max_length=16)
    risk: str = Field(min_length=1, max_length=16)
    detention_ended: bool


class RequestFacts(_Strict):
    requester: PartyFacts
    responder: PartyFacts
    activity: str = Field(min_length=1, max_length=64)
    categories: list[str] = Field(min_length=1, max_length=50)
    case: CaseFacts
    # Purpose binding: "request" when the coordinator asks a holder, "provide" when it passes data on (the
    # handover). The policy refuses an activity whose register direction is the other one.
    exchange: Literal["request", "provide"]


def invalid_fields(error: ValidationError) -> list[str]:
    """The dotted names of the fields a validation error is about (never their values)."""
    names = {".".join(str(part) for part in e["loc"] if not isinstance(part, int)) or "input" for e in error.errors()}
    return sorted(names)
