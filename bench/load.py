"""Load with nothing lost, and crash recovery, against a real hub (`hub serve --workers 2` on 127.0.0.1).

    .venv/bin/python bench/load.py                                   # SQLite, 8 partners, 30 s
    .venv/bin/python bench/load.py --partners 16 --seconds 60
    .venv/bin/python bench/load.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/load.py --crash                           # SIGKILL the server mid-load, restart

N partner teams (ZVH Gooi en Vechtstreek with Hilversum, Huizen and Laren; ZVH Maastricht-Heuvelland with
Maastricht; each with PI Nieuwegein) run whole cases (partners/load.py) for T seconds against a fresh
database. Every 2xx is recorded client-side; afterwards the database is checked (hub/consistency.py): every
acknowledged exchange kept, every disclosure with its record, the chain verified. It prints requests,
acknowledged, 5xx, lost, throughput, and exits 1 when anything was lost or a 5xx was seen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.config import Settings  # noqa: E402
from hub.consistency import check_acknowledged, check_disclosures, verify_log  # noqa: E402
from hub.db import make_engine  # noqa: E402
from hub.migrations import upgrade  # noqa: E402
from partners.hubprocess import HubProcess  # noqa: E402
from partners.load import LoadPlan, crash_drill, run_load  # noqa: E402


def fresh_database(postgres: str | None, folder: Path) -> tuple[str, str | None]:
    """A migrated database of its own: (url, PostgreSQL database name to drop afterwards or None)."""
    if postgres is None:
        url = f"sqlite:///{folder / 'load.db'}"
        upgrade(url)
        return url, None
    name = f"hub_load_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = postgres.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return url, name


def drop_database(postgres: str, name: str) -> None:
    admin = make_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def report(args: argparse.Namespace, url: str, ledger, elapsed: float, starts: int) -> int:
    engine = make_engine(url)
    try:
        lost = check_acknowledged(engine, ledger.acks)
        unlogged = check_disclosures(engine)
        chain = verify_log(engine, Settings(env="dev", database_url=url))
    finally:
        engine.dispose()
    backend = "postgresql" if args.postgres else "sqlite"
    kinds = Counter(ack.kind for ack in ledger.acks)
    five_xx = sum(n for status, n in ledger.statuses.items() if status >= 500)
    print(
        f"backend={backend} workers={args.workers} partners={args.partners} seconds={args.seconds} "
        f"crash={'yes' if args.crash else 'no'} server_starts={starts}"
    )
    print(
        f"requests={ledger.requests} acknowledged={ledger.acknowledged} 5xx={five_xx} "
        f"unexpected={len(ledger.unexpected)} transport_retries={ledger.transport_errors}"
    )
    exchanges = " ".join(f"{kind}={n}" for kind, n in sorted(kinds.items()))
    print(f"cases_completed={ledger.cases_completed} exchanges: {exchanges}")
    print(
        f"throughput={ledger.requests / elapsed:.1f} req/s  cases={ledger.cases_completed / elapsed:.2f}/s "
        f"elapsed={elapsed:.1f}s"
    )
    print(
        f"lost={len(lost)} ({'lost=0' if not lost else lost[:5]})  disclosures_without_record={len(unlogged)}  "
        f"chain_ok={chain.ok} records={chain.records_checked}"
    )
    for line in ledger.server_errors[:5] + ledger.unexpected[:5]:
        print("  !", line)
    return 0 if not lost and not unlogged and chain.ok and five_xx == 0 and not ledger.unexpected else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=8, help="concurrent partner teams (default 8)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they start new cases (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2)")
    parser.add_argument("--postgres", metavar="URL", help="an admin URL; a fresh database is made and dropped")
    parser.add_argument("--crash", action="store_true", help="SIGKILL the server mid-load and restart it")
    parser.add_argument(
        "--crash-after",
        type=int,
        default=0,
        help="acknowledged responses before the crash (default: halfway through --seconds)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dt-hub-load-") as folder:
        url, name = fresh_database(args.postgres, Path(folder))
        try:
            hub = HubProcess(url, workers=args.workers, log_path=Path(folder) / "hub.log")
            with hub:
                plan = LoadPlan(hub.url, partners=args.partners, seconds=args.seconds, retry_seconds=60)
                during = None
                if args.crash:
                    after = args.crash_after or 10**9  # by default: halfway through the run
                    during = crash_drill(hub, after_acknowledged=after, timeout=args.seconds / 2)
                started = time.monotonic()
                ledger, _ = run_load(plan, during=during)
                elapsed = time.monotonic() - started
                starts = hub.starts
            return report(args, url, ledger, elapsed, starts)
        finally:
            if name is not None and args.postgres:
                drop_database(args.postgres, name)


if __name__ == "__main__":
    sys.exit(main())
