"""`make demo` tells the seed scenario to a newcomer: every step, the refusals with their Dutch reasons, and
the disclosure log at the end."""

from __future__ import annotations

from partners import demo


def test_demo_tells_each_step_the_refusals_and_the_log(scenario, capsys):
    """The demo's narration of the scenario (against the test app) shows refusals, withholdings and the log."""
    assert demo.tell(scenario) == 0
    out = capsys.readouterr().out
    assert "▸ ZVH vraagt Hilversum (sociaal domein) om de basisvoorwaarden" in out
    assert "GEWEIGERD: care — " in out and "(special_category_needs_consent)" in out
    assert "GEWEIGERD: risk_clarification — " in out and "(risk_not_signalled)" in out
    assert "tegengehouden: housing (1 veld buiten de catalogus) — " in out and "landlord_notes" not in out
    assert "Het verwerkingenlogboek van deze casus (21 records" in out  # the last: the anonymous statistics
    assert "BSN ******333" in out and "111222333" not in out


def test_demo_tells_the_branch_of_an_unknown_origin(scenario, capsys):
    """After the main story, the second person's (issue 16): unknown, Huizen, contested, Hilversum, and its log."""
    assert demo.tell(scenario) == 0
    out = capsys.readouterr().out
    assert "▸ DJI meldt een tweede persoon; de gemeente van herkomst is onbekend" in out
    assert "GEWEIGERD: housing — De gemeente van herkomst is nog niet vastgesteld" in out
    assert "herkomst: disputed, gemeente GM0406, reden registered_elsewhere" in out
    assert "herkomst: determined, gemeente GM0402, reden brp_registration" in out
    # 10 records: since the origin list is decided by dt.origin_read, Huizen's look at it (the prison and the
    # detention date) is a data_read record of its own
    assert "Het verwerkingenlogboek van de tweede casus (10 records" in out
    assert "data_read        de hub → Gemeente Huizen, sociaal domein" in out
    assert "123456782" not in out
