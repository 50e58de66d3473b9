"""Dutch names the origin screens show (issue 16): a municipality by its CBS code, and a reason by its register
entry (policies/dt/origin holds the labels of its reasons, as the catalogue holds those of its categories)."""

from __future__ import annotations

from hub.policy.origin_register import get_origin_register
from hub.reference import municipalities


def municipality_name(cbs_code: str | None) -> str | None:
    if cbs_code is None:
        return None
    found = municipalities().get(cbs_code)
    return found.name if found is not None else cbs_code


def reason_name(reason: str) -> str:
    """The Dutch name of a reason to determine or to contest an origin; the code itself when unknown."""
    register = get_origin_register()
    found = register.reasons.get(reason) or register.contest_reasons.get(reason)
    return found.name if found is not None else reason
