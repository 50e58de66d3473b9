"""A short, seeded schemathesis run against the hub's own OpenAPI document: no 5xx, and every response keeps
to the status codes, content types and schemas its operation declares (tests/fuzz/harness.py; bench/fuzz.py
runs the same harness longer). One test per group of the authorization matrix, so each stays short."""

from __future__ import annotations

import os

import pytest

from tests.fuzz.harness import Fuzzer
from tests.matrix.table import GROUPS, ROWS
from tests.matrix.world import World, partner_clients

MAX_EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "3"))  # per operation and mode; bench/fuzz.py runs more
GROUP_OF = {f"{row.method} {row.path}": row.group for row in ROWS}
# The screens' groups are HTML for browsers, outside the OpenAPI document (include_in_schema=False): the
# browser tests and the matrix cover them. Every other group must have documented operations (asserted below).
SCREEN_GROUPS = {"signin", "screens", "origin-screens", "officer", "monitor"}
API_GROUPS = [group for group in GROUPS if group not in SCREEN_GROUPS]


@pytest.fixture
def fuzzer(app, client) -> Fuzzer:
    """The harness on the test app: real keys and tokens, objects made through the API on first use."""
    hub = partner_clients(client, actor="fuzz-1")
    return Fuzzer(app.openapi(), client, lambda client_id: hub(client_id).headers(), World(hub))


@pytest.mark.parametrize("group", API_GROUPS)
def test_no_operation_answers_5xx_or_breaks_its_schema(fuzzer: Fuzzer, group: str) -> None:
    """Every operation of the group, every caller, valid and invalid input: no 5xx, nothing undeclared."""
    report = fuzzer.run(max_examples=MAX_EXAMPLES, only=lambda label: GROUP_OF.get(label) == group)
    assert [str(finding) for finding in report.findings.values()] == []
    operations = [op for op in fuzzer.operations() if GROUP_OF.get(op.label) == group]
    assert operations and report.calls >= len(operations)  # the group has operations, and each one ran
    assert any(200 <= status < 300 for status in report.statuses)  # real tokens reached real answers


def test_the_screen_groups_are_outside_the_api_document(fuzzer: Fuzzer) -> None:
    """No documented operation belongs to a screen group, so leaving those groups out fuzzes everything."""
    assert set(GROUPS) >= SCREEN_GROUPS
    assert [op.label for op in fuzzer.operations() if GROUP_OF.get(op.label) in SCREEN_GROUPS] == []


def test_every_documented_operation_is_fuzzed(fuzzer: Fuzzer) -> None:
    """Each operation of the OpenAPI document belongs to one group above (none escapes the fuzzing)."""
    assert sorted(op.label for op in fuzzer.operations() if op.label not in GROUP_OF) == []
