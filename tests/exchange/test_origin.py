"""The municipality of origin as a fact with a history (issue 16, part 2), through the API with real tokens, the
real policy engine and the real database: unknown at DJI's notification, determined by the coordinator,
contested by the municipality, determined again; requests wait meanwhile; the handover goes to the
municipality that holds at the end. Every out-of-turn call is a problem naming its field or rule and stores
nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlmodel import func, select
from structlog.testing import capture_logs

from hub.cases.models import Case, CaseEvent
from hub.exchange.models import DataRequest
from tests.exchange.conftest import BSN, DJI, OTHER_SOCIAL, SOCIAL, ZVH, ZVH_MAASTRICHT, audit_events, counts

HUIZEN, HILVERSUM = "GM0406", "GM0402"
HUIZEN_SOCIAL_OIN, HILVERSUM_SOCIAL_OIN = "00000009990000010000", "00000009990000008000"  # partners/registry
SECURITY_HUIZEN = "gm0406-security"


def started(notification_id: str, municipality: str | None) -> dict[str, Any]:
    return {
        "notification_id": notification_id,
        "subject": {"bsn": BSN, "name": "P. Jansen", "birth_date": "1985-02-01"},
        "prison": "PI Nieuwegein",
        "started_on": "2026-11-02",
        "expected_release_on": "2027-01-15",
        "municipality": municipality,
        "information_sheet": {"conditions": {"housing": {"status": "not_in_order"}}},
    }


@pytest.fixture
def unknown_case(hub) -> str:
    """DJI does not know the municipality: the case opens with the ZVH of PI Nieuwegein's region."""
    response = hub(DJI).post("/v1/notifications/detention-started", json=started("PI-NWG-O1", None))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def determine(hub, case_id: str, municipality: str, reason: str, client: str = ZVH):
    return hub(client).post(f"/v1/cases/{case_id}/origin", json={"municipality": municipality, "reason": reason})


def current_determination(hub, client: str) -> dict[str, Any]:
    listed = hub(client).get("/v1/origin-determinations")
    assert listed.status_code == 200, listed.text
    assert len(listed.json()) == 1
    return listed.json()[0]


def case_events(db, case_id: str, kind: str) -> list[CaseEvent]:
    return db.all(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == kind))


def origin_rows(db) -> dict[str, int]:
    """The rows an origin step writes: a refused step must change none of them (nor the case)."""
    return {**counts(db), "events": db.all(select(func.count()).select_from(CaseEvent))[0]}


def test_unknown_origin_opens_the_case_in_the_prisons_region(unknown_case, hub, db):
    """municipality: null opens the case for the ZVH of the prison's region, herkomst onbekend, since now."""
    case = hub(ZVH).get(f"/v1/cases/{unknown_case}").json()
    assert (case["region"], case["municipality"], case["origin"]) == ("gooi-en-vechtstreek", None, "unknown")
    assert case["origin_open_since"] is not None
    assert [e.payload["origin"] for e in case_events(db, unknown_case, "detention_started")] == ["unknown"]
    identity = hub(ZVH).get(f"/v1/cases/{unknown_case}/identity")  # the case's own reads do not need it
    assert (identity.status_code, identity.json()["bsn"]) == (200, BSN)


def test_requests_to_a_municipality_wait_while_the_origin_is_unknown(unknown_case, ask):
    """The policy refuses every category for a municipality with origin_unknown and its Dutch explanation;
    DJI is still asked."""
    refused = ask(unknown_case, SOCIAL, ["housing"])
    assert refused.status_code == 201, refused.text
    body = refused.json()
    assert body["status"] == "refused"
    assert [(c["category"], c["reason"]) for c in body["categories"]] == [("housing", "origin_unknown")]
    assert body["categories"][0]["explanation"].startswith("De gemeente van herkomst is nog niet vastgesteld")
    to_dji = ask(unknown_case, DJI, ["detention"])
    assert to_dji.json()["status"] == "open"


def test_determine_contest_and_settle(unknown_case, hub, ask, db):
    """Huizen determined (last address), a request to Huizen, Huizen contests (registered elsewhere): the case is
    disputed and the request waits; the coordinator determines Hilversum (BRP): new requests go to Hilversum,
    the earlier one to Huizen stays addressed to Huizen, withdrawn with the policy's reason."""
    first = determine(hub, unknown_case, HUIZEN, "last_address")
    assert first.status_code == 201, first.text
    assert (first.json()["case_origin"], first.json()["municipality"]) == ("determined", HUIZEN)
    to_huizen = ask(unknown_case, OTHER_SOCIAL, ["housing"]).json()
    assert to_huizen["status"] == "open"

    listed = current_determination(hub, OTHER_SOCIAL)
    assert (listed["id"], listed["reason"], listed["contested"]) == (first.json()["id"], "last_address", False)
    assert str(uuid.UUID(listed["id"])) == listed["id"]  # the event's UUID, not its global counter (issue 12)
    assert listed["reason_name"] == "Laatste woon- of verblijfadres"
    assert hub(SOCIAL).get("/v1/origin-determinations").json() == []  # Hilversum is not named

    contested = hub(OTHER_SOCIAL).post(
        f"/v1/origin-determinations/{listed['id']}/contest", json={"reason": "registered_elsewhere"}
    )
    assert contested.status_code == 201, contested.text
    assert contested.json()["case_origin"] == "disputed"
    case = hub(ZVH).get(f"/v1/cases/{unknown_case}").json()
    assert (case["origin"], case["municipality"]) == ("disputed", HUIZEN)
    waiting = hub(ZVH).get(f"/v1/requests/{to_huizen['id']}").json()
    assert (waiting["status"], waiting["status_reason"]) == ("withdrawn", "origin_disputed")
    assert ask(unknown_case, OTHER_SOCIAL, ["housing"]).json()["categories"][0]["reason"] == "origin_disputed"

    settled = determine(hub, unknown_case, HILVERSUM, "brp_registration")
    assert settled.status_code == 201, settled.text
    case = hub(ZVH).get(f"/v1/cases/{unknown_case}").json()
    assert (case["origin"], case["municipality"], case["origin_reason"]) == (
        "determined",
        HILVERSUM,
        "brp_registration",
    )
    assert case["origin_open_since"] is None
    assert ask(unknown_case, SOCIAL, ["housing"]).json()["status"] == "open"
    assert ask(unknown_case, OTHER_SOCIAL, ["housing"]).json()["categories"][0]["reason"] == (
        "not_municipality_of_origin"
    )
    earlier = db.get(DataRequest, to_huizen["id"])
    assert (earlier.responder_oin, earlier.status) == (HUIZEN_SOCIAL_OIN, "withdrawn")

    timeline = hub(ZVH).get(f"/v1/cases/{unknown_case}/timeline").json()["items"]
    origin_steps = [
        (e["type"], e["payload"].get("municipality"), e["payload"]["reason"])
        for e in timeline[::-1]
        if e["type"].startswith("origin_")
    ]
    assert origin_steps == [
        ("origin_determined", HUIZEN, "last_address"),
        ("origin_contested", HUIZEN, "registered_elsewhere"),
        ("origin_determined", HILVERSUM, "brp_registration"),
    ]
    determined = audit_events(db, event_type="origin_determined", case_id=unknown_case)
    assert [(r.from_actor, r.activity_id) for r in determined] == [(f"{ZVH}-medewerker", "reintegration")] * 2
    assert [r.to_oin for r in determined] == [
        HUIZEN_SOCIAL_OIN,
        HILVERSUM_SOCIAL_OIN,
    ]
    contest_records = audit_events(db, event_type="origin_contested", case_id=unknown_case)
    assert [r.from_actor for r in contest_records] == [f"{OTHER_SOCIAL}-medewerker"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"municipality": HUIZEN, "reason": "coin_toss"}, "reason"),
        ({"municipality": "GM9999", "reason": "last_address"}, "municipality"),
        ({"municipality": "GM0935", "reason": "last_address"}, "municipality"),  # Maastricht: another region
        ({"municipality": "Huizen", "reason": "last_address"}, "municipality"),
        ({"municipality": HUIZEN}, "reason"),
    ],
)
def test_a_bad_determination_names_its_field_and_stores_nothing(unknown_case, hub, db, body, field):
    """A reason outside the register, an unknown municipality or one of another region: 422 naming the field."""
    before = origin_rows(db)
    response = hub(ZVH).post(f"/v1/cases/{unknown_case}/origin", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    named = (
        {problem.get("field")}
        | {e.get("field") for e in problem.get("errors", [])}
        | {".".join(str(p) for p in e.get("loc", [])[1:]) for e in problem.get("errors", [])}
    )
    assert field in named, problem
    assert origin_rows(db) == before
    assert db.get(Case, unknown_case).origin == "unknown"


def test_determination_on_a_case_that_is_not_yours_is_not_found(unknown_case, hub, db):
    """Another region's coordinator gets 404, as for an unknown id; nothing is stored."""
    before = origin_rows(db)
    response = determine(hub, unknown_case, HUIZEN, "last_address", client=ZVH_MAASTRICHT)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert origin_rows(db) == before


def test_a_settled_origin_is_not_determined_again(open_case, hub, db):
    """DJI named the municipality (notified): determining it is out of turn, 409 naming the rule."""
    case_id = open_case()
    before = origin_rows(db)
    response = determine(hub, case_id, HUIZEN, "last_address")
    assert (response.status_code, response.json()["rule"]) == (409, "origin_settled")
    assert origin_rows(db) == before


def test_contest_out_of_turn_is_refused_and_stores_nothing(unknown_case, hub, db):
    """Twice by the same municipality, by a municipality that was not determined, with a reason outside the
    register, by another region, or against a superseded determination: each a problem naming its rule."""
    first = determine(hub, unknown_case, HUIZEN, "last_address").json()["id"]
    contest_url = f"/v1/origin-determinations/{first}/contest"
    before = origin_rows(db)
    wrong_reason = hub(OTHER_SOCIAL).post(contest_url, json={"reason": "coin_toss"})
    assert (wrong_reason.status_code, wrong_reason.json()["field"]) == (422, "reason")
    not_named = hub(SOCIAL).post(contest_url, json={"reason": "no_tie"})
    assert (not_named.status_code, not_named.json()["code"]) == (404, "not_found")  # as an unknown id
    security = hub(SECURITY_HUIZEN).post(contest_url, json={"reason": "no_tie"})
    assert (security.status_code, security.json()["code"]) == (403, "operation_forbidden")
    unknown = hub(OTHER_SOCIAL).post(
        "/v1/origin-determinations/00000000-0000-4000-8000-000000000000/contest", json={"reason": "no_tie"}
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert origin_rows(db) == before

    assert hub(OTHER_SOCIAL).post(contest_url, json={"reason": "no_tie"}).status_code == 201
    before = origin_rows(db)
    twice = hub(OTHER_SOCIAL).post(contest_url, json={"reason": "no_tie"})
    assert (twice.status_code, twice.json()["rule"]) == (409, "already_contested")
    assert origin_rows(db) == before

    again = determine(hub, unknown_case, HUIZEN, "regional_agreement").json()["id"]
    before = origin_rows(db)
    superseded = hub(OTHER_SOCIAL).post(contest_url, json={"reason": "no_tie"})
    assert (superseded.status_code, superseded.json()["rule"]) == (409, "determination_superseded")
    once_only = hub(OTHER_SOCIAL).post(f"/v1/origin-determinations/{again}/contest", json={"reason": "no_tie"})
    assert (once_only.status_code, once_only.json()["rule"]) == (409, "already_contested")
    assert origin_rows(db) == before
    assert db.get(Case, unknown_case).origin == "determined"


def test_handover_goes_only_to_the_municipality_that_holds_at_the_end(
    unknown_case, hub, ask, weigh, plan, end_detention
):
    """Unknown at release: the handover waits (409 origin_unknown). Determined Huizen and contested: the policy
    refuses the plan (origin_disputed). Determined Hilversum: the handover goes to Hilversum; Huizen sees
    nothing of it."""
    weigh(unknown_case, consent="yes", risk="none")
    plan(unknown_case)
    end_detention(unknown_case)
    waiting = hub(ZVH).post(f"/v1/cases/{unknown_case}/handover")
    assert (waiting.status_code, waiting.json()["rule"]) == (409, "origin_unknown")
    first = determine(hub, unknown_case, HUIZEN, "last_address").json()["id"]
    hub(OTHER_SOCIAL).post(f"/v1/origin-determinations/{first}/contest", json={"reason": "registered_elsewhere"})
    disputed = hub(ZVH).post(f"/v1/cases/{unknown_case}/handover").json()
    assert (disputed["status"], disputed["recipient"]["oin"]) == ("refused", HUIZEN_SOCIAL_OIN)
    assert [(r["category"], r["reason"]) for r in disputed["refused"]] == [("plan", "origin_disputed")]
    assert determine(hub, unknown_case, HILVERSUM, "brp_registration").status_code == 201
    sent = hub(ZVH).post(f"/v1/cases/{unknown_case}/handover")
    assert sent.status_code == 201, sent.text
    assert [h["id"] for h in hub(SOCIAL).get("/v1/handovers").json()["items"]] == [sent.json()["id"]]
    assert hub(OTHER_SOCIAL).get("/v1/handovers").json()["items"] == []


def test_the_application_log_keeps_the_municipality_out(hub, unknown_case):
    """Determining and contesting log the step and its rule for operations, never the municipality (a case
    fact: where the person is to settle); the disclosure log holds it."""
    with capture_logs() as events:
        assert determine(hub, unknown_case, HUIZEN, "last_address").status_code == 201
        determination = current_determination(hub, OTHER_SOCIAL)
        contested = hub(OTHER_SOCIAL).post(
            f"/v1/origin-determinations/{determination['id']}/contest", json={"reason": "registered_elsewhere"}
        )
        assert contested.status_code == 201, contested.text
    steps = [event for event in events if event["event"].startswith("case.origin_")]
    assert [event["event"] for event in steps] == [
        "case.origin_determined",
        "case.origin_determinations_shown",  # how many shown and withheld: no municipality, prison or date
        "case.origin_contested",
    ]
    assert not [event for event in events if HUIZEN in json.dumps(event, default=str)]
