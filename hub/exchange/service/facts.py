"""The facts the policy decides on, built from the caller, the responder and the case.

These functions only describe; the policy (hub.policy) decides and this package enforces.
"""

from __future__ import annotations

from typing import Any

from hub.auth.principal import Partner


def partner_facts(partner: Partner) -> dict[str, Any]:
    facts: dict[str, Any] = {"role": partner.role, "oin": partner.oin, "region": partner.region}
    if partner.municipality:
        facts["municipality"] = partner.municipality
    return facts


REQUEST = "request"  # the coordinator asks a holder (a data request)
PROVIDE = "provide"  # the coordinator passes on what it gathered (the handover)


def request_input(
    requester: Partner,
    responder: Partner,
    activity: str,
    categories: list[str],
    case_facts: dict[str, Any],
    *,
    exchange: str,
) -> dict[str, Any]:
    """The request-decision input of docs/ARCHITECTURE.md. `exchange` (REQUEST or PROVIDE) is what the hub is
    doing, so the policy can refuse an activity whose register direction is the other (purpose binding)."""
    return {
        "exchange": exchange,
        "requester": partner_facts(requester),
        "responder": partner_facts(responder),
        "activity": activity,
        "categories": list(categories),
        "case": case_facts,
    }
