"""Decision vectors of what the determined municipality's social domain sees of a determination of origin
(dt.origin_read; second reader's finding on GET /v1/origin-determinations): input, and the outcome the policy
must give. The category is `detention` (the prison and the date detention started)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.policy.vectors import (
    BASE_CASE,
    COORDINATOR_GV,
    MH,
    SECURITY_HUIZEN,
    SOCIAL_HILVERSUM,
    SOCIAL_HUIZEN,
)


def origin_read(requester: dict[str, Any], *, categories: Any = ("detention",), **case: Any) -> dict[str, Any]:
    """A determination naming Huizen (GM0406) on an open case in Gooi en Vechtstreek, shown to `requester`."""
    return {
        "requester": requester,
        "categories": list(categories),
        "case": {**BASE_CASE, "municipality": "GM0406", "origin": "determined", **case},
    }


@dataclass(frozen=True)
class OriginVector:
    id: str
    input: dict[str, Any]
    refusal: str | None  # None: the detention facts may be shown (category detention, activity reintegration)


ORIGIN_READ_VECTORS = [
    OriginVector("determined_municipality_before_the_weighing", origin_read(SOCIAL_HUIZEN), None),
    OriginVector("determined_municipality_with_consent", origin_read(SOCIAL_HUIZEN, state="plan", consent="yes"), None),
    OriginVector("contested_by_that_municipality", origin_read(SOCIAL_HUIZEN, origin="disputed"), None),
    OriginVector(
        "without_consent_after_the_weighing",
        origin_read(SOCIAL_HUIZEN, state="outreach", consent="no", risk="signalled"),
        "no_consent",
    ),
    OriginVector(
        "consent_unknown_after_the_weighing", origin_read(SOCIAL_HUIZEN, state="plan", consent="unknown"), "no_consent"
    ),
    OriginVector("another_municipality", origin_read(SOCIAL_HILVERSUM), "not_municipality_of_origin"),
    OriginVector(
        "origin_still_unknown", origin_read(SOCIAL_HUIZEN, origin="unknown", municipality=None), "origin_not_determined"
    ),
    OriginVector("origin_named_by_dji", origin_read(SOCIAL_HUIZEN, origin="notified"), "origin_not_determined"),
    OriginVector("case_of_another_region", origin_read(SOCIAL_HUIZEN, region=MH), "wrong_region"),
    OriginVector("closed_case", origin_read(SOCIAL_HUIZEN, state="closed", consent="yes"), "case_closed"),
    OriginVector("security_domain", origin_read(SECURITY_HUIZEN), "origin_reader_not_permitted"),
    OriginVector("coordinator", origin_read(COORDINATOR_GV), "origin_reader_not_permitted"),
    OriginVector("origin_not_a_string", origin_read(SOCIAL_HUIZEN, origin=None), "invalid_input"),
    OriginVector("unknown_state", origin_read(SOCIAL_HUIZEN, state="limbo"), "unknown_case_state"),
]
