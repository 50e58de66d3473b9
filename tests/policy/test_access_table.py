"""The API-access table: the `api` rule evaluated for every (role, operation) pair when a bundle loads, checked
complete, and answering access checks for that revision; a reload rebuilds it (hub.policy.access_table)."""

from __future__ import annotations

from collections import Counter

import pytest

from hub.auth.principal import ROLES
from hub.auth.scopes import ALL_SCOPES
from hub.config import ROOT, Settings
from hub.policy.access_table import TABLES, build
from hub.policy.bundle import PolicyLoadError
from hub.policy.errors import PolicyUnavailableError
from hub.policy.pdp import EmbeddedPDP, PolicyUnavailable
from hub.policy.pep import check_operation
from hub.policy.reload import reload_now


class CountingPDP(EmbeddedPDP):
    """The real embedded engine, counting its evaluations per rule."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counts: Counter[str] = Counter()

    def _evaluate(self, rule, input_doc):
        self.counts[rule] += 1
        return super()._evaluate(rule, input_doc)


def test_table_is_complete_and_is_what_each_engine_says(embedded_pdp, opa_pdp):
    """One entry per pair of the hub's vocabulary, each the engine's own answer, and OPA's."""
    table = build(embedded_pdp)
    assert table.revision == embedded_pdp.revision
    assert set(table.entries) == {(r, o) for r in ROLES for o in ALL_SCOPES}
    for (role, operation), entry in table.entries.items():
        asked = {"role": role, "operation": operation}
        assert dict(entry) == embedded_pdp.decide("api", asked).value == opa_pdp.raw("api", asked)
    assert table.get("dji", "notification.create")["allow"] is True
    assert table.get("dji", "case.read") == {"allow": False, "reason": "role_not_permitted", "rule": "dt.api.allow"}


def test_access_checks_cost_no_evaluation_once_the_table_is_built():
    """After the build, checks of known pairs are answered from the table: the engine is not asked again."""
    pdp = CountingPDP(ROOT / "policies")
    TABLES.rebuild(pdp)
    built = pdp.counts["api"]
    assert built == len(ROLES) * len(ALL_SCOPES)
    for _ in range(20):
        allowed = check_operation(pdp, "zvh_coordinator", "request.create")
        refused = check_operation(pdp, "police", "case.read")
    assert pdp.counts["api"] == built
    assert allowed.allow is True and allowed.policy_revision == pdp.revision
    assert (refused.allow, refused.reason) == (False, "role_not_permitted")
    assert allowed.decision_id != check_operation(pdp, "zvh_coordinator", "request.create").decision_id
    unknown = check_operation(pdp, "mayor", "case.read")  # outside the vocabulary: asked of the engine
    assert (unknown.allow, unknown.reason) == (False, "unknown_role")
    assert pdp.counts["api"] == built + 1


def test_reload_rebuilds_the_table_for_the_new_revision(policies_copy):
    """A changed api rule takes effect with the reload, with the new revision; the old table is not used."""
    pdp = CountingPDP(policies_copy)
    old = pdp.revision
    assert check_operation(pdp, "dji", "notification.create").allow is True
    path = policies_copy / "dt" / "api.rego"
    path.write_text(path.read_text().replace('"notification.create": {"dji"}', '"notification.create": set()'))
    before = pdp.counts["api"]
    assert reload_now(pdp) not in (None, old)
    assert pdp.counts["api"] == before + len(ROLES) * len(ALL_SCOPES)  # rebuilt at the reload
    outcome = check_operation(pdp, "dji", "notification.create")
    assert (outcome.allow, outcome.reason) == (False, "role_not_permitted")
    assert outcome.policy_revision == pdp.revision != old


def test_table_of_a_stale_revision_is_never_used(policies_copy):
    """A reload that bypasses the SIGHUP path (pdp.reload alone) still gets a new table at the next check."""
    pdp = CountingPDP(policies_copy)
    assert check_operation(pdp, "dji", "notification.create").allow is True
    path = policies_copy / "dt" / "api.rego"
    path.write_text(path.read_text().replace('"notification.create": {"dji"}', '"notification.create": set()'))
    pdp.reload()
    assert check_operation(pdp, "dji", "notification.create").allow is False


def test_incomplete_table_is_refused(policies_copy, settings: Settings):
    """An api rule undefined for one role: the table is incomplete, so there is no table (access checks refused,
    also for the roles it does answer), and the hub does not start on it."""
    path = policies_copy / "dt" / "api.rego"
    text = path.read_text().replace(
        'decision := {"allow": allow, "reason": reason, "rule": "dt.api.allow"}',
        'decision := {"allow": allow, "reason": reason, "rule": "dt.api.allow"} if input.role != "police"',
    )
    assert "police" in text
    path.write_text(text)
    pdp = EmbeddedPDP(policies_copy)
    with pytest.raises(PolicyUnavailable):
        build(pdp)
    with pytest.raises(PolicyUnavailableError):  # no table: the enforcement point cannot decide, so it refuses
        check_operation(pdp, "dji", "notification.create")
    from hub.main import create_app

    with pytest.raises(PolicyLoadError, match="access table"):
        create_app(settings.model_copy(update={"policies_dir": policies_copy}))
