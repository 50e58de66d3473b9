"""What may leave the hub, decided again on every release, and what is said about what was withheld.

Two rules live here, both enforcing (the policy decides):

- a release path (the requester's answer read, the responder's view of the person's identity, the
  municipality's handover read) takes a fresh `Decision` and releases only the categories it allows; when it
  allows nothing, the path is refused (409 `release_refused`, naming the policy's reason). The steps are
  hub.policy.enforcement's; this module hands in the exchange's refusal record and problem;
- names a responder chose are never stored, logged or passed on: field names outside the catalogue are
  counted per category (`fields_not_in_catalogue`), never kept by name, and the requester learns only which
  categories were withheld whole.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from hub.exchange.errors import ReleaseRefused
from hub.exchange.models import DataRequest, Handover
from hub.exchange.schemas import COUNT_KEY
from hub.exchange.service import disclosure
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.ports import catalogue_fields
from hub.policy import enforcement
from hub.policy.pep import Decision, Denial

FIELD_NOT_IN_CATALOGUE = "field_not_in_catalogue"


def refuse_unless_allowed(
    session: Session, ctx: ExchangeContext, case: Any, stored: DataRequest | Handover, decision: Decision
) -> Decision:
    """The fresh decision, when it allows at least one category; otherwise the refusal is written to the
    disclosure log and a 409 (a LoggedRefusal: the unit of work commits the record) names the policy's reason."""
    return enforcement.release_only_allowed(
        decision,
        record_refusal=lambda refused: disclosure.release_refused(session, ctx, case, stored, refused),
        refused=_release_refused,
    )


def _release_refused(decision: Decision, denial: Denial | None) -> ReleaseRefused:
    reason = denial.reason if denial else "nothing_allowed"
    explanation = denial.explanation_nl if denial else "Het beleid staat niets toe."
    return ReleaseRefused(
        f"De hub verstrekt dit niet (meer): {explanation}",
        reason=reason,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )


def split_catalogue_fields(values: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Per (known) category: the catalogue's fields with their values, and how many other fields were sent.

    Only the catalogue's names go on to the policy's answer filter (which would withhold the others anyway),
    so a responder-chosen name never reaches the filter's log line either.
    """
    kept: dict[str, dict[str, Any]] = {}
    extra: dict[str, int] = {}
    for category, fields in values.items():
        known = catalogue_fields(category)
        kept[category] = {f: v for f, v in fields.items() if f in known}
        if len(kept[category]) < len(fields):
            extra[category] = len(fields) - len(kept[category])
    return kept, extra


def withheld_entries(decision: Decision, withheld: list[dict[str, Any]], extra: dict[str, int]) -> list[dict[str, Any]]:
    """What to store and report of a withholding: whole categories by name, a field by name only when it is
    a catalogue field of an allowed category, and for anything else a count per category."""
    entries: list[dict[str, Any]] = []
    whole = {w["category"] for w in withheld if w["field"] is None}
    counts = {c: n for c, n in extra.items() if c not in whole}
    for item in withheld:
        category, field = item["category"], item["field"]
        if field is None or (category in decision.allowed and field in catalogue_fields(category)):
            entries.append({"category": category, "field": field, "reason": item["reason"]})
        else:
            counts[category] = counts.get(category, 0) + 1
    entries += [
        {"category": c, "field": None, "reason": FIELD_NOT_IN_CATALOGUE, COUNT_KEY: n}
        for c, n in sorted(counts.items())
    ]
    return entries


def whole_categories(withheld: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the requester may learn of a withholding: the categories withheld whole, with their reason (and the
    policy's explanation of a withdrawal, hub.exchange.service.answers.withdrawal_reasons)."""
    return [
        {"category": w["category"], "field": None, "reason": w["reason"]}
        | ({"explanation": w["explanation"]} if "explanation" in w else {})
        for w in withheld
        if w["field"] is None and COUNT_KEY not in w
    ]
