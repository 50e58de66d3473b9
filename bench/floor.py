"""The fixed cost of one call: server CPU per call of a call that does no work of its own, hub and baseline.

The hub's floor is `GET /v1/me` with a token: the token check (signature, and the token's revocation row read in
the request's transaction), the middleware, the application log's request context, the dependency graph and the
response; the work every exchange call pays before and after its own. The baseline's is `GET /health/ready` (a
route without a database). Four times the hub's floor is the part of an exchange's CPU that comes before any
exchange work; the baseline pays its own floor four times too. Same servers as bench/exchange.py (one worker
here, so one process's CPU is read), concurrency 1.

    .venv/bin/python bench/floor.py                                   # SQLite
    .venv/bin/python bench/floor.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.exchange import ZVH, Tokens  # noqa: E402
from bench.servers import fresh_database, group_cpu_seconds, prepare, running  # noqa: E402

PATHS = {"hub": "/v1/me", "baseline": "/health/ready"}


async def calls(base: str, tokens: Tokens, path: str, n: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for _ in range(n):
            response = await http.get(path, headers=await tokens.headers(ZVH))
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")


def floor(kind: str, db: str | None, tmp: Path, n: int) -> tuple[float, float]:
    """Server CPU ms per call and the load average during the calls."""
    with fresh_database(db, tmp, f"{kind}-floor") as url:
        prepare(kind, url)
        with running(kind, url, tmp / f"{kind}-floor.log", workers=1) as (base, pgid):
            tokens = Tokens(base, enabled=(kind == "hub"))
            asyncio.run(calls(base, tokens, PATHS[kind], 50))  # warm-up
            before, load = group_cpu_seconds(pgid), os.getloadavg()[0]
            began = time.perf_counter()
            asyncio.run(calls(base, tokens, PATHS[kind], n))
            cpu = group_cpu_seconds(pgid) - before
            wall = (time.perf_counter() - began) / n * 1000
            print(
                f"  {kind:8} {PATHS[kind]:14} n={n}  server CPU {cpu / n * 1000:5.2f} ms/call  "
                f"wall {wall:5.2f} ms/call  load {load:.2f}->{os.getloadavg()[0]:.2f}"
            )
            return cpu / n * 1000, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is created and dropped)")
    parser.add_argument("--calls", type=int, default=1000, help="calls per server (default 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hub-floor-") as tmp:
        print(f"== {'PostgreSQL' if args.postgres else 'SQLite'} (load average {os.getloadavg()[0]:.2f} at start)")
        hub, _ = floor("hub", args.postgres, Path(tmp), args.calls)
        baseline, _ = floor("baseline", args.postgres, Path(tmp), args.calls)
        print(f"  hub floor x 4 calls = {hub * 4:.1f} ms per exchange; baseline floor x 4 = {baseline * 4:.1f} ms")


if __name__ == "__main__":
    main()
