"""Decision vectors of reading DJI's risk notices (dt.notice_read, issue 16): input, and the outcome the policy
must give. Each names the reader: the mandated ZVH, a ZVH without the mandate, the municipality's security
domain, another municipality, another region, a role that never reads notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.policy.vectors import (
    BASE_CASE,
    COORDINATOR_GV,
    COORDINATOR_MH,
    GV,
    POLICE_GV,
    SECURITY_HILVERSUM,
    SECURITY_HUIZEN,
    SOCIAL_HILVERSUM,
)


def notice_read(
    requester: dict[str, Any], *, mandated: Any = True, municipality: str = "GM0402", kind: str = "18b", **case: Any
) -> dict[str, Any]:
    """A read of a notice for the mayor of `municipality` (Hilversum unless given), on the person's case."""
    return {
        "requester": requester,
        "categories": ["risk_notices"],
        "notice": {"kind": kind, "municipality": municipality, "region": GV, "mandated": mandated},
        "case": {**BASE_CASE, "municipality": municipality, "risk": "signalled", **case},
    }


@dataclass(frozen=True)
class NoticeVector:
    id: str
    input: dict[str, Any]
    refusal: str | None  # None: the text may be read (category risk_notices, activity risk_assessment)


NOTICE_VECTORS = [
    NoticeVector("mandated_zvh_reads", notice_read(COORDINATOR_GV), None),
    NoticeVector("mandated_zvh_reads_bij", notice_read(COORDINATOR_GV, kind="bij", state="outreach"), None),
    NoticeVector("zvh_without_mandate", notice_read(COORDINATOR_GV, mandated=False), "notice_not_mandated"),
    NoticeVector("zvh_of_another_region", notice_read(COORDINATOR_MH), "wrong_region"),
    NoticeVector("zvh_on_a_closed_case", notice_read(COORDINATOR_GV, state="closed"), "case_closed"),
    NoticeVector("security_domain_without_mandate", notice_read(SECURITY_HILVERSUM, mandated=False), None),
    NoticeVector(
        "security_domain_reads_on_a_closed_case", notice_read(SECURITY_HILVERSUM, mandated=False, state="closed"), None
    ),
    NoticeVector("security_domain_of_a_mandating_mayor", notice_read(SECURITY_HILVERSUM), "notice_mandated_to_zvh"),
    NoticeVector(
        "security_domain_of_another_municipality",
        notice_read(SECURITY_HUIZEN, mandated=False),
        "notice_other_municipality",
    ),
    NoticeVector(
        "another_municipality_mandated", notice_read(SECURITY_HUIZEN, mandated=True), "notice_other_municipality"
    ),
    NoticeVector("social_domain", notice_read(SOCIAL_HILVERSUM, mandated=False), "notice_reader_not_permitted"),
    NoticeVector("police", notice_read(POLICE_GV), "notice_reader_not_permitted"),
    NoticeVector("mandate_not_a_boolean", notice_read(COORDINATOR_GV, mandated="yes"), "invalid_input"),
    NoticeVector("unknown_kind", notice_read(COORDINATOR_GV, kind="pga"), "invalid_input"),
]
