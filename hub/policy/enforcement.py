"""Release enforcement: decide on the case as it is now, then release only what was allowed.

Every path that lets personal data leave the hub goes through these steps, in this order, and only here:

1. a fresh `Decision` from the enforcement point (hub.policy.pep) on the case as it is now: `decide_release`
   (the request rule: inbox read, answer, answer read, handover, handover read) or `decide_read` (the case_read
   rule: the coordinator's identity and information-sheet reads). An engine that cannot decide raises
   `PolicyUnavailableError` (503, nothing stored) from the PEP; nothing here looks at reason strings;
2. `release_only_allowed`: when the decision allows nothing, the caller's refusal record is written and the
   caller's `LoggedRefusal` raised (the request's unit of work commits the record, hub.db);
3. `allowed_part` (and `filter_release`, or at answer time `decide_and_filter_release`, which decides and cuts
   the answer's fields in one evaluation): what leaves is the part the decision allows, nothing else.

The exchange (hub.exchange) and the cases (hub.cases) both call these; each keeps only its own records and
problems (which it hands in).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from hub.errors import LoggedRefusal
from hub.policy.pdp import PolicyDecisionPoint
from hub.policy.pep import (
    AnswerFilter,
    Decision,
    Denial,
    decide_and_filter,
    decide_case_read,
    decide_notice_read,
    decide_origin_read,
    decide_request,
    filter_answer,
)

V = TypeVar("V")


def decide_release(pdp: PolicyDecisionPoint, facts: Mapping[str, Any]) -> Decision:
    """The request rule's decision on a release, with the case's facts as they are now."""
    return decide_request(pdp, facts)


def decide_read(pdp: PolicyDecisionPoint, facts: Mapping[str, Any]) -> Decision:
    """The case_read rule's decision on the coordinator's own read of case content, as the case is now."""
    return decide_case_read(pdp, facts)


def decide_notice(pdp: PolicyDecisionPoint, facts: Mapping[str, Any]) -> Decision:
    """The notice_read rule's decision on reading a risk notice's text (DJI's 18b and BIJ notices)."""
    return decide_notice_read(pdp, facts)


def decide_origin(pdp: PolicyDecisionPoint, facts: Mapping[str, Any]) -> Decision:
    """The origin_read rule's decision on showing a determination's detention facts to the municipality."""
    return decide_origin_read(pdp, facts)


def filter_release(pdp: PolicyDecisionPoint, decision: Decision, values: Mapping[str, Any]) -> AnswerFilter:
    """An answer's values cut down to the fields the policy releases under `decision`."""
    return filter_answer(pdp, decision, values)


def decide_and_filter_release(
    pdp: PolicyDecisionPoint, facts: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[Decision, AnswerFilter]:
    """At answer time, the request rule's decision on the case as it is now and the answer's values cut down by
    that very decision, in one evaluation (one bundle revision: a reload cannot split one answer)."""
    return decide_and_filter(pdp, facts, values)


def release_only_allowed(
    decision: Decision,
    *,
    record_refusal: Callable[[Decision], None],
    refused: Callable[[Decision, Denial | None], LoggedRefusal],
) -> Decision:
    """The decision, when it allows at least one category. Otherwise `record_refusal(decision)` writes the
    refusal's log record and `refused(decision, first denial)` is raised: a LoggedRefusal, so the record commits
    and nothing is released."""
    if decision.allowed:
        return decision
    record_refusal(decision)
    raise refused(decision, first_denial(decision))


def allowed_part(content: Mapping[str, V], decision: Decision) -> dict[str, V]:
    """The categories of `content` the decision allows, nothing else."""
    return {category: value for category, value in content.items() if category in decision.allowed}


def first_denial(decision: Decision) -> Denial | None:
    """The reason a refusal names: the whole request's, else the first category's."""
    return decision.refusal or next(iter(decision.denied.values()), None)
