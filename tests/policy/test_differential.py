"""Differential test: the embedded engine (regopy) and real OPA (the oracle) give the same decision documents.

Seeded and bounded: at least 2,000 generated inputs per run over the entry points (`request`, `case_read`,
`notice_read`, `origin_read`, `answer` with `release`, `api`), well-typed and hostile. Every input goes through
the enforcement point to a decision point that asks BOTH engines and records both full documents:

- a well-typed input must reach the engines, and their documents must be identical;
- a hostile input either is refused by the enforcement point before either engine decides (control
  characters, wrong shapes), or reaches both and gets identical documents.

Besides, the `answer` and `api` documents are compared for inputs sent to the engines directly (the policy does
not trust the enforcement point), as long as they hold no control character (the one thing the enforcement
point alone guards against; see test_control_characters.py).

The seed is fixed; set HUB_POLICY_DIFF_SEED to explore another (the failure message names the seed).
"""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

import pytest

from hub.config import ROOT
from hub.policy.bundle import read_source
from hub.policy.pdp import PolicyDecisionPoint, PolicyResult, PolicyUnavailable, Rule
from hub.policy.pep import (
    check_operation,
    control_character_fields,
    decide_and_filter,
    decide_case_read,
    decide_notice_read,
    decide_origin_read,
    decide_request,
    filter_answer,
)

SEED = int(os.environ.get("HUB_POLICY_DIFF_SEED", "20261204"))
COUNTS = {
    "request_typed": 700,
    "request_hostile": 400,
    "case_read": 400,
    "notice_read": 300,
    "origin_read": 250,
    "answer": 350,
    "release": 200,
    "api": 250,
}

DATA = read_source(ROOT / "policies").data["dt"]
ROLES = sorted(DATA["reference"]["roles"])
ACTIVITIES = sorted(DATA["register"]["activities"])
CATEGORIES = sorted(DATA["catalogue"]["categories"])
STATES = sorted(DATA["reference"]["case_states"])
CONSENT = sorted(DATA["reference"]["consent_values"])
RISK = sorted(DATA["reference"]["risk_values"])
MUNICIPALITIES = sorted(DATA["reference"]["municipality_regions"])
ORIGIN_STATUSES = sorted(DATA["origin"]["statuses"])
REGIONS = sorted(set(DATA["reference"]["municipality_regions"].values()))
FIELDS = sorted({f for c in DATA["catalogue"]["categories"].values() for f in c["fields"]})
HOSTILE_STRINGS = [
    "",
    " ",
    "x" * 300,
    "GM0402\u0000GM0406",
    "zvh_coordinator\u0000x",
    "screening\u0001",
    "a\u007fb",
    "é€\u00a0\u200b",
    "\u202ehousing",
    "housing ",
    "HOUSING",
    "null",
    "true",
    "0",
    "../../etc",
    '"}',
    "𝔥𝔬𝔲𝔰𝔦𝔫𝔤",
]
HOSTILE_VALUES: list[Any] = [None, 0, -1, 1.5, True, False, [], {}, ["housing"], {"a": 1}, *HOSTILE_STRINGS]


class TwinPDP(PolicyDecisionPoint):
    """Asks both engines, records both documents, returns the embedded one. Not a fake: both are real."""

    kind = "twin"

    def __init__(self, embedded: PolicyDecisionPoint, opa: PolicyDecisionPoint) -> None:
        self.embedded, self.opa = embedded, opa
        self.calls: list[tuple[str, Any, Any, Any]] = []

    @property
    def revision(self) -> str:
        return self.embedded.revision

    def reload(self) -> str:
        raise NotImplementedError

    def _evaluate(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult:
        first, second = _value(self.embedded, rule, input_doc), _value(self.opa, rule, input_doc)
        self.calls.append((rule, input_doc, first, second))
        if isinstance(first, PolicyUnavailable):
            raise first
        return PolicyResult(rule, first, uuid.uuid4().hex, self.revision)


def _value(pdp: PolicyDecisionPoint, rule: Rule, doc: dict[str, Any]) -> Any:
    try:
        return pdp.decide(rule, doc).value
    except PolicyUnavailable as exc:
        return PolicyUnavailable(str(exc).split(":")[0])


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, PolicyUnavailable) or isinstance(second, PolicyUnavailable):
        return isinstance(first, PolicyUnavailable) and isinstance(second, PolicyUnavailable)
    return first == second


# -- generators ----------------------------------------------------------------------------------------


def _party(rng: random.Random, role: str | None = None) -> dict[str, Any]:
    role = role or rng.choice(ROLES)
    party: dict[str, Any] = {"role": role, "oin": f"{rng.randrange(10**19, 10**20)}"}
    municipality = rng.choice(MUNICIPALITIES)
    if role.startswith("municipal"):
        party["municipality"] = municipality
        party["region"] = DATA["reference"]["municipality_regions"][municipality]
    else:
        party["region"] = rng.choice([*REGIONS, None])
    return party


def _case(rng: random.Random) -> dict[str, Any]:
    municipality = rng.choice(MUNICIPALITIES)
    region = DATA["reference"]["municipality_regions"][municipality] if rng.random() < 0.85 else rng.choice(REGIONS)
    case: dict[str, Any] = {
        "state": rng.choice(STATES),
        "region": region,
        "municipality": municipality,
        "consent": rng.choice(CONSENT),
        "risk": rng.choice(RISK),
        "detention_ended": rng.random() < 0.4,
    }
    if rng.random() < 0.5:  # issue 16: the origin's status, and no municipality while it is unknown
        case["origin"] = rng.choice(ORIGIN_STATUSES)
        if case["origin"] == "unknown" and rng.random() < 0.8:
            case["municipality"] = None
    return case


def typed_request(rng: random.Random) -> dict[str, Any]:
    """Well-typed: every field present with the right type, mostly known values, sometimes unknown ones."""
    case = _case(rng)
    requester = _party(rng, "zvh_coordinator" if rng.random() < 0.8 else None)
    if rng.random() < 0.8:
        requester["region"] = case["region"]
    responder = _party(rng)
    if responder["role"].startswith("municipal") and rng.random() < 0.7:
        responder["municipality"] = case["municipality"]
        responder["region"] = case["region"]
    activity = rng.choice([*ACTIVITIES, "marketing"] if rng.random() < 0.1 else ACTIVITIES)
    names = CATEGORIES + (["shoe_size", "identity"] if rng.random() < 0.2 else [])
    categories = rng.sample(names, rng.randint(1, min(10, len(names))))
    direction = DATA["register"]["activities"].get(activity, {}).get("direction", "request")
    # an "internal" activity (monitoring) is no exchange: such a request names one of the two exchanges anyway
    exchanges = ["request", "provide"]
    exchange = direction if direction in exchanges and rng.random() < 0.9 else rng.choice(exchanges)
    return {
        "exchange": exchange,
        "requester": requester,
        "responder": responder,
        "activity": activity,
        "categories": categories,
        "case": case,
    }


def _paths(doc: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for key, value in doc.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out.extend(_paths(value, (*prefix, key)))
    return out


def hostile(rng: random.Random, doc: dict[str, Any]) -> dict[str, Any]:
    """One to three changes: a field dropped, retyped, given a hostile string, or an extra field."""
    doc = _deep_copy(doc)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(doc) or [("x",)])
        node = doc
        for part in path[:-1]:
            node = node[part] if isinstance(node.get(part), dict) else node.setdefault(part, {})
        kind = rng.random()
        if kind < 0.25:
            node.pop(path[-1], None)
        elif kind < 0.65:
            node[path[-1]] = rng.choice(HOSTILE_VALUES)
        elif kind < 0.85 and isinstance(node.get(path[-1]), list):
            node[path[-1]] = [*node[path[-1]], rng.choice(HOSTILE_VALUES)]
        else:
            node[rng.choice(["extra", "allow", "\u0000", "region"])] = rng.choice(HOSTILE_VALUES)
    return doc


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def case_read_input(rng: random.Random) -> dict[str, Any]:
    doc = typed_request(rng)
    read = {
        "requester": doc["requester"],
        "categories": rng.sample(["identity", *CATEGORIES], rng.randint(1, 6)),
        "case": doc["case"],
    }
    return read


def notice_read_input(rng: random.Random) -> dict[str, Any]:
    doc = typed_request(rng)
    municipality = rng.choice(MUNICIPALITIES)
    read = {
        "requester": doc["requester"] if rng.random() < 0.4 else doc["responder"],
        "categories": rng.sample(["risk_notices", "risk_notices", "housing", "yacht"], rng.randint(1, 2)),
        "notice": {
            "kind": rng.choice(["18b", "bij", "pga"]),
            "municipality": municipality,
            "region": DATA["reference"]["municipality_regions"][municipality],
            "mandated": rng.choice([True, False, True, False, "yes"]),
        },
        "case": doc["case"],
    }
    return read


def origin_read_input(rng: random.Random) -> dict[str, Any]:
    doc = typed_request(rng)
    requester = doc["responder"] if rng.random() < 0.7 else doc["requester"]
    case = {**doc["case"], "origin": rng.choice([*ORIGIN_STATUSES, "determined", "disputed"])}
    if rng.random() < 0.6 and isinstance(requester, dict):  # the requester's own municipality and region
        case["municipality"] = requester.get("municipality", case["municipality"])
        case["region"] = requester.get("region", case["region"])
    read = {
        "requester": requester,
        "categories": rng.sample(["detention", "detention", "housing", "yacht"], rng.randint(1, 2)),
        "case": case,
    }
    return read


def answer_input(rng: random.Random) -> dict[str, Any]:
    categories = rng.sample([*CATEGORIES, "shoe_size"], rng.randint(1, 5))
    doc: dict[str, Any] = {
        "activity": rng.choice([*ACTIVITIES, "marketing"]),
        "allowed": rng.sample(CATEGORIES, rng.randint(0, 6)),
        "answer": {c: rng.sample([*FIELDS, "bsn", "notes"], rng.randint(0, 4)) for c in categories},
    }
    return doc


def api_input(rng: random.Random, operations: list[str]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "role": rng.choice([*ROLES, "mayor"]),
        "operation": rng.choice([*operations, "case.delete"]),
    }
    return doc


def mixed(rng: random.Random, doc: dict[str, Any], share: float = 0.35) -> tuple[dict[str, Any], bool]:
    """The well-typed `doc` as it is, or (with probability `share`) a hostile variant; and whether it is hostile."""
    return (hostile(rng, doc), True) if rng.random() < share else (doc, False)


# -- the test ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twin(embedded_pdp, opa_pdp) -> TwinPDP:
    return TwinPDP(embedded_pdp, opa_pdp)


def _decided(call: tuple[str, Any, Any, Any]) -> bool:
    """Both engines returned a decision document (neither failed, so `_same` did not compare two failures)."""
    _rule, _doc, first, second = call
    return not isinstance(first, PolicyUnavailable) and not isinstance(second, PolicyUnavailable)


def _check_reached(twin: TwinPDP, before: int, doc: dict[str, Any], is_hostile: bool) -> None:
    """A well-typed input reached both engines once and both decided; one with a control character reached
    neither."""
    if not is_hostile:
        assert len(twin.calls) == before + 1 and _decided(twin.calls[-1]), f"seed {SEED}: {doc!r}"
    elif control_character_fields(doc):
        assert len(twin.calls) == before, f"seed {SEED}: an input with a control character reached the engines"


def _direct(rule: Rule, doc: dict[str, Any], embedded: PolicyDecisionPoint, opa: PolicyDecisionPoint) -> tuple:
    """`doc` sent to both engines directly, past the enforcement point."""
    return (rule, doc, _value(embedded, rule, doc), _value(opa, rule, doc))


def _differences(calls: list[tuple[str, Any, Any, Any]]) -> list[str]:
    return [f"{rule} {doc!r}\n  embedded: {a!r}\n  opa:      {b!r}" for rule, doc, a, b in calls if not _same(a, b)]


def test_at_least_2000_inputs_per_run():
    assert sum(COUNTS.values()) >= 2000


def test_request_decisions_agree(twin, embedded_pdp, opa_pdp):
    """Well-typed request inputs all reach both engines, with identical decision documents; hostile ones are
    refused by the enforcement point or get identical documents."""
    rng = random.Random(SEED)
    twin.calls.clear()
    for _ in range(COUNTS["request_typed"]):
        decide_request(twin, typed_request(rng))
    assert len(twin.calls) == COUNTS["request_typed"] and all(map(_decided, twin.calls))
    assert _differences(twin.calls) == [], f"seed {SEED}"
    reasons = {r for *_, a, _b in twin.calls for r in [(a.get("refusal") or {}).get("reason")]}
    assert {None, "case_closed", "wrong_region", "exchange_not_activity"} <= reasons

    twin.calls.clear()
    refused_before, direct = 0, []
    for _ in range(COUNTS["request_hostile"]):
        doc = hostile(rng, typed_request(rng))
        before = len(twin.calls)
        decision = decide_request(twin, doc)
        if len(twin.calls) == before:
            refused_before += 1
            assert decision.refusal is not None and decision.refusal.reason == "invalid_input"
        elif control_character_fields(doc):
            pytest.fail(f"an input with a control character reached the engines: {doc!r}")
        if not control_character_fields(doc):  # the policy does not trust the enforcement point's shape check
            direct.append(_direct("request", doc, embedded_pdp, opa_pdp))
    assert _differences(twin.calls) == [], f"seed {SEED}"
    assert _differences(direct) == [], f"seed {SEED}"
    assert refused_before > 50 and len(twin.calls) > 20  # both branches are exercised


def test_case_read_decisions_agree(twin):
    rng = random.Random(SEED + 1)
    twin.calls.clear()
    for _ in range(COUNTS["case_read"]):
        doc, is_hostile = mixed(rng, case_read_input(rng))
        before = len(twin.calls)
        decide_case_read(twin, doc)
        _check_reached(twin, before, doc, is_hostile)
    assert _differences(twin.calls) == [], f"seed {SEED}"
    assert len(twin.calls) > COUNTS["case_read"] // 2


# The read rules with a generator of their own: (rule, its generator, its enforcement-point call, seed offset).
READS = [
    ("notice_read", notice_read_input, decide_notice_read, 5),  # reading DJI's risk notices
    ("origin_read", origin_read_input, decide_origin_read, 6),  # a determination shown to its municipality
]


@pytest.mark.parametrize(("rule", "generate", "decide", "offset"), READS, ids=[r[0] for r in READS])
def test_read_decisions_agree(twin, rule, generate, decide, offset):
    """Both engines give the same documents for the rule, and some reads are allowed, not only refusals."""
    rng = random.Random(SEED + offset)
    twin.calls.clear()
    for _ in range(COUNTS[rule]):
        doc, is_hostile = mixed(rng, generate(rng))
        before = len(twin.calls)
        decide(twin, doc)
        _check_reached(twin, before, doc, is_hostile)
    assert _differences(twin.calls) == [], f"seed {SEED}"
    assert len(twin.calls) > COUNTS[rule] // 2
    allowed = [a for _rule, _doc, a, _b in twin.calls if isinstance(a, dict) and a.get("allow")]
    assert allowed


def test_answer_filters_agree(twin, embedded_pdp, opa_pdp):
    """Through the enforcement point (filter_answer after a request decision) and, for the policy's own input
    checks, directly on both engines."""
    rng = random.Random(SEED + 2)
    twin.calls.clear()
    for _ in range(COUNTS["answer"] // 2):
        decision = decide_request(twin, typed_request(rng))
        answer = {c: {f: "x" for f in rng.sample(FIELDS, 3)} for c in rng.sample(CATEGORIES, 3)}
        filter_answer(twin, decision, answer)
    assert _differences(twin.calls) == [], f"seed {SEED}"
    filters = [call for call in twin.calls if call[0] == "answer"]
    assert len(filters) == COUNTS["answer"] // 2 and all(map(_decided, filters))
    direct, typed = [], 0
    for _ in range(COUNTS["answer"] - COUNTS["answer"] // 2):
        doc, is_hostile = mixed(rng, answer_input(rng))
        if not control_character_fields(doc):
            direct.append(("answer", doc, _value(embedded_pdp, "answer", doc), _value(opa_pdp, "answer", doc)))
            typed += not is_hostile
            assert is_hostile or _decided(direct[-1]), f"seed {SEED}: {doc!r}"
    assert _differences(direct) == [], f"seed {SEED}"
    assert typed > len(direct) // 2


def test_releases_agree(twin, embedded_pdp, opa_pdp):
    """The one evaluation at answer time (request decision + filter), well-typed and hostile."""
    rng = random.Random(SEED + 4)
    twin.calls.clear()
    direct = []
    for _ in range(COUNTS["release"]):
        doc, is_hostile = mixed(rng, typed_request(rng), 0.3)
        answer = {c: {f: "x" for f in rng.sample(FIELDS, 3)} for c in rng.sample([*CATEGORIES, "shoe_size"], 3)}
        before = len(twin.calls)
        decide_and_filter(twin, doc, answer)
        _check_reached(twin, before, doc, is_hostile)
        if is_hostile and not control_character_fields(doc):  # the policy's own checks, without the PEP's
            names = {c: sorted(fields) for c, fields in answer.items()}
            direct.append(_direct("release", {**doc, "answer": names}, embedded_pdp, opa_pdp))
    assert _differences(twin.calls) == [], f"seed {SEED}"
    assert _differences(direct) == [], f"seed {SEED}"
    assert len(twin.calls) > COUNTS["release"] // 2


def test_api_decisions_agree(twin, embedded_pdp, opa_pdp):
    rng = random.Random(SEED + 3)
    operations = sorted(opa_pdp.raw("api", {}) and _operations(opa_pdp))
    twin.calls.clear()
    direct = []
    for _ in range(COUNTS["api"]):
        doc, is_hostile = mixed(rng, api_input(rng, operations))
        role, operation = doc.get("role"), doc.get("operation")
        if isinstance(role, str) and isinstance(operation, str):
            check_operation(twin, role, operation)
        if not control_character_fields(doc):
            direct.append(("api", doc, _value(embedded_pdp, "api", doc), _value(opa_pdp, "api", doc)))
            assert is_hostile or _decided(direct[-1]), f"seed {SEED}: {doc!r}"
    assert twin.calls and all(map(_decided, twin.calls))  # the table of every pair, built through both engines
    assert _differences(twin.calls) == [] and _differences(direct) == [], f"seed {SEED}"
    assert len(direct) > COUNTS["api"] // 2


def _operations(opa_pdp) -> list[str]:
    return list(opa_pdp._oracle.engine.eval_document("dt.api.operations"))
