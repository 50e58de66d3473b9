"""The scenario's 18b branch (partners/notice_branch.py) through the API: the Hilversum resident's notice goes
to the mandated ZVH, Hilversum's security domain is refused, the coordinator's read is in the log."""

from __future__ import annotations

from partners import demo
from partners.notice_branch import NOTICE_TEXT, notice_branch


def test_the_18b_branch_runs_and_leaves_its_trace_in_the_log(scenario):
    branch = notice_branch(scenario)
    by_title = {step.title: step for step in branch.steps}
    sent = next(s for s in branch.steps if s.title.startswith("DJI meldt: 18b"))
    assert sent.body["delivered_to"] == "zvh_coordinator" and sent.body["case_id"] == branch.case_id
    seen = by_title["ZVH ziet de melding bij de casus (risico gesignaleerd door DJI)"].body
    assert seen["risk_signalled_by_dji"] is True and [n["kind"] for n in seen["notices"]] == ["18b"]
    refused = next(s for s in branch.steps if s.response.status_code == 403)
    assert refused.body["rule"] == "notice_mandated_to_zvh"
    read = by_title["ZVH leest de tekst van de melding (wordt gelogd)"].body
    assert read["text"] == NOTICE_TEXT
    assert by_title["ZVH bekijkt de melding opnieuw: het risico is nu gewogen"].body["risk_signalled_by_dji"] is False
    records = branch.steps[-1].body["records"]
    notice_records = [r for r in records if "risk_notices" in (r["categories_released"] + r["categories_withheld"])]
    assert [(r["event_type"], r["activity_id"]) for r in notice_records] == [
        ("data_received", "risk_assessment"),
        ("request_refused", None),  # refused before an activity applied (as dt.case_read does)
        ("data_read", "risk_assessment"),
    ]
    assert NOTICE_TEXT not in str(records)


def test_the_demo_tells_the_branch_after_the_story(scenario, capsys):
    assert demo.tell(scenario) == 0
    out = capsys.readouterr().out
    assert "Zijtak: een 18b-melding van DJI" in out
    assert "▸ Hilversum (veiligheid) wil de tekst lezen: geweigerd, de melding is bij het ZVH" in out
    assert "[notice_read_refused]" in out and "111222333" not in out
