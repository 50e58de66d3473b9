"""The longer schemathesis run: every operation of the hub's OpenAPI document, every caller, valid and
invalid inputs, in-process (FastAPI's TestClient, no network), on a fresh database.

    .venv/bin/python bench/fuzz.py                                  # SQLite, 100 examples per operation and mode
    .venv/bin/python bench/fuzz.py --examples 300 --seed 7
    .venv/bin/python bench/fuzz.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/fuzz.py --only /v1/inbox                 # operations whose label contains this

Prints the calls made, the statuses seen and every distinct finding (one per operation and check: a 5xx,
an undeclared status, a wrong content type, a body outside its declared schema). Exits 1 on any finding.
The suite runs the same harness briefly (tests/fuzz/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from hub.config import Settings, normalise_database_url  # noqa: E402
from hub.crypto.devkeys import generate as generate_dev_keys  # noqa: E402
from hub.main import create_app  # noqa: E402
from hub.migrations import upgrade  # noqa: E402
from tests.fuzz.harness import Fuzzer  # noqa: E402
from tests.matrix.world import World, partner_clients  # noqa: E402


@contextmanager
def fresh_database(postgres: str | None) -> Iterator[str]:
    """A migrated database of its own: a temporary SQLite file, or a PostgreSQL database dropped afterwards."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'fuzz.db'}"
            upgrade(url)
            yield url
        return
    name = f"hub_fuzz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(postgres), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(normalise_database_url(postgres)).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per operation and mode")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is created and dropped)")
    parser.add_argument("--only", default="", help="run only operations whose label contains this")
    args = parser.parse_args()
    generate_dev_keys()
    with fresh_database(args.postgres) as url:
        app = create_app(Settings(env="dev", database_url=url, log_json=True, log_level="ERROR"))
        # A server error comes back as the 500 response the fuzzer reports, instead of ending the run.
        with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as client:
            hub = partner_clients(client, actor="fuzz-1")
            fuzzer = Fuzzer(app.openapi(), client, lambda client_id: hub(client_id).headers(), World(hub))
            started = time.perf_counter()
            report = fuzzer.run(max_examples=args.examples, seed_value=args.seed, only=lambda label: args.only in label)
            elapsed = time.perf_counter() - started
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"fuzz: {backend}, {args.examples} examples per operation and mode, seed {args.seed}")
    print(f"calls: {report.calls} in {elapsed:.1f} s ({report.calls / elapsed:.0f}/s)")
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(report.statuses.items())))
    if report.unsatisfiable:
        print(f"no invalid input possible (skipped in negative mode): {len(report.unsatisfiable)} operations")
    print(f"findings: {len(report.findings)}")
    for finding in report.findings.values():
        print(f"  - {finding}")
    return 1 if report.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
