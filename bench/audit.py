"""Benchmark of the disclosure log: appends/s (1 and 4 writers), verify records/s, access-report latency.

    .venv/bin/python bench/audit.py                       # SQLite in a temporary directory
    .venv/bin/python bench/audit.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/audit.py --sizes 10000,100000  # fewer sizes

Synthetic records are bulk-loaded as a valid chain (hashes computed as the verifier does) so that the
verify figure is over a real chain; the demo person has the same 20 records at every size, so the access
report's latency should stay flat as the log grows (index on the subject pseudonym).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
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

from hub.audit import mac  # noqa: E402
from hub.audit.access import access_report, category_namer, organisation_namer  # noqa: E402
from hub.audit.canonical import SUBJECT_ID_TYPE, fast_record_hash  # noqa: E402
from hub.audit.mac import record_mac  # noqa: E402
from hub.audit.models import AuditRecord  # noqa: E402
from hub.audit.repository import chain_head  # noqa: E402
from hub.audit.service import record  # noqa: E402
from hub.audit.signing import load_signer  # noqa: E402
from hub.audit.trace import new_trace  # noqa: E402
from hub.audit.verify import verify_database  # noqa: E402
from hub.auth.principal import Caller, Partner  # noqa: E402
from hub.cases.models import Case  # noqa: E402
from hub.config import Settings, normalise_database_url  # noqa: E402
from hub.crypto.pseudonym import pseudonymise  # noqa: E402
from hub.db import make_engine  # noqa: E402
from hub.logging import configure_logging  # noqa: E402
from hub.migrations import upgrade  # noqa: E402

DEMO_BSN = "999993653"
OINS = ["00000009990000001000", "00000009990000008000", "00000009990000016000", "00000009990000019000"]
CATEGORIES = ["housing", "income", "debts", "care", "detention", "supervision"]
REGION = "gooi-en-vechtstreek"  # the officer sees only records of cases in its region (review H5)
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


def _synthetic(seq: int, prev: str, subject: str, moment: dt.datetime, mac_key: bytes) -> dict:
    row = {
        "seq": seq,
        "record_id": str(uuid.UUID(int=random.getrandbits(128))),
        "event_type": "data_released",
        "event_time": moment,
        "recorded_time": moment,
        "case_id": f"case-{seq % CASES}",
        "data_request_id": f"req-{seq}",
        "trace_id": f"{random.getrandbits(128):032x}",
        "span_id": f"{random.getrandbits(64):016x}",
        "parent_span_id": None,
        "activity_id": "reintegration",
        "activity_version": "1.0.0",
        "purpose": "Re-integratie",
        "legal_basis": "Pbw art. 18a",
        "retention_days": 730,
        "confidentiality": "vertrouwelijk",
        "subject_pseudonym": subject,
        "subject_id_type": SUBJECT_ID_TYPE,
        "from_oin": OINS[1],
        "to_oin": OINS[0],
        "from_actor": "mw-1",
        "to_actor": f"coord-{seq % 40}",
        "categories_released": random.sample(CATEGORIES, 2),
        "categories_withheld": [],
        "denial_reasons": {},
        "decision_id": f"dec-{seq}",
        "policy_revision": "a" * 64,
        "prev_hash": prev,
        "query_filter": None,
    }
    row["hash"] = fast_record_hash(row)
    row["mac"] = record_mac(mac_key, row["hash"])
    return row


def _cases(engine) -> None:
    """The case rows the synthetic records belong to, all in the officer's region."""
    rows = [
        {
            "id": f"case-{i}",
            "region": REGION,
            "municipality": "GM0402",
            "subject_pseudonym": "0" * 64,
            "state": "notified",
            "consent": "unknown",
            "risk": "none",
            "prison": "PI Bench",
            "detention_started_on": dt.date(2026, 1, 5),
            "started_notification_id": f"n-{i}",
            "created_at": dt.datetime.now(dt.UTC),
            "updated_at": dt.datetime.now(dt.UTC),
        }
        for i in range(CASES)
    ]
    with engine.begin() as connection:
        connection.execute(Case.__table__.insert(), rows)


def bulk_load(engine, upto: int, demo: str, demo_until: int, mac_key: bytes) -> None:
    """Append synthetic records up to `upto` as one valid chain, in batches of executemany INSERTs.

    The demo person gets every (demo_until // 20)th record up to `demo_until`: 20 records at every size."""
    with Session(engine) as session:
        seq, prev = chain_head(session)
    if seq == 0:
        _cases(engine)
    table = AuditRecord.__table__
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    while seq < upto:
        batch = []
        for _ in range(min(20000, upto - seq)):
            seq += 1
            is_demo = seq <= demo_until and seq % (demo_until // 20) == 0
            subject = demo if is_demo else f"{random.getrandbits(256):064x}"
            row = _synthetic(seq, prev, subject, moment + dt.timedelta(milliseconds=seq), mac_key)
            prev = row["hash"]
            batch.append(row)
        with engine.begin() as connection:
            connection.execute(table.insert(), batch)


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
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--appends", type=int, default=2000)
    args = parser.parse_args()
    random.seed(5)
    configure_logging("WARNING", json=False)
    settings = Settings(env="dev")
    signer = load_signer(settings)
    mac_key = mac.configure_from(settings)
    demo = pseudonymise(DEMO_BSN, settings.pseudonym_key.get_secret_value())
    backend = "postgresql" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
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
        sizes = [int(s) for s in args.sizes.split(",")]
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
