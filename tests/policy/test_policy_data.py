"""Incomplete policy DATA (finding H4): refused at start-up and reload by the strict schemas, and denied by the
allow-list Rego when it reaches the engine anyway."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from hub.policy.bundle import PolicyLoadError, PolicySource, read_source
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pdp import EmbeddedPDP
from hub.policy.pep import decide_request
from tests.policy.conftest import POLICIES
from tests.policy.vectors import VECTORS, request

ORIGINAL = read_source(POLICIES)


def _required(file: str, prefix: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """Every key of the object at `prefix` in `file`'s data (all are required), as (file, path) pairs."""
    node: Any = ORIGINAL.data["dt"][file]
    for part in prefix:
        node = node[part]
    return [(file, (*prefix, key)) for key in node if key != "note"]


# One removal per required field: top level of every file, one activity, two categories (a special one and
# the one that needs a signalled risk), a legal-basis entry, two case states and a reason.
REMOVALS = (
    _required("register", ())
    + _required("register", ("activities", "reintegration"))
    + _required("register", ("activities", "reintegration", "legal_basis", 0))
    + _required("catalogue", ())
    + _required("catalogue", ("categories", "care"))
    + [
        ("catalogue", ("categories", "risk_clarification", f))
        for f in ("holders", "sensitivity", "requires_signalled_risk")
    ]
    + _required("reference", ())
    + _required("reference", ("case_states", "outreach"))
    + [("reference", ("case_states", "closed", "open"))]
    + _required("reference", ("reasons", "wrong_holder"))
    + _required("schemas", ())
)
IDS = ["/".join([file, *map(str, path)]) for file, path in REMOVALS]


def _without(file: str, path: tuple[str, ...]) -> dict[str, Any]:
    """A deep copy of the whole policy data with one field removed."""
    data = copy.deepcopy(ORIGINAL.data)
    node: Any = data["dt"][file]
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return data


class UncheckedPDP(EmbeddedPDP):
    """The embedded engine over data given directly: bypasses read_source and so the data schemas."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        super().__init__(POLICIES)

    def _read(self) -> PolicySource:
        return PolicySource(ORIGINAL.modules, self._data, "sha256:unchecked")


def test_the_shipped_data_passes_the_schemas():
    """The policy data in policies/ is complete: it loads (and so every removal below starts from valid data)."""
    assert ORIGINAL.data["dt"]["register"]["activities"]["reintegration"]["direction"] == "request"
    assert len(REMOVALS) >= 30


@pytest.mark.parametrize(("file", "path"), REMOVALS, ids=IDS)
def test_incomplete_data_is_refused_at_start_and_reload(file, path, policies_copy: Path):
    """A data file with one required field removed is refused at start-up and at reload; the old policy stays."""
    pdp = EmbeddedPDP(policies_copy)
    old = pdp.revision
    target = policies_copy / "dt" / file / "data.json"
    target.write_text(json.dumps(_without(file, path)["dt"][file]))
    with pytest.raises(PolicyLoadError, match=f"dt/{file}/data.json"):
        EmbeddedPDP(policies_copy)
    with capture_logs() as logs, pytest.raises(PolicyLoadError):
        pdp.reload()
    assert pdp.revision == old
    assert [e["event"] for e in logs] == ["policy.reload_refused"]
    assert decide_request(pdp, request()).allow is True


@pytest.mark.parametrize(
    ("file", "content", "field"),
    [
        ("catalogue", {"sensitivity": "secret"}, "sensitivity"),
        ("catalogue", {"requires_signalled_risk": "no"}, "requires_signalled_risk"),
        ("catalogue", {"holders": "probation"}, "holders"),
        ("catalogue", {"holders": ["prison_guard"]}, "holders"),
        ("catalogue", {"extra": True}, "additionalProperties"),
    ],
)
def test_wrong_types_and_values_are_refused(file, content, field, policies_copy: Path):
    """An unknown enum value, a wrong type, an unknown role or an extra key in a category is refused."""
    data = copy.deepcopy(ORIGINAL.data["dt"][file])
    data["categories"]["care"].update(content)
    (policies_copy / "dt" / file / "data.json").write_text(json.dumps(data))
    with pytest.raises(PolicyLoadError, match=field):
        read_source(policies_copy)


def _affected(file: str, path: tuple[str, ...]) -> set[str]:
    """The categories whose every allow must disappear when `path` is removed (empty: none in particular)."""
    if len(path) != 3:
        return set()
    if (
        file == "catalogue"
        and path[0] == "categories"
        and path[2] in ("holders", "sensitivity", "requires_signalled_risk")
    ):
        return {path[1]}
    if file == "register" and path[:2] == ("activities", "reintegration") and path[2] in ("direction", "categories"):
        return set(ORIGINAL.data["dt"]["register"]["activities"]["reintegration"]["categories"])
    return set()


@pytest.mark.parametrize(("file", "path"), REMOVALS, ids=IDS)
def test_incomplete_data_in_the_engine_never_allows_more(file, path):
    """Evaluated anyway (schemas bypassed), the data with a field removed allows no category that the full data
    denies, in any of the decision vectors, and the categories the field decides are denied everywhere."""
    pdp = UncheckedPDP(_without(file, path))
    affected = _affected(file, path)
    activity_of = {"reintegration"} if file == "register" else None
    lost = set()
    for vector in VECTORS:
        try:
            allowed = set(decide_request(pdp, vector.input).allowed)
        except PolicyUnavailableError:  # the engine gave no usable answer: nothing is allowed
            allowed = set()
        assert allowed <= vector.allowed, vector.id
        if activity_of is None or vector.input["activity"] in activity_of:
            assert not allowed & affected, vector.id
            lost |= vector.allowed & affected
    assert lost == affected  # each affected category was allowed somewhere with the full data


def test_missing_direction_denies_with_a_reason():
    """The finding's reproduction: without `direction`, police of another region get nothing, with a reason."""
    data = _without("register", ("activities", "reintegration", "direction"))
    police_other_region = {"role": "police", "oin": "00000001000000004003", "region": "west-veluwe-vallei"}
    decision = decide_request(
        UncheckedPDP(data),
        request(
            responder=police_other_region,
            categories=("care", "housing", "social_network"),
            state="outreach",
            consent="yes",
        ),
    )
    assert decision.allow is False and decision.allowed == ()
    assert {c: d.reason for c, d in decision.denied.items()} == dict.fromkeys(
        ("care", "housing", "social_network"), "policy_data_incomplete"
    )
