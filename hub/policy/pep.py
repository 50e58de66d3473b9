"""The policy enforcement point: the only place that asks the policy and the only place that makes a
`Decision`.

A `Decision` cannot be built elsewhere: its constructor demands a token private to this module, and
`dataclasses.replace` refuses it too (the token is an init-only field). A service that releases data
takes a `Decision` as its argument, so holding one proves the policy was asked.

Input of the wrong shape is a refusal with a reason, never an allow. An engine that cannot decide (it errs,
times out, or answers something undefined or malformed) is no decision at all: every function here then
raises the one `PolicyUnavailableError` (hub.policy.errors: 503 `policy_unavailable` with `Retry-After`), so
that no caller stores or releases anything and none has to recognise a reason string. (The PDP's own
`hub.policy.pdp.PolicyUnavailable` stays inside this module.)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import InitVar, dataclass
from types import MappingProxyType
from typing import Any

import structlog
from pydantic import ValidationError

from hub.policy.access_table import TABLES as ACCESS_TABLES
from hub.policy.access_table import vocabulary as access_vocabulary
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pdp import PolicyDecisionPoint, PolicyResult, PolicyUnavailable, Rule
from hub.policy.register import ActivityRef
from hub.policy.results import RequestOutcome, check_answer_result, check_api_result, check_request_result
from hub.policy.schemas import RequestFacts, invalid_fields

log = structlog.get_logger(__name__)

_MINT = object()  # only this module holds it

INVALID_INPUT = "invalid_input"
_UNAVAILABLE_NL = "Het beleid kon niet worden geraadpleegd; er is niets opgeslagen of verstrekt."


@dataclass(frozen=True, slots=True)
class Denial:
    reason: str  # stable code, e.g. "wrong_holder"
    explanation_nl: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's decision on one request, per category. Only hub.policy.pep constructs it."""

    allow: bool
    allowed: tuple[str, ...]
    denied: Mapping[str, Denial]
    activity: ActivityRef | None
    decision_id: str
    policy_revision: str
    refusal: Denial | None  # set when the whole request is refused (then every category is denied)
    _mint: InitVar[object] = None

    def __post_init__(self, _mint: object) -> None:
        if _mint is not _MINT:
            raise TypeError("a Decision is made only by hub.policy.pep")
        object.__setattr__(self, "denied", MappingProxyType(dict(self.denied)))

    def __copy__(self) -> Decision:
        raise TypeError("a Decision is made only by hub.policy.pep; it is not copied")

    def __deepcopy__(self, _memo: dict) -> Decision:
        raise TypeError("a Decision is made only by hub.policy.pep; it is not copied")

    def __reduce__(self):
        raise TypeError("a Decision is made only by hub.policy.pep; it is not pickled")

    @property
    def legal_basis(self) -> str | None:
        return self.activity.legal_basis if self.activity else None

    @property
    def categories(self) -> tuple[str, ...]:
        return self.allowed + tuple(self.denied)


@dataclass(frozen=True, slots=True)
class Withheld:
    category: str
    field: str | None  # None: the whole category
    reason: str


@dataclass(frozen=True, slots=True)
class AnswerFilter:
    """What of an answer may be released, and what is withheld (to be logged)."""

    released: Mapping[str, Mapping[str, Any]]
    withheld: tuple[Withheld, ...]
    decision_id: str
    policy_revision: str

    @property
    def withheld_categories(self) -> tuple[str, ...]:
        return tuple(sorted({w.category for w in self.withheld if w.field is None}))


# ---------------------------------------------------------------------------------------------------
# Control characters: refused before any engine sees the input


def control_character_fields(document: Any, path: str = "") -> list[str]:
    """The dotted names (list positions left out) of the strings in a policy input, keys included, that hold
    a code point below U+0020 or U+007F, or `"` or `\\`. regopy cuts a string at U+0000 and decides on the prefix
    (so "gooi-en-vechtstreek\\u0000evil" would match the region), a C0 character it echoes makes its result
    unparseable, and so does `"` or `\\` in a string it echoes as a key of its result (it does not escape them
    there): no such string reaches an engine (DESIGN.md §8). No policy input needs any of them (identifiers,
    codes, category and field names)."""
    found: dict[str, None] = {}
    _walk_control(document, path, found)
    return list(found)


def _has_control(text: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch in _UNECHOED for ch in text)


_UNECHOED = frozenset('"\\')  # what regopy does not escape in the keys of its result


def _walk_control(value: Any, path: str, found: dict[str, None]) -> None:
    if isinstance(value, str):
        if _has_control(value):
            found[path or "input"] = None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and _has_control(key):
                found[path or "input"] = None  # the key is data too; its own name is not repeated
                continue
            _walk_control(item, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk_control(item, path, found)


def _control_refusal_text(fields: list[str]) -> str:
    return f"De aanvraag is ongeldig: een stuurteken of ongeldig teken in veld {', '.join(fields)}."


# ---------------------------------------------------------------------------------------------------
# Request decisions


def decide_request(pdp: PolicyDecisionPoint, request_input: Mapping[str, Any]) -> Decision:
    """Ask the policy about one data request (input: docs/ARCHITECTURE.md) and return its Decision."""
    categories = _requested_categories(request_input)
    if not isinstance(request_input, Mapping):
        log.info("policy.input_invalid", rule="request", fields=["input"])
        return _refuse_all(pdp, (), INVALID_INPUT, "De aanvraag is onvolledig of ongeldig: de invoer is geen object.")
    control = control_character_fields(request_input)
    if control:
        log.info("policy.input_invalid", rule="request", fields=control, problem="control_character")
        return _refuse_all(pdp, categories, INVALID_INPUT, _control_refusal_text(control))
    try:
        RequestFacts.model_validate(dict(request_input))
    except ValidationError as exc:
        fields = invalid_fields(exc)
        log.info("policy.input_invalid", rule="request", fields=fields)
        text = f"De aanvraag is onvolledig of ongeldig: ontbrekend of ongeldig veld {', '.join(fields)}."
        return _refuse_all(pdp, categories, INVALID_INPUT, text)
    decision = _ask(pdp, "request", request_input, categories)
    log.debug(
        "policy.request_decided",
        allow=decision.allow,
        allowed=list(decision.allowed),
        denied={c: d.reason for c, d in decision.denied.items()},
        decision_id=decision.decision_id,
        revision=decision.policy_revision,
    )
    return decision


def decide_case_read(pdp: PolicyDecisionPoint, read_input: Mapping[str, Any]) -> Decision:
    """Ask the policy about the coordinator's own read of case content (`dt.case_read`: requester,
    categories, case) and return its Decision, per category. The policy chooses the activity."""
    return _decide_read(pdp, "case_read", read_input)


def decide_notice_read(pdp: PolicyDecisionPoint, read_input: Mapping[str, Any]) -> Decision:
    """Ask the policy about reading the text of one of DJI's risk notices (`dt.notice_read`: requester,
    categories, notice, case) and return its Decision. The policy chooses the activity (risk_assessment)."""
    return _decide_read(pdp, "notice_read", read_input)


def decide_origin_read(pdp: PolicyDecisionPoint, read_input: Mapping[str, Any]) -> Decision:
    """Ask the policy what the determined municipality's social domain sees of a determination of origin
    (`dt.origin_read`: requester, categories, case): the prison and detention date (`detention`), under
    reintegration."""
    return _decide_read(pdp, "origin_read", read_input)


def _decide_read(pdp: PolicyDecisionPoint, rule: Rule, read_input: Mapping[str, Any]) -> Decision:
    categories = _requested_categories(read_input)
    if not isinstance(read_input, Mapping) or not categories:
        log.info("policy.input_invalid", rule=rule, fields=["categories"])
        return _refuse_all(pdp, categories, INVALID_INPUT, "De aanvraag is onvolledig of ongeldig.")
    control = control_character_fields(read_input)
    if control:
        log.info("policy.input_invalid", rule=rule, fields=control, problem="control_character")
        return _refuse_all(pdp, categories, INVALID_INPUT, _control_refusal_text(control))
    return _ask(pdp, rule, read_input, categories)


def _ask(pdp: PolicyDecisionPoint, rule: Rule, document: Mapping[str, Any], categories: tuple[str, ...]) -> Decision:
    """One per-category decision from the engine; an engine failure or a result of the wrong shape raises
    PolicyUnavailableError."""
    try:
        result = pdp.decide(rule, dict(document))
        outcome = check_request_result(result.value, categories)
    except PolicyUnavailable as exc:
        raise _unavailable(pdp, rule, exc) from None
    return _decision_from(outcome, result)


def _decision_from(outcome: RequestOutcome, result: PolicyResult) -> Decision:
    denied = {c: Denial(d["reason"], d["explanation"]) for c, d in outcome.denied.items()}
    refusal = Denial(outcome.refusal["reason"], outcome.refusal["explanation"]) if outcome.refusal else None
    activity = ActivityRef.from_policy(outcome.activity) if outcome.activity else None
    return Decision(
        outcome.allow, outcome.allowed, denied, activity, result.decision_id, result.revision, refusal, _MINT
    )


def _requested_categories(request_input: Mapping[str, Any]) -> tuple[str, ...]:
    raw = request_input.get("categories") if isinstance(request_input, Mapping) else None
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(dict.fromkeys(c for c in raw if isinstance(c, str)))


def _refuse_all(pdp: PolicyDecisionPoint, categories: tuple[str, ...], reason: str, text: str) -> Decision:
    denial = Denial(reason, text)
    return Decision(
        False, (), {c: denial for c in categories}, None, uuid.uuid4().hex, _revision_of(pdp), denial, _MINT
    )


def _revision_of(pdp: PolicyDecisionPoint) -> str:
    try:
        return pdp.revision
    except Exception:  # a PDP too broken to tell its revision still gets a refusal recorded
        return "unavailable"


def _unavailable(pdp: PolicyDecisionPoint, rule: str, exc: Exception, **extra: str) -> PolicyUnavailableError:
    """The one error of an engine that could not decide `rule` (logged here, with the engine's reason)."""
    log.error("policy.unavailable", rule=rule, pdp=getattr(pdp, "kind", "unknown"), error=str(exc)[:300])
    return PolicyUnavailableError(_UNAVAILABLE_NL, rule=rule, policy_revision=_revision_of(pdp), **extra)


# ---------------------------------------------------------------------------------------------------
# Answer filter


def filter_answer(pdp: PolicyDecisionPoint, decision: Decision, answer: Mapping[str, Any]) -> AnswerFilter:
    """Cut an answer ({category: {field: value}}) down to what the decision and the policy allow.

    Only category and field names go to the policy, never values. Anything the policy does not release
    is withheld, with a reason per category or field.
    """
    if not isinstance(decision, Decision):
        raise TypeError("filter_answer needs the Decision made by hub.policy.pep")
    if not isinstance(answer, Mapping):
        raise TypeError("filter_answer needs the answer as {category: {field: value}}")
    shaped = {c: v for c, v in answer.items() if isinstance(c, str) and isinstance(v, Mapping)}
    malformed = [Withheld(str(c), None, INVALID_INPUT) for c in answer if c not in shaped]
    fields_sent = {c: sorted(str(f) for f in fields) for c, fields in shaped.items()}
    policy_input = {
        "activity": decision.activity.id if decision.activity else "",
        "allowed": list(decision.allowed),
        "answer": fields_sent,
    }
    control = control_character_fields(policy_input)
    if control:
        log.info("policy.input_invalid", rule="answer", fields=control, problem="control_character")
        everything = tuple(Withheld(c, None, INVALID_INPUT) for c in shaped)
        return AnswerFilter({}, everything + tuple(malformed), uuid.uuid4().hex, _revision_of(pdp))
    try:
        result = pdp.decide("answer", policy_input)
        released_fields, withheld = check_answer_result(result.value, fields_sent, decision.allowed)
    except PolicyUnavailable as exc:
        raise _unavailable(pdp, "answer", exc) from None
    released = {
        c: MappingProxyType({f: shaped[c][f] for f in fields if f in shaped[c]})
        for c, fields in released_fields.items()
    }
    withheld_all = tuple(Withheld(w["category"], w["field"], w["reason"]) for w in withheld) + tuple(malformed)
    if withheld_all:
        log.info(
            "policy.answer_withheld",
            decision_id=decision.decision_id,
            withheld=[f"{w.category}.{w.field}" if w.field else w.category for w in withheld_all],
        )
    return AnswerFilter(MappingProxyType(released), withheld_all, result.decision_id, result.revision)


# ---------------------------------------------------------------------------------------------------
# One evaluation at answer time: the request decision, now, and the filter of the answer by it


def decide_and_filter(
    pdp: PolicyDecisionPoint, request_input: Mapping[str, Any], answer: Mapping[str, Any]
) -> tuple[Decision, AnswerFilter]:
    """The request decision on `request_input` (the case as it is now) and the answer filter by that very
    decision, in ONE evaluation (`dt.answer.release`): both come from the same bundle revision, so a reload
    cannot split one answer between two policies. The same checks as decide_request and filter_answer."""
    if not isinstance(answer, Mapping):
        raise TypeError("decide_and_filter needs the answer as {category: {field: value}}")
    categories = _requested_categories(request_input)
    shaped = {c: v for c, v in answer.items() if isinstance(c, str) and isinstance(v, Mapping)}
    malformed = tuple(Withheld(str(c), None, INVALID_INPUT) for c in answer if c not in shaped)
    names = {c: sorted(str(f) for f in fields) for c, fields in shaped.items()}
    if not isinstance(request_input, Mapping):
        return _refuse_release(pdp, shaped, malformed, (), INVALID_INPUT, "De invoer is geen object.")
    if "allowed" in request_input or "answer" in request_input:  # the filter's own keys: never the caller's
        log.info("policy.input_invalid", rule="release", fields=["allowed" if "allowed" in request_input else "answer"])
        return _refuse_release(pdp, shaped, malformed, categories, INVALID_INPUT, "De invoer is ongeldig.")
    policy_input = {**request_input, "answer": names}
    control = control_character_fields(policy_input)
    if control:
        log.info("policy.input_invalid", rule="release", fields=control, problem="control_character")
        return _refuse_release(pdp, shaped, malformed, categories, INVALID_INPUT, _control_refusal_text(control))
    try:
        RequestFacts.model_validate(dict(request_input))
    except ValidationError as exc:
        fields = invalid_fields(exc)
        log.info("policy.input_invalid", rule="release", fields=fields)
        text = f"De aanvraag is onvolledig of ongeldig: ontbrekend of ongeldig veld {', '.join(fields)}."
        return _refuse_release(pdp, shaped, malformed, categories, INVALID_INPUT, text)
    try:
        result = pdp.decide("release", policy_input)
        if not isinstance(result.value, Mapping) or set(result.value) != {"decision", "filter"}:
            raise PolicyUnavailable("release result is not {decision, filter}")
        outcome = check_request_result(result.value.get("decision"), categories)
        released_fields, withheld = check_answer_result(result.value.get("filter"), names, outcome.allowed)
    except PolicyUnavailable as exc:
        raise _unavailable(pdp, "release", exc) from None
    decision = _decision_from(outcome, result)
    released = {
        c: MappingProxyType({f: shaped[c][f] for f in fields if f in shaped[c]})
        for c, fields in released_fields.items()
    }
    withheld_all = tuple(Withheld(w["category"], w["field"], w["reason"]) for w in withheld) + malformed
    if withheld_all:
        log.info(
            "policy.answer_withheld",
            decision_id=decision.decision_id,
            withheld=[f"{w.category}.{w.field}" if w.field else w.category for w in withheld_all],
        )
    return decision, AnswerFilter(MappingProxyType(released), withheld_all, result.decision_id, result.revision)


def _refuse_release(
    pdp: PolicyDecisionPoint,
    shaped: Mapping[str, Any],
    malformed: tuple[Withheld, ...],
    categories: tuple[str, ...],
    reason: str,
    text: str,
) -> tuple[Decision, AnswerFilter]:
    decision = _refuse_all(pdp, categories, reason, text)
    everything = tuple(Withheld(c, None, reason) for c in shaped)
    return decision, AnswerFilter({}, everything + malformed, decision.decision_id, decision.policy_revision)


# ---------------------------------------------------------------------------------------------------
# API access


@dataclass(frozen=True, slots=True)
class AccessOutcome:
    allow: bool
    reason: str | None
    rule: str
    decision_id: str
    policy_revision: str


def check_operation(pdp: PolicyDecisionPoint, role: str, operation: str) -> AccessOutcome:
    """Ask the API-access rule whether `role` may call `operation`. Fails closed: PolicyUnavailableError."""
    control = control_character_fields({"role": role, "operation": operation})
    if control:
        log.info("policy.input_invalid", rule="api", fields=control, problem="control_character")
        return AccessOutcome(False, INVALID_INPUT, "dt.api.allow", uuid.uuid4().hex, _revision_of(pdp))
    roles, operations = access_vocabulary()
    if role in roles and operation in operations:
        return _check_operation_from_table(pdp, role, operation)
    try:
        result = pdp.decide("api", {"role": role, "operation": operation})
        value = check_api_result(result.value)
    except PolicyUnavailable as exc:
        raise _unavailable(pdp, "dt.api.allow", exc, operation=operation) from None
    return AccessOutcome(value["allow"], value["reason"], value["rule"], result.decision_id, result.revision)


def _check_operation_from_table(pdp: PolicyDecisionPoint, role: str, operation: str) -> AccessOutcome:
    """The API-access decision of the current bundle, from its table (hub.policy.access_table): evaluated for
    every pair when the bundle loaded, so a route costs no evaluation. Fails closed like the engine: no table
    for the current revision, or no entry, is PolicyUnavailableError."""
    try:
        table = ACCESS_TABLES.current(pdp)
        entry = table.get(role, operation)
        if entry is None:
            raise PolicyUnavailable("the access table has no entry for this pair")
    except PolicyUnavailable as exc:
        raise _unavailable(pdp, "dt.api.allow", exc, operation=operation) from None
    return AccessOutcome(entry["allow"], entry["reason"], entry["rule"], uuid.uuid4().hex, table.revision)


# ---------------------------------------------------------------------------------------------------
# Readiness

_PROBE = {"role": "zvh_coordinator", "operation": "case.read"}


def policy_ready(pdp: PolicyDecisionPoint) -> bool:
    """Whether the decision point can decide now: one real API-access decision through the engine (not a
    table), which needs a loaded bundle and, for OPA, a reachable server that accepts the hub's token."""
    try:
        check_api_result(pdp.decide("api", dict(_PROBE)).value)
        _ = pdp.revision
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("policy.not_ready", pdp=getattr(pdp, "kind", "unknown"), error=str(exc)[:300])
        return False
    return True


__all__ = [
    "AccessOutcome",
    "AnswerFilter",
    "Decision",
    "Denial",
    "Withheld",
    "check_operation",
    "decide_and_filter",
    "decide_request",
    "filter_answer",
]
