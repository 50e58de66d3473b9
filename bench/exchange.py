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
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import ROOT, fresh_database, group_cpu_seconds, prepare, running  # noqa: E402
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
# Where a run's database comes from: bench.servers.fresh_database, or bench/growth.py's pre-filled one.
Database = Callable[[str | None, Path, str], AbstractContextManager[str]]


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
    hook: Callable[[str], Awaitable[None]] | None = None  # called after each call (the counts per call)


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
    if level.hook is not None:
        await level.hook(name)
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
    base: str,
    tokens: Tokens,
    concurrency: int,
    duration: float,
    count: int | None,
    prefix: str,
    pgid: int,
    hook: Callable[[str], Awaitable[None]] | None = None,
) -> Level:
    """`concurrency` partners-in-a-loop for `duration` seconds (or until `count` exchanges are done)."""
    level = Level(concurrency, hook=hook)
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


def measure(
    kind: str, db: str | None, tmp: Path, args: argparse.Namespace, database: Database = fresh_database
) -> dict[int, dict]:
    """One server of `kind` on a fresh database (or the one `database` gives): warm up, then every level."""
    results: dict[int, dict] = {}
    with database(db, tmp, kind) as url:
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


COUNTED = ("statements", "savepoint_statements", "round_trips", "transactions", "evaluations", "log_lines")
TARGET_STATEMENTS = 30  # SQL statements per exchange (issue 15)


class Counts:
    """The noise-free counts of one server process (one worker), read from bench/counting/sitecustomize.py's
    counters (SIGUSR1 makes the process write them) and from the server's log file (hub: JSON lines; policy
    evaluations are its `policy.evaluated` debug lines, log lines are the lines at info and above)."""

    def __init__(self, pid: int, counts_file: Path, log_path: Path) -> None:
        self.pid, self.counts_file, self.log_path = pid, counts_file, log_path

    def snapshot(self) -> Counter[str]:
        time.sleep(0.05)  # let the worker finish the lines it logs after the response
        self.counts_file.unlink(missing_ok=True)
        os.kill(self.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while not self.counts_file.exists():
            if time.monotonic() > deadline:
                raise SystemExit("counting: the server did not write its counters")
            time.sleep(0.01)
        raw = json.loads(self.counts_file.read_text())
        found = Counter(raw)
        # Round trips: every statement, plus BEGIN (PostgreSQL: psycopg sends it on its own; SQLite: the hub's
        # BEGIN IMMEDIATE is not a cursor execute), COMMIT, ROLLBACK and the pool's pre-ping.
        found["round_trips"] = sum(
            raw.get(k, 0) for k in ("statements", "transactions", "commits", "rollbacks", "pings")
        )
        for line in self.log_path.read_text(errors="replace").splitlines():
            if "policy.evaluated" in line:
                found["evaluations"] += 1
            elif '"level": "debug"' not in line:
                found["log_lines"] += 1
        return found


def count(
    kind: str, db: str | None, tmp: Path, exchanges: int = 3, database: Database = fresh_database
) -> tuple[dict[str, float], dict]:
    """Counts per exchange for one server (one worker, HUB_LOG_LEVEL=DEBUG for the hub's evaluation lines),
    over `exchanges` exchanges after a warm-up one; and the counts per call of one more exchange."""
    log_path, counts_file = tmp / f"{kind}-counts.log", tmp / f"{kind}-counts.json"
    env = {
        "HUB_LOG_LEVEL": "DEBUG",
        "BENCH_COUNTS_FILE": str(counts_file),
        "PYTHONPATH": f"{ROOT / 'bench' / 'counting'}{os.pathsep}{ROOT}",
    }
    per_call: dict[str, Counter[str]] = {}
    with database(db, tmp, f"{kind}-counts") as url:
        prepare(kind, url)
        with running(kind, url, log_path, workers=1, extra_env=env) as (base, pid):
            tokens = Tokens(base, enabled=(kind == "hub"))
            counter = Counts(pid, counts_file, log_path)
            warm = asyncio.run(run_level(base, tokens, 1, 0, 1, f"{kind}-counts-warm", pid))
            if warm.errors:
                raise SystemExit(f"{kind} counts: warm-up failed: {warm.errors[0]}")
            before = counter.snapshot()
            level = asyncio.run(run_level(base, tokens, 1, 0, exchanges, f"{kind}-counts", pid))
            after = counter.snapshot()
            last = [after]

            async def hook(name: str) -> None:
                now = counter.snapshot()
                per_call[name] = now - last[0]
                last[0] = now

            one = asyncio.run(run_level(base, tokens, 1, 0, 1, f"{kind}-counts-calls", pid, hook))
    if level.errors or level.exchanges != exchanges or one.errors:
        raise SystemExit(f"{kind} counts: {(level.errors or one.errors)[:1]}")
    totals = {k: (after[k] - before[k]) / exchanges for k in COUNTED}
    return totals, per_call


def print_counts(label: str, counted: dict[str, tuple[dict[str, float], dict]]) -> None:
    print(f"  counts per exchange ({label}, one worker, 3 exchanges; load {os.getloadavg()[0]:.2f}):")
    for kind, (totals, per_call) in counted.items():
        calls = "; ".join(
            f"{name.split()[1]} " + "/".join(str(per_call[name][k]) for k in ("statements", "transactions"))
            for name in CALLS
            if name in per_call
        )
        print(
            f"  {kind:8} SQL statements {totals['statements']:g} (savepoint {totals['savepoint_statements']:g}), "
            f"round trips {totals['round_trips']:g}, transactions {totals['transactions']:g}, "
            f"policy evaluations {totals['evaluations']:g}, log lines {totals['log_lines']:g}   "
            f"per call statements/transactions: {calls}"
        )
    if "hub" in counted:
        hub = counted["hub"][0]
        if "baseline" in counted:
            base = counted["baseline"][0]
            ratios = ", ".join(
                f"{k} {hub[k] / base[k]:.1f}x" for k in ("statements", "round_trips", "transactions") if base[k]
            )
            print(f"  hub / baseline: {ratios}")
        print(
            f"  targets: SQL statements <= {TARGET_STATEMENTS}: "
            f"{'met' if hub['statements'] <= TARGET_STATEMENTS else 'NOT met'}; policy evaluations <= "
            f"{TARGET_EVALUATIONS}: {'met' if hub['evaluations'] <= TARGET_EVALUATIONS else 'NOT met'}"
        )


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
        times = 1 / cpu
        line += f"; server CPU per exchange baseline/hub {cpu:4.2f} (hub {times:4.2f}x"
        line += f", target <= 3x: {'met' if times <= 3 else 'NOT met'})"
        line += f"; load {hub[concurrency]['load'][0]:.2f}->{hub[concurrency]['load'][1]:.2f}"
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
    parser.add_argument("--counts", action="store_true", help="only the counts per exchange (no rates)")
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
        for label, db in databases:
            print(f"\n== {label} ==")
            kinds = [args.only] if args.only else ["baseline", "hub"]
            print_counts(label, {kind: count(kind, db, Path(tmp)) for kind in kinds})
            if args.counts:
                continue
            results = {kind: measure(kind, db, Path(tmp), args) for kind in kinds}
            if not args.only:
                verdict(label, results["hub"], results["baseline"])


if __name__ == "__main__":
    main()
