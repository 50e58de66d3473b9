"""Crash recovery: the hub's uvicorn master and workers are SIGKILLed in the middle of the load and
started again on the same database; the partners retry on the wire with the same Idempotency-Key. After
the load, the chain verifies, no acknowledged exchange is lost and no disclosure lacks its record."""

from __future__ import annotations

from partners.load import LoadPlan, crash_drill, run_load
from tests.resilience.conftest import assert_nothing_lost

PARTNERS, CASES = 4, 2


def test_sigkill_mid_load_loses_nothing(hub_process, database_url):
    """SIGKILL of the whole server after 50 acknowledged responses, restart: every case still completes."""
    plan = LoadPlan(hub_process.url, partners=PARTNERS, seconds=30, max_cases=CASES, retry_seconds=30)
    ledger, _elapsed = run_load(plan, during=crash_drill(hub_process, after_acknowledged=50))

    assert hub_process.starts == 2
    assert ledger.transport_errors > 0  # the partners did feel the crash
    assert ledger.server_errors == []
    assert ledger.unexpected == []
    assert ledger.cases_completed == PARTNERS * CASES
    assert_nothing_lost(database_url, ledger)
