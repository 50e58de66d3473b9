"""Checks on what the policy engine returned. A result of the wrong shape, or one that does not fit the
question (a category allowed that nobody asked for), is treated as an unavailable policy: deny.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from hub.policy.pdp import PolicyUnavailable


class _Exact(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class _Denial(_Exact):
    reason: str
    explanation: str


class _Activity(_Exact):
    id: str
    version: str
    name: str
    legal_basis: str
    retention_days: int
    confidentiality: str


class _RequestResult(_Exact):
    allow: bool
    allowed: list[str]
    denied: dict[str, _Denial]
    refusal: _Denial | None
    activity: _Activity | None


class _Withheld(_Exact):
    category: str
    field: str | None
    reason: str


class _AnswerResult(_Exact):
    released: dict[str, list[str]]
    withheld: list[_Withheld]


class _ApiResult(_Exact):
    allow: bool
    reason: str | None
    rule: str


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    allow: bool
    allowed: tuple[str, ...]
    denied: dict[str, dict[str, str]]
    refusal: dict[str, str] | None
    activity: dict[str, Any] | None


def _parse(model: type[_Exact], value: Any) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise PolicyUnavailable(f"result of the wrong shape ({exc.error_count()} error(s))") from exc


def check_request_result(value: Any, requested: Iterable[str]) -> RequestOutcome:
    parsed: _RequestResult = _parse(_RequestResult, value)
    asked = set(requested)
    allowed, denied = set(parsed.allowed), set(parsed.denied)
    if not allowed <= asked or allowed & denied or (allowed | denied) != asked:
        raise PolicyUnavailable("result does not partition the requested categories")
    if parsed.allow and (not allowed or parsed.activity is None or parsed.refusal is not None):
        raise PolicyUnavailable("result allows without an allowed category, an activity, or despite a refusal")
    if not parsed.allow and allowed:
        raise PolicyUnavailable("result denies but lists allowed categories")
    return RequestOutcome(
        parsed.allow,
        tuple(c for c in dict.fromkeys(requested) if c in allowed),
        {c: d.model_dump() for c, d in parsed.denied.items()},
        parsed.refusal.model_dump() if parsed.refusal else None,
        parsed.activity.model_dump() if parsed.activity else None,
    )


def check_answer_result(
    value: Any, answer_fields: Mapping[str, list[str]], allowed: Iterable[str]
) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    parsed: _AnswerResult = _parse(_AnswerResult, value)
    allowed_set = set(allowed)
    for category, fields in parsed.released.items():
        if category not in answer_fields or category not in allowed_set:
            raise PolicyUnavailable("result releases a category that was not sent or not allowed")
        if not set(fields) <= set(answer_fields[category]):
            raise PolicyUnavailable("result releases a field that was not sent")
    return dict(parsed.released), [w.model_dump() for w in parsed.withheld]


def check_api_result(value: Any) -> dict[str, Any]:
    parsed: _ApiResult = _parse(_ApiResult, value)
    if parsed.allow and parsed.reason is not None:
        raise PolicyUnavailable("result allows and gives a denial reason")
    return parsed.model_dump()
