"""What regopy (rego-cpp) charges for the pieces of a decision: the cost model behind docs/POLICIES.md.

Prints, as CPU time per query (best of several interleaved rounds, so other work on the machine inflates the
figures less), each with its ratio to the engine's floor measured in the same run:

1. the floor: input conversion plus the query of a one-rule policy (`x := 1`), as bench/policy.py measures
   it, and the two apart;

The rest is measured with the input set once per interpreter, so it is evaluation only, and is given as the
extra over querying `x := 1` in the same bundle:

2. object key look-ups: a key at the first and at the 20th position of a 20-key input object, ten times
   each (rego-cpp finds a key by scanning the members and turning each key into a string);
3. building a collection of the 10 requested categories: as a set, as a set with a type check, as an array,
   as an object;
4. ten calls of a rule whose value is cached, against ten comparisons of a local variable;
5. the request policy (`dt.request`) taken apart: each rule queried as its own entry point on the 10-category
   request of bench/policy.py, so a rule's figure includes the rules it uses;
6. how many IR statements the virtual machine executes for one decision (from the engine's trace log, in a
   subprocess), for 10 categories and for 1.

    .venv/bin/python bench/rego_costs.py [--rounds 7] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from regopy import Input, Interpreter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.policy import POLICIES, REQUEST  # noqa: E402
from hub.policy.bundle import read_source  # noqa: E402

KEYS = [f"k{i:02d}" for i in range(20)]
MICRO = "\n".join(
    [
        "package micro",
        "",
        "import rego.v1",
        "",
        "floor := 1",
        "",
        "first_key if {",
        *["\tinput.keys.k00 == 1"] * 10,
        "}",
        "",
        "last_key if {",
        *["\tinput.keys.k19 == 1"] * 10,
        "}",
        "",
        "bound_once if {",
        "\tv := input.keys.k19",
        *["\tv == 1"] * 10,
        "}",
        "",
        "set_of_categories := {c | some c in input.categories}",
        "",
        "set_of_strings := {c | some c in input.categories; is_string(c)}",
        "",
        "array_of_categories := [c | some c in input.categories]",
        "",
        "object_of_categories := {c: true | some c in input.categories}",
        "",
        "cached := input.activity",
        "",
        "cached_rule_calls if {",
        *['\tcached == "reintegration"'] * 10,
        "}",
        "",
        "local_compares if {",
        "\tv := input.activity",
        *['\tv == "reintegration"'] * 10,
        "}",
        "",
    ]
)
MICRO_RULES = [
    "first_key",
    "last_key",
    "bound_once",
    "set_of_categories",
    "set_of_strings",
    "array_of_categories",
    "object_of_categories",
    "cached_rule_calls",
    "local_compares",
]
REQUEST_RULES = [
    "input_complete",
    "refusal_reason",
    "shared",
    "categories",
    "activity_categories",
    "requested_in_activity",
    "category_reasons",
    "allowed",
    "denied",
    "activity_ref",
    "invalid_fields",
    "decision",
]


def best_cpu_us(calls: dict[str, Callable[[], object]], rounds: int, queries: int) -> dict[str, float]:
    """CPU microseconds per call, the best of `rounds` rounds; the calls are interleaved within each round."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            t0 = time.process_time()
            for _ in range(queries):
                call()
            best[name] = min(best[name], (time.process_time() - t0) / queries * 1e6)
    return best


def querier(
    modules: list[tuple[str, str]], data: dict, entrypoints: list[str], document: dict, convert_input: bool = False
) -> Callable[[str], Callable[[], object]]:
    """Query functions for the entry points of one bundle; the input is converted once, or per query."""
    builder = Interpreter()
    for name, text in modules:
        builder.add_module(name, text)
    builder.add_data(data)
    bundle = builder.build(None, entrypoints)
    assert bundle.ok(), str(bundle.node())[:300]
    interpreter = Interpreter()
    interpreter.set_input(Input(document))

    def make(entrypoint: str) -> Callable[[], object]:
        def query() -> object:
            if convert_input:
                interpreter.set_input(Input(document))
            output = interpreter.query_bundle_entrypoint(bundle, entrypoint)
            assert output.ok() and len(output) == 1, f"{entrypoint}: {str(output)[:200]}"
            return output

        query()
        return query

    return make


def statements_executed(categories: list[str]) -> int:
    """IR statements the VM runs for one request decision, counted from its trace log (in a subprocess:
    the trace is written by the C++ engine straight to the process's output)."""
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from regopy import Input, Interpreter\n"
        "from regopy.rego_shared import LogLevel\n"
        "from hub.policy.bundle import read_source, compile_bundle\n"
        f"bundle = compile_bundle(read_source(Path({str(POLICIES)!r})))\n"
        "it = Interpreter()\n"
        "it.set_input(Input(json.loads(sys.argv[1])))\n"
        "it.log_level = LogLevel.TRACE\n"
        "it.query_bundle_entrypoint(bundle, 'dt/request/decision')\n"
    )
    document = json.dumps({**REQUEST, "categories": categories})
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code, document],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
        check=True,
    )
    return len(re.findall(r"^\s+\d+  [A-Za-z]+Stmt\(", done.stdout + done.stderr, re.MULTILINE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"regopy cost model; {os.cpu_count()} CPUs, load average {load:.2f}; CPU per query, best of {args.rounds}")

    with_conversion = querier([("micro.rego", MICRO)], {}, ["micro/floor"], REQUEST, convert_input=True)
    interpreter = Interpreter()
    base = best_cpu_us(
        {"floor": with_conversion("micro/floor"), "input": lambda: interpreter.set_input(Input(REQUEST))},
        args.rounds,
        args.queries,
    )
    floor = base["floor"]
    print(f"  {'floor: input conversion + query of x := 1':<52} {floor:8.1f} us")
    print(f"  {'  of which input conversion (Input + set_input)':<52} {base['input']:8.1f} us")

    micro_input = {**REQUEST, "keys": dict.fromkeys(KEYS, 1)}
    make = querier([("micro.rego", MICRO)], {}, [f"micro/{r}" for r in ["floor", *MICRO_RULES]], micro_input)
    micro = best_cpu_us({r: make(f"micro/{r}") for r in ["floor", *MICRO_RULES]}, args.rounds, args.queries)
    print(f"  {'query of x := 1, input already set':<52} {micro['floor']:8.1f} us")
    for rule in MICRO_RULES:
        print(f"  {rule:<52} {micro[rule] - micro['floor']:+8.1f} us")

    source = read_source(POLICIES)
    modules = [m for m in source.modules if m[0].endswith("request.rego")] + [("floor.rego", "package f\nx := 1\n")]
    make = querier(modules, source.data, ["f/x", *(f"dt/request/{r}" for r in REQUEST_RULES)], REQUEST)
    calls = {"(query overhead in this bundle)": make("f/x")} | {r: make(f"dt/request/{r}") for r in REQUEST_RULES}
    parts = best_cpu_us(calls, args.rounds, args.queries // 3)
    overhead = parts.pop("(query overhead in this bundle)")
    print("dt.request on the 10-category request, each rule as its own entry point (a rule's figure includes the")
    print(f"rules it uses), input already set; querying x := 1 in this bundle costs {overhead:.1f} us:")
    for name, cost in parts.items():
        print(f"  {name:<52} {cost - overhead:+8.1f} us  {(cost - overhead) / floor:5.1f}x floor")
    ten, one = statements_executed(REQUEST["categories"]), statements_executed(["housing"])
    print(
        f"IR statements executed per decision: {ten} for 10 categories, {one} for 1 "
        f"({(ten - one) / 9:.0f} per extra category)"
    )


if __name__ == "__main__":
    main()
