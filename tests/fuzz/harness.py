"""Schemathesis against the hub's own OpenAPI document, in-process, with real tokens for every role.

Each example draws an operation's input from the document (valid inputs, and invalid ones in negative mode),
a caller (every role, a foreign region, a foreign municipality, or no one), and whether the path names a
real object made through the API (tests/matrix/world.py) or a generated id. The request goes through the
app's ASGI interface (FastAPI's TestClient: no network), and the response must pass the checks: no 5xx, a
status the operation declares, and a body that matches the schema it declares for that status.

Failures are collected, not raised at the first one, so one run reports every distinct finding.
tests/fuzz/test_fuzz.py runs a short, seeded pass; bench/fuzz.py a longer one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (  # the registry of built-in checks, by name
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.errors import FailureGroup
from schemathesis.generation import GenerationMode

from tests.matrix.table import PRINCIPALS, ROWS
from tests.matrix.world import World

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass(frozen=True, slots=True)
class Finding:
    operation: str
    mode: str
    caller: str
    status: int
    code: str  # the problem's `code` (or the OAuth `error`) of the response, if any
    check: str  # the failing check and its message

    def __str__(self) -> str:
        return f"{self.operation} [{self.mode}, as {self.caller}] -> {self.status} {self.code}: {self.check}"


@dataclass
class Report:
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)  # one per operation and check
    unsatisfiable: list[str] = field(default_factory=list)

    def add(self, status: int, findings: list[Finding]) -> None:
        self.calls += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        for finding in findings:
            self.findings.setdefault((finding.operation, finding.check.split(":")[0]), finding)


class Fuzzer:
    """Runs seeded schemathesis examples per operation through `http` (an in-process client of the app)."""

    def __init__(
        self, openapi: dict[str, Any], http: httpx.Client, headers_for: Callable[[str], dict[str, str]], world: World
    ) -> None:
        self.schema = schemathesis.openapi.from_dict(openapi)
        self.http = http
        self.headers_for = headers_for
        self.world = world

    def real_id(self, name: str) -> str | None:
        """The id of a real object for a path parameter (made through the API on first use), or None."""
        objects = {
            "case_id": "case",
            "request_id": "request_open",
            "handover_id": "handover",
            "notice_id": "notice_id",
        }
        return getattr(self.world, objects[name]) if name in objects else None

    def operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations()]

    def run(
        self,
        *,
        max_examples: int,
        seed_value: int = 20261122,
        modes: Iterable[GenerationMode] = MODES,
        only: Callable[[str], bool] = lambda label: True,
    ) -> Report:
        report = Report()
        for operation in self.operations():
            if not only(operation.label):
                continue
            for mode in modes:
                self._run_operation(operation, mode, max_examples, seed_value, report)
        return report

    def _run_operation(
        self, operation: Any, mode: GenerationMode, max_examples: int, seed_value: int, report: Report
    ) -> None:
        strategy = operation.as_strategy(generation_mode=mode)

        @seed(seed_value)
        @settings(
            max_examples=max_examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, caller=callers_of(operation.method.upper(), operation.path), real=st.booleans())
        def example(case: Any, caller: str, real: bool) -> None:
            for name in list(case.path_parameters or {}) if real else ():
                case.path_parameters[name] = self.real_id(name) or case.path_parameters[name]
            report.add(*self.check(case, caller, mode))

        try:
            example()
        except Unsatisfiable:  # negative mode for an operation without inputs: nothing can be invalid
            report.unsatisfiable.append(f"{operation.label} [{mode.value}]")

    def check(self, case: Any, caller: str, mode: GenerationMode) -> tuple[int, list[Finding]]:
        client_id = PRINCIPALS[caller]
        auth = self.headers_for(client_id) if client_id else {}
        kwargs = case.as_transport_kwargs(base_url=str(self.http.base_url).rstrip("/"), headers=auth)
        response = self.http.request(**to_httpx(kwargs))
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            failures: list[Any] = list(group.exceptions)
        except AssertionError as failure:  # one failing check: a schemathesis Failure (an AssertionError)
            failures = [failure]
        else:
            return response.status_code, []
        return response.status_code, [
            Finding(case.operation.label, mode.value, caller, response.status_code, _code(response), _describe(failure))
            for failure in failures
        ]


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or body.get("error") or "") if isinstance(body, dict) else ""


def callers_of(method: str, path: str) -> st.SearchStrategy[str]:
    """Any column of the matrix, and as often one the matrix says may call the operation, so that the
    examples reach past the authorization checks as well as into them."""
    anyone = st.sampled_from(list(PRINCIPALS))
    row = next((r for r in ROWS if r.route == (method, path)), None)
    allowed = [column for column, status in row.expect.items() if status < 300] if row else []
    return st.one_of(st.sampled_from(allowed), anyone) if allowed else anyone


def _describe(failure: BaseException) -> str:
    title = getattr(failure, "title", None) or type(failure).__name__
    message = " ".join(str(getattr(failure, "message", "") or "").split())
    return f"{title}: {message}"[:300]


def to_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The requests-style keyword arguments schemathesis prepares, as httpx (TestClient) takes them."""
    out = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": kwargs.get("headers") or {},
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, dict):
        out["data"] = data
    elif data is not None:
        out["content"] = data if isinstance(data, bytes) else str(data).encode()
    return out
