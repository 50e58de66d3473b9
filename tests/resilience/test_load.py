"""Load with nothing lost: several regions and municipalities run whole cases at once against a real hub
(uvicorn, two workers); afterwards every acknowledged exchange is in the database with its log records,
the chain verifies, and no response was a 5xx. Bounded: 4 partners x 2 cases, at most 20 seconds."""

from __future__ import annotations

from collections import Counter

from partners.load import TEAMS, LoadPlan, run_load
from tests.resilience.conftest import assert_nothing_lost

PARTNERS, CASES = 4, 2


def test_concurrent_partners_lose_nothing(hub_process, database_url):
    """4 teams (Hilversum, Maastricht, Huizen, Laren) x 2 full cases: all acknowledged, all kept, no 5xx."""
    plan = LoadPlan(hub_process.url, partners=PARTNERS, seconds=20, max_cases=CASES, retry_seconds=5)
    ledger, _elapsed = run_load(plan)

    assert ledger.server_errors == []
    assert ledger.unexpected == []
    assert ledger.cases_completed == PARTNERS * CASES
    kinds = Counter(ack.kind for ack in ledger.acks)
    assert kinds["notification"] == kinds["handover_ack"] == PARTNERS * CASES
    assert kinds["request"] == kinds["answer"] == 2 * PARTNERS * CASES
    assert kinds["read"] == 3 * PARTNERS * CASES
    assert {team.coordinator for team in TEAMS[:PARTNERS]} == {"zvh-gooi-en-vechtstreek", "zvh-maastricht-heuvelland"}
    assert_nothing_lost(database_url, ledger)
