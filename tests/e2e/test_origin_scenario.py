"""Issue 16's branch of the scenario through the HTTP API (real tokens, the real policy engine, SQLite and
PostgreSQL): a second person whose municipality of origin is unknown, determined, contested by Huizen and
settled on Hilversum; then the disclosure log of that case must hold exactly the expected records."""

from __future__ import annotations

from partners.scenario import DJI, HUIZEN_SOCIAL, SOCIAL, ZVH
from partners.scenario_origin import OriginBranch
from tests.e2e.test_scenario import OIN

OINS = {**OIN, HUIZEN_SOCIAL: "00000009990000010000"}
ASKED = ["brp_registration", "housing"]

# (event type, from, to, categories released, categories withheld, reasons)
EXPECTED_LOG = [
    ("data_received", DJI, None, ["detention", "housing"], [], {}),
    *[("request_refused", HUIZEN_SOCIAL, ZVH, [], [c], {c: "origin_unknown"}) for c in ASKED],  # one per category
    ("origin_determined", ZVH, HUIZEN_SOCIAL, [], [], {}),
    ("data_read", None, HUIZEN_SOCIAL, ["detention"], [], {}),  # Huizen's list shows the prison and date
    ("origin_contested", HUIZEN_SOCIAL, ZVH, [], [], {}),
    *[("request_refused", HUIZEN_SOCIAL, ZVH, [], [c], {c: "origin_disputed"}) for c in ASKED],
    ("origin_determined", ZVH, SOCIAL, [], [], {}),
    ("request_decided", ZVH, SOCIAL, ASKED, [], {}),
]


def test_unknown_origin_is_determined_contested_and_settled(scenario):
    """Each step answers as the story says, and the case ends in Hilversum, determined by the BRP rule."""
    branch = OriginBranch(scenario)
    steps = branch.run()
    assert [s.response.status_code for s in steps] == [201, 201, 201, 200, 201, 201, 201, 201, 200]
    waiting = [c["reason"] for s in (steps[1], steps[5]) for c in s.body["categories"]]
    assert waiting == ["origin_unknown"] * 2 + ["origin_disputed"] * 2
    assert [(s.body["case_origin"], s.body["municipality"]) for s in (steps[2], steps[4], steps[6])] == [
        ("determined", "GM0406"),
        ("disputed", "GM0406"),
        ("determined", "GM0402"),
    ]
    assert steps[7].body["status"] == "open" and steps[7].body["responder"]["oin"] == OINS[SOCIAL]
    case = scenario.client_for(ZVH).get(f"/v1/cases/{branch.case_id}").json()
    assert (case["origin"], case["municipality"], case["origin_reason"]) == ("determined", "GM0402", "brp_registration")


def test_the_branchs_disclosure_log(scenario):
    """The log of the second case, in order: who determined and contested, and each waiting request's reason."""
    records = OriginBranch(scenario).run()[-1].body["records"]
    found = [
        (
            r["event_type"],
            r["from_oin"],
            r["to_oin"],
            r["categories_released"],
            r["categories_withheld"],
            r["denial_reasons"],
        )
        for r in records
    ]
    expected = [
        (kind, OINS.get(src) if src else None, OINS.get(dst) if dst else None, rel, wit, why)
        for kind, src, dst, rel, wit, why in EXPECTED_LOG
    ]
    assert found == expected
