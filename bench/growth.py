"""Cost as the work grows (issue 15, item 4): the exchange benchmark on an empty hub database against one
pre-filled with 100,000 cases and 1,000,000 log records.

    .venv/bin/python bench/growth.py                       # SQLite; PostgreSQL too when HUB_TEST_DATABASE_URL is set
    .venv/bin/python bench/growth.py --postgres postgresql://postgres@127.0.0.1:5432/test --no-sqlite
    .venv/bin/python bench/growth.py --cases 2000 --records 20000 --exchanges 5 --concurrency 1   # a short run

Both runs use bench/exchange.py's own measurement (`count` and `measure`, the hub only): the counts per
exchange (SQL statements, transactions, round trips, policy evaluations, log lines) and, per concurrency
level, the throughput and the hub's CPU per exchange. The filled database is made once per backend: migrated,
then bulk-filled (bench/prefill.py) with case rows spread over two regions and a valid log chain whose records
belong to those cases, sealed by a signed checkpoint as the hub's sealer would have done, so the hub appends
to a 1,000,000-record chain. Printed: filled / empty for every figure, with the load average. A figure that
grows with the database shows as a ratio well above 1 (the noise on a shared machine is some tens of percent:
compare the counts, which are exact, first). On PostgreSQL the run also prints the rows read by sequential
scans during the filled run's exchanges (pg_stat_user_tables), per table: a statement that scans a big table
shows there.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.exchange import COUNTED, count, measure  # noqa: E402
from bench.prefill import REGION, fill_cases, fill_log  # noqa: E402
from bench.servers import fresh_database, prepare  # noqa: E402
from hub.audit import mac  # noqa: E402
from hub.audit.checkpoints import seal_once  # noqa: E402
from hub.audit.signing import load_signer  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.db import make_engine  # noqa: E402
from hub.logging import configure_logging  # noqa: E402

OTHER_REGION = "midden-nederland"


def fill(url: str, cases: int, records: int) -> float:
    """Bulk-fill a migrated hub database and seal it with the hub's dev keys; the seconds it took."""
    began = time.perf_counter()
    settings = Settings(env="dev", database_url=url)
    engine = make_engine(url)
    fill_cases(engine, cases, prefix="fill-", regions=(REGION, OTHER_REGION))
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=365)
    step = dt.timedelta(days=364) / max(records, 1)
    fill_log(
        engine,
        records,
        mac.configure_from(settings),
        lambda seq: {"event_time": start + step * seq, "case_id": f"fill-{seq % cases}"},
    )
    seal_once(engine, load_signer(settings), settings.model_copy(update={"checkpoint_every_records": 1}))
    engine.dispose()
    return time.perf_counter() - began


def seq_scans(url: str) -> dict[str, tuple[int, int]]:
    """PostgreSQL: {table: (sequential scans, rows they read)} since the statistics were last reset."""
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT relname, seq_scan, seq_tup_read FROM pg_stat_user_tables"))
        found = {name: (int(scans or 0), int(read or 0)) for name, scans, read in rows}
    engine.dispose()
    return found


def reset_stats(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_stat_reset()"))
    engine.dispose()


def run(label: str, db: str | None, tmp: Path, args: argparse.Namespace) -> None:
    print(f"\n== {label}: empty ==")
    empty_counts = count("hub", db, tmp)[0]
    _print_counts(empty_counts)
    empty = {} if args.counts else measure("hub", db, tmp, args)
    with fresh_database(db, tmp, "growth") as url:
        prepare("hub", url)
        seconds = fill(url, args.cases, args.records)
        print(
            f"\n== {label}: filled with {args.cases:,} cases and {args.records:,} log records "
            f"(filled and sealed in {seconds:.0f} s; load {os.getloadavg()[0]:.2f}) =="
        )

        @contextlib.contextmanager
        def filled(*_: object) -> Iterator[str]:
            yield url

        filled_counts = count("hub", db, tmp, database=filled)[0]
        _print_counts(filled_counts)
        if db is not None:
            reset_stats(url)
        full = {} if args.counts else measure("hub", db, tmp, args, database=filled)
        scans = seq_scans(url) if db is not None else {}
    print(f"\n== {label}: filled / empty ==")
    ratios = ", ".join(
        f"{k} {filled_counts[k] / empty_counts[k]:.2f}" for k in COUNTED if empty_counts[k] and k in filled_counts
    )
    print(f"  counts per exchange: {ratios}")
    for c in sorted(set(empty) & set(full)):
        a, b = empty[c], full[c]
        print(
            f"  c={c:<3} throughput {b['xps']:.1f} / {a['xps']:.1f} exchanges/s = {b['xps'] / a['xps']:.2f}; "
            f"server CPU per exchange {b['cpu_ms']:.1f} / {a['cpu_ms']:.1f} ms = {b['cpu_ms'] / a['cpu_ms']:.2f}; "
            f"exchange p50 {b['total'][0]:.1f} / {a['total'][0]:.1f} ms; "
            f"load {a['load'][0]:.2f}->{a['load'][1]:.2f} (empty), {b['load'][0]:.2f}->{b['load'][1]:.2f} (filled)"
        )
    if scans:
        read = ", ".join(f"{name} {n} scans/{rows} rows" for name, (n, rows) in sorted(scans.items()) if n)
        print(f"  sequential scans during the filled run's measured exchanges: {read or 'none'}")


def _print_counts(totals: dict[str, float]) -> None:
    print(
        "  hub counts per exchange: "
        + ", ".join(f"{k.replace('_', ' ')} {totals[k]:g}" for k in COUNTED)
        + f"; load {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("HUB_TEST_DATABASE_URL"), help="PostgreSQL server URL")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--cases", type=int, default=100_000, help="case rows in the filled database")
    parser.add_argument("--records", type=int, default=1_000_000, help="log records in the filled database")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated levels (default 1,8)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per level (default 8)")
    parser.add_argument("--exchanges", type=int, help="a fixed number of exchanges per level instead")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2)")
    parser.add_argument("--counts", action="store_true", help="only the counts per exchange (no rates)")
    args = parser.parse_args()
    args.levels = [int(c) for c in args.concurrency.split(",")]
    args.wrap, args.hub_log_level = None, "INFO"
    random.seed(15)
    configure_logging("WARNING", json=False)
    databases = ([] if args.no_sqlite else [("SQLite", None)]) + (
        [("PostgreSQL", args.postgres)] if args.postgres else []
    )
    print(
        f"bench/growth.py: {args.cases:,} cases and {args.records:,} log records against an empty database; "
        f"levels {args.levels}, {f'{args.exchanges} exchanges' if args.exchanges else f'{args.duration:g} s'} "
        f"per level, load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="hub-growth-") as tmp:
        for label, db in databases:
            run(label, db, Path(tmp), args)


if __name__ == "__main__":
    main()
