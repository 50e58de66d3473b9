"""Benchmark of the disclosure log: appends/s (1 and 4 writers), verify records/s, access-report latency.

    .venv/bin/python bench/audit.py                       # SQLite in a temporary directory
    .venv/bin/python bench/audit.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/audit.py --sizes 10000,100000  # fewer sizes
    .venv/bin/python bench/audit.py --annual              # the annual report, 100,000 vs 1,000,000 records

Synthetic records are bulk-loaded as a valid chain (hashes computed as the verifier does) so that the
verify figure is over a real chain; the demo person has the same 20 records at every size, so the access
report's latency should stay flat as the log grows (index on the subject pseudonym). With --annual, the
annual report for one year over a log that grows beyond that year (bench/annual.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.annual import annual_bench  # noqa: E402
from bench.prefill import OINS, REGION, fill_cases, fill_log  # noqa: E402
from hub.audit import mac  # noqa: E402
from hub.audit.access import access_report, category_namer, organisation_namer  # noqa: E402
from hub.audit.repository import chain_head  # noqa: E402
from hub.audit.service import record  # noqa: E402
from hub.audit.signing import load_signer  # noqa: E402
from hub.audit.trace import new_trace  # noqa: E402
from hub.audit.verify import verify_database  # noqa: E402
from hub.auth.principal import Caller, Partner  # noqa: E402
from hub.config import Settings, normalise_database_url  # noqa: E402
from hub.crypto.pseudonym import pseudonymise  # noqa: E402
from hub.db import make_engine  # noqa: E402
from hub.logging import configure_logging  # noqa: E402
from hub.migrations import upgrade  # noqa: E402

DEMO_BSN = "999993653"
# The officer sees only records of cases in its region (review H5).
PO = Caller(
    Partner("00000009990000019000", "FG", "privacy_officer", "fg-bench", REGION, None, None),
    "fg-1",
    frozenset(),
    "bench",
)
CASES = 5000


def _fresh_database(postgres: str | None, tmp: Path, name: str) -> str:
    if postgres is None:
        url = f"sqlite:///{tmp / (name + '.db')}"
    else:
        admin = make_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
        database = f"hub_bench_{name}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        url = make_url(normalise_database_url(postgres)).set(database=database).render_as_string(False)
    upgrade(url)
    return url


def _drop(postgres: str | None, url: str) -> None:
    if postgres is None:
        return
    admin = make_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _writer(url: str, subject: str, count: int, start) -> None:
    engine = make_engine(url)
    start.wait()
    for _ in range(count):
        with Session(engine) as session:
            record(
                session,
                event_type="data_released",
                subject_pseudonym=subject,
                case_id="case-1",
                to_oin=OINS[0],
                from_oin=OINS[1],
                categories_released=["housing"],
            )
            session.commit()
    engine.dispose()


def appends_per_second(url: str, subject: str, writers: int, total: int) -> float:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    processes = [context.Process(target=_writer, args=(url, subject, total // writers, start)) for _ in range(writers)]
    for process in processes:
        process.start()
    time.sleep(0.5)  # let every process open its engine before the clock starts
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    return (total // writers) * writers / (time.perf_counter() - began)


def bulk_load(engine, upto: int, demo: str, demo_until: int, mac_key: bytes) -> None:
    """Append synthetic records up to `upto` as one valid chain (bench/prefill.py).

    The demo person gets every (demo_until // 20)th record up to `demo_until`: 20 records at every size."""
    with Session(engine) as session:
        if chain_head(session)[0] == 0:
            fill_cases(engine, CASES)
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)

    def fields(seq: int) -> dict:
        shaped = {"event_time": moment + dt.timedelta(milliseconds=seq), "case_id": f"case-{seq % CASES}"}
        if seq <= demo_until and seq % (demo_until // 20) == 0:
            shaped["subject_pseudonym"] = demo
        return shaped

    fill_log(engine, upto, mac_key, fields)


def access_report_ms(engine, settings: Settings, repeats: int = 20) -> float:
    key = settings.pseudonym_key.get_secret_value()
    namer, categories = organisation_namer(None), category_namer(settings.policies_dir)
    timings = []
    for _ in range(repeats):
        with Session(engine) as session:
            began = time.perf_counter()
            report = access_report(
                session, PO, DEMO_BSN, pseudonym_key=key, trace=new_trace(), organisation=namer, category=categories
            )
            timings.append((time.perf_counter() - began) * 1000)
    assert report.aantal_verstrekkingen == 20, report.aantal_verstrekkingen  # noqa: S101
    return statistics.median(timings)


def append_ms(engine, count: int = 200) -> float:
    """Median time of one append (own transaction, commit included) on a chain of the current length.

    The appended records stay: the demo person is not their subject, so the access report is unchanged."""
    timings = []
    for _ in range(count):
        began = time.perf_counter()
        with Session(engine) as session:
            record(
                session,
                event_type="data_released",
                subject_pseudonym=f"{random.getrandbits(256):064x}",
                case_id="case-append",
                to_oin=OINS[0],
                from_oin=OINS[1],
                categories_released=["housing"],
            )
            session.commit()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is created and dropped)")
    parser.add_argument("--sizes", help="log sizes, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument(
        "--annual",
        action="store_true",
        help="only the annual report (Jaarverslag) over the sizes; the first size is the year asked "
        "(default sizes then 100000,1000000)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="annual report runs per size (median)")
    args = parser.parse_args()
    random.seed(5)
    configure_logging("WARNING", json=False)
    settings = Settings(env="dev")
    signer = load_signer(settings)
    mac_key = mac.configure_from(settings)
    demo = pseudonymise(DEMO_BSN, settings.pseudonym_key.get_secret_value())
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"bench/audit.py: load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        if args.annual:
            sizes = [int(s) for s in (args.sizes or "100000,1000000").split(",")]
            url = _fresh_database(args.postgres, Path(tmp), "annual")
            engine = make_engine(url)
            annual_bench(engine, PO, settings, sizes, mac_key, backend, args.repeats)
            engine.dispose()
            _drop(args.postgres, url)
            return
        for writers in (1, 4):
            url = _fresh_database(args.postgres, Path(tmp), f"appends{writers}")
            rate = appends_per_second(url, demo, writers, args.appends)
            print(
                f"[{backend}] appends, {writers} writer(s): {rate:,.0f} records/s "
                f"({args.appends} appends, one transaction each)"
            )
            _drop(args.postgres, url)
        url = _fresh_database(args.postgres, Path(tmp), "log")
        engine = make_engine(url)
        sizes = [int(s) for s in (args.sizes or "10000,100000,1000000").split(",")]
        for size in sizes:
            bulk_load(engine, size, demo, demo_until=min(sizes), mac_key=mac_key)
            rates = []
            for workers in (1, 2):
                began = time.perf_counter()
                result = verify_database(engine, signer.verifier, workers=workers, min_per_worker=1000, mac_key=mac_key)
                elapsed = time.perf_counter() - began
                assert result.ok, result  # noqa: S101
                rates.append(f"{result.records_checked / elapsed:,.0f} records/s with {workers} process(es)")
            print(
                f"[{backend}] {size:>9,} records: verify {'; '.join(rates)}; "
                f"access report (20 entries) median {access_report_ms(engine, settings):.1f} ms; "
                f"append {append_ms(engine):.2f} ms median (1 writer, chain of this length)"
            )
        engine.dispose()
        _drop(args.postgres, url)


if __name__ == "__main__":
    main()
