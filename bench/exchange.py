"""End-to-end benchmark of the exchange over real HTTP, against a bare FastAPI baseline measured in the same run.

One exchange is four calls: (1) DJI notifies "detention started" (a case opens), (2) the coordinator asks the
municipality for three categories, (3) the municipality answers, (4) the coordinator reads the answer.
The hub runs as in production (`hub serve --workers 2`, HUB_ENV=dev keys) on a fresh, migrated database;
the baseline (bench/baseline_app.py) does the same calls and inserts with no authentication, policy,
encryption, idempotency or log, under uvicorn with the same number of workers on the same kind of database.
Partners fetch a token once (private_key_jwt) and reuse it while it is valid, as a real partner would.

    .venv/bin/python bench/exchange.py                        # SQLite; PostgreSQL too when HUB_TEST_DATABASE_URL is set
    .venv/bin/python bench/exchange.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/exchange.py --quick                # 4 s per level
    .venv/bin/python bench/exchange.py --exchanges 200        # a fixed count per level instead of a duration

The machine is shared, so absolute figures are noisy: the ratio hub/baseline from the same run is the figure
that counts. The load average is printed with every level.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import fresh_database, group_cpu_seconds, prepare, running  # noqa: E402
from partners.client import DEV_KEYS, HubClient  # noqa: E402

DJI, ZVH, SOCIAL = "dji-pi-nieuwegein", "zvh-gooi-en-vechtstreek", "gm0402-social"
ACTORS = {DJI: "casemanager-bench", ZVH: "procesregisseur-bench", SOCIAL: "consulent-bench"}
CALLS = ("1 notify", "2 request", "3 answer", "4 read")
CATEGORIES = ["housing", "income", "debts"]
ANSWER = {
    "housing": {"situation": "with_family_or_friends", "at_risk_of_loss": True},
    "income": {"source": "none", "suspended_during_detention": True, "application_needed": True},
    "debts": {"has_debts": True, "estimated_total_eur": 8500, "in_debt_assistance": False},
}
TARGET_RATIO, TARGET_P99_MS = 0.5, 50.0
TARGET_EVALUATIONS = 4  # policy evaluations per exchange (issue 11)


def bsn(rng: random.Random) -> str:
    """A random BSN that passes the eleven-test (sum of 9..2 weights minus the last digit, mod 11)."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(check)


class Tokens:
    """One token per partner, fetched with private_key_jwt and renewed shortly before it expires."""

    def __init__(self, base: str, enabled: bool) -> None:
        self.enabled = enabled
        self.clients = (
            {c: HubClient(c, DEV_KEYS / f"{c}.key.pem", base_url=base, actor=ACTORS[c]) for c in ACTORS}
            if enabled
            else {}
        )
        for client in self.clients.values():
            client.fetch_token()  # once per partner, before the clock starts

    async def headers(self, client_id: str) -> dict[str, str]:
        if not self.enabled:
            return {}
        client = self.clients[client_id]
        if client._token is None or time.time() >= client._token_expires_at - client.refresh_margin_seconds:
            await asyncio.to_thread(client.access_token)  # the rare renewal, off the event loop
        return client.headers()


@dataclass
class Level:
    concurrency: int
    wall: float = 0.0
    exchanges: int = 0
    errors: list[str] = field(default_factory=list)
    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    totals: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)
    cpu: float = 0.0  # CPU seconds of the server's processes during the level


async def _call(
    http: httpx.AsyncClient,
    tokens: Tokens,
    level: Level,
    name: str,
    actor: str,
    method: str,
    path: str,
    expect: int,
    body: dict | None,
    key: str | None,
) -> dict:
    headers = await tokens.headers(actor)
    if key and tokens.enabled:
        headers["Idempotency-Key"] = key
    began = time.perf_counter()
    response = await http.request(method, path, json=body, headers=headers)
    level.calls[name].append((time.perf_counter() - began) * 1000)
    if response.status_code != expect:
        raise RuntimeError(f"{name}: HTTP {response.status_code} {response.text[:300]}")
    return response.json()


async def exchange(http: httpx.AsyncClient, tokens: Tokens, level: Level, rng: random.Random, n: str) -> None:
    """The four calls of one exchange; the time of each and of the whole."""
    began = time.perf_counter()
    started = date.today() - timedelta(days=10)
    notice = {
        "notification_id": f"BENCH-{n}",
        "prison": "PI Nieuwegein",
        "started_on": started.isoformat(),
        "subject": {"bsn": bsn(rng), "name": "B. Enchmark", "birth_date": "1990-04-12"},
        "expected_release_on": (started + timedelta(days=90)).isoformat(),
        "municipality": "GM0402",
        "information_sheet": {
            "conditions": {"housing": {"status": "not_in_order", "help_question": "Zoekt woonruimte"}}
        },
    }
    case = await _call(
        http, tokens, level, CALLS[0], DJI, "POST", "/v1/notifications/detention-started", 201, notice, None
    )
    asked = {"responder": SOCIAL, "activity": "reintegration", "categories": CATEGORIES}
    request = await _call(
        http,
        tokens,
        level,
        CALLS[1],
        ZVH,
        "POST",
        f"/v1/cases/{case['case_id']}/requests",
        201,
        asked,
        f"BENCH-{n}-req",
    )
    allowed = [c["category"] for c in request.get("categories", []) if c.get("outcome") == "allowed"]
    if tokens.enabled and allowed != CATEGORIES:
        raise RuntimeError(f"request not allowed as expected: {request}")
    await _call(
        http,
        tokens,
        level,
        CALLS[2],
        SOCIAL,
        "POST",
        f"/v1/inbox/{request['id']}/answer",
        201,
        {"values": ANSWER},
        f"BENCH-{n}-ans",
    )
    read = await _call(
        http, tokens, level, CALLS[3], ZVH, "GET", f"/v1/requests/{request['id']}/answer", 200, None, None
    )
    if read.get("values", {}).get("debts") != ANSWER["debts"]:  # the baseline answers in the hub's shape
        raise RuntimeError("the answer read back differs from the one sent")
    level.totals.append((time.perf_counter() - began) * 1000)
    level.exchanges += 1


async def run_level(
    base: str, tokens: Tokens, concurrency: int, duration: float, count: int | None, prefix: str, pgid: int
) -> Level:
    """`concurrency` partners-in-a-loop for `duration` seconds (or until `count` exchanges are done)."""
    level = Level(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    remaining = [count if count is not None else 10**9]
    load_before, cpu_before = os.getloadavg()[0], group_cpu_seconds(pgid)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as http:
        deadline = time.perf_counter() + (duration if count is None else 3600)

        async def worker(index: int) -> None:
            rng = random.Random(f"{prefix}-{index}")
            i = 0
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                i += 1
                try:
                    await exchange(http, tokens, level, rng, f"{prefix}-{concurrency}-{index}-{i}")
                except (RuntimeError, httpx.HTTPError) as error:
                    level.errors.append(str(error) or type(error).__name__)

        began = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        level.wall = time.perf_counter() - began
    level.load = (load_before, os.getloadavg()[0])
    level.cpu = group_cpu_seconds(pgid) - cpu_before
    return level


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def summarise(level: Level) -> dict:
    requests = sum(len(v) for v in level.calls.values())
    return {
        "c": level.concurrency,
        "xps": level.exchanges / level.wall,
        "rps": requests / level.wall,
        "n": level.exchanges,
        "errors": len(level.errors),
        "p": {name: (pct(v, 50), pct(v, 95), pct(v, 99)) for name, v in level.calls.items()},
        "total": (pct(level.totals, 50), pct(level.totals, 95), pct(level.totals, 99)),
        "load": level.load,
        "cpu_ms": 1000 * level.cpu / max(level.exchanges, 1),
    }


def print_level(kind: str, s: dict) -> None:
    p50, p95, p99 = s["total"]
    print(
        f"  {kind:8} c={s['c']:<3} {s['xps']:7.1f} exchanges/s {s['rps']:7.1f} req/s  n={s['n']:<5} "
        f"errors={s['errors']:<3} exchange p50/p95/p99 {p50:6.1f}/{p95:6.1f}/{p99:6.1f} ms  "
        f"server CPU {s['cpu_ms']:5.1f} ms/exchange  load {s['load'][0]:.2f}->{s['load'][1]:.2f}"
    )
    for name in CALLS:
        if name in s["p"]:
            a, b, c = s["p"][name]
            print(f"  {'':8}        {name:10} p50/p95/p99 {a:6.1f}/{b:6.1f}/{c:6.1f} ms")


def measure(kind: str, db: str | None, tmp: Path, args: argparse.Namespace) -> dict[int, dict]:
    """One server of `kind` on a fresh database: warm up, then every concurrency level."""
    results: dict[int, dict] = {}
    with fresh_database(db, tmp, kind) as url:
        prepare(kind, url)
        with running(
            kind,
            url,
            tmp / f"{kind}.log",
            workers=args.workers,
            wrap=args.wrap if kind == "hub" else None,
            extra_env={"HUB_LOG_LEVEL": args.hub_log_level},
        ) as (base, pgid):
            tokens = Tokens(base, enabled=(kind == "hub"))
            warm = asyncio.run(run_level(base, tokens, 4, 0, 8, f"warm-{kind}", pgid))
            if warm.errors:
                raise SystemExit(f"{kind}: warm-up failed: {warm.errors[0]}")
            for concurrency in args.levels:
                level = asyncio.run(
                    run_level(
                        base, tokens, concurrency, args.duration, args.exchanges, f"{kind}-{time.time_ns()}", pgid
                    )
                )
                results[concurrency] = summarise(level)
                print_level(kind, results[concurrency])
                for error in level.errors[:3]:
                    print(f"    error: {error}")
    return results


def count_evaluations(db: str | None, tmp: Path, exchanges: int = 3) -> None:
    """Policy evaluations per exchange: one hub worker at HUB_LOG_LEVEL=DEBUG, whose decision point logs
    `policy.evaluated` per evaluation; counted over `exchanges` exchanges after a warm-up one (start-up, the
    API-access table and readiness probes are not part of an exchange)."""
    log_path = tmp / "hub-evaluations.log"
    with fresh_database(db, tmp, "hub-evaluations") as url:
        prepare("hub", url)
        with running("hub", url, log_path, workers=1, extra_env={"HUB_LOG_LEVEL": "DEBUG"}) as (base, pgid):
            tokens = Tokens(base, enabled=True)
            warm = asyncio.run(run_level(base, tokens, 1, 0, 1, "evaluations-warm", pgid))
            if warm.errors:
                raise SystemExit(f"evaluation count: warm-up failed: {warm.errors[0]}")
            time.sleep(0.2)
            before = _evaluations(log_path)
            level = asyncio.run(run_level(base, tokens, 1, 0, exchanges, "evaluations", pgid))
            time.sleep(0.2)
            after = _evaluations(log_path)
    if level.errors or level.exchanges != exchanges:
        raise SystemExit(f"evaluation count: {level.errors[:1]}")
    per_rule = {rule: (after[rule] - before.get(rule, 0)) / exchanges for rule in after}
    total = sum(per_rule.values())
    detail = ", ".join(f"{rule} {n:g}" for rule, n in sorted(per_rule.items()) if n)
    verdict_text = "met" if total <= TARGET_EVALUATIONS else "NOT met"
    print(f"  policy evaluations per exchange: {total:g} ({detail}); target <= {TARGET_EVALUATIONS}: {verdict_text}")


def _evaluations(log_path: Path) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        if "policy.evaluated" in line:
            rule = _RULE.search(line)
            found[(rule.group(1) or rule.group(2)) if rule else "?"] += 1
    return found


_RULE = re.compile(r'"rule": "(\w+)"|rule=(?:\x1b\[[0-9;]*m)*(\w+)')


def verdict(label: str, hub: dict[int, dict], base: dict[int, dict]) -> None:
    print(f"\n== {label}: hub / baseline ==")
    for concurrency in sorted(hub):
        ratio = hub[concurrency]["xps"] / base[concurrency]["xps"] if base.get(concurrency) else float("nan")
        p99 = hub[concurrency]["total"][2]
        worst = max((v[2] for v in hub[concurrency]["p"].values()), default=float("nan"))
        cpu = base[concurrency]["cpu_ms"] / hub[concurrency]["cpu_ms"] if base.get(concurrency) else float("nan")
        line = (
            f"  c={concurrency:<3} throughput ratio {ratio:5.2f} (target >= {TARGET_RATIO:.2f}: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})   hub p99 per call (worst) {worst:6.1f} ms, "
            f"per exchange {p99:6.1f} ms"
        )
        if concurrency == 8:
            line += f" (target per call < {TARGET_P99_MS:.0f} ms: {'met' if worst < TARGET_P99_MS else 'NOT met'})"
        line += f"; server CPU per exchange baseline/hub {cpu:4.2f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HUB_TEST_DATABASE_URL"),
        help="PostgreSQL server URL (a scratch database per server is created and dropped); "
        "default $HUB_TEST_DATABASE_URL",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated levels (default 1,8,32)")
    parser.add_argument("--duration", type=float, default=12.0, help="seconds per level (default 12)")
    parser.add_argument("--exchanges", type=int, help="a fixed number of exchanges per level instead")
    parser.add_argument("--quick", action="store_true", help="4 s per level")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per server (default 2)")
    parser.add_argument("--only", choices=["hub", "baseline"], help="measure one server only (no ratio)")
    parser.add_argument("--hub-log-level", default="INFO", help="HUB_LOG_LEVEL of the hub (default INFO)")
    parser.add_argument("--evaluations", action="store_true", help="only count policy evaluations per exchange")
    parser.add_argument("--wrap", help="prefix for the hub's command, e.g. a profiler (space-separated)")
    args = parser.parse_args()
    args.levels = [int(c) for c in args.concurrency.split(",")]
    args.duration = 4.0 if args.quick else args.duration
    args.wrap = args.wrap.split() if args.wrap else None
    databases = ([] if args.no_sqlite else [("SQLite", None)]) + (
        [("PostgreSQL", args.postgres)] if args.postgres else []
    )
    print(
        f"bench/exchange.py: levels {args.levels}, "
        f"{f'{args.exchanges} exchanges' if args.exchanges else f'{args.duration:g} s'} per level, "
        f"{args.workers} workers, load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        if args.evaluations or not args.only or args.only == "hub":
            count_evaluations(databases[0][1] if databases else None, Path(tmp))
        if args.evaluations:
            return
        for label, db in databases:
            print(f"\n== {label} ==")
            kinds = [args.only] if args.only else ["baseline", "hub"]
            results = {kind: measure(kind, db, Path(tmp), args) for kind in kinds}
            if not args.only:
                verdict(label, results["hub"], results["baseline"])


if __name__ == "__main__":
    main()
