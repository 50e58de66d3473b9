"""The cases API over HTTP with real tokens and the real policy engine: notifications, reads, steps."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case

from .conftest import BSN, started_body


def _open(dji_api, notification_id: str = "PI-NWG-1", **changes) -> str:
    response = dji_api.post("/v1/notifications/detention-started", json=started_body(notification_id, **changes))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_notification_opens_case_and_repeat_replays(dji_api, zvh_api, engine) -> None:
    """201 with the case id; the repeat gets 200 with the same body and creates nothing."""
    first = dji_api.post("/v1/notifications/detention-started", json=started_body())
    again = dji_api.post("/v1/notifications/detention-started", json=started_body())
    assert first.status_code == 201 and first.json()["state"] == "notified"
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(engine, Case) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": {"bsn": "111222334", "name": "X", "birth_date": "1990-01-01"}}, "subject.bsn"),
        # 123456782 passes the eleven-test; in full-width or Arabic-Indic digits it was a 500 (issue 12, item 5)
        (
            {
                "subject": {
                    "bsn": "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff12",
                    "name": "X",
                    "birth_date": "1990-01-01",
                }
            },
            "subject.bsn",
        ),
        (
            {
                "subject": {
                    "bsn": "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0662",
                    "name": "X",
                    "birth_date": "1990-01-01",
                }
            },
            "subject.bsn",
        ),
        ({"municipality": "GM9999"}, "municipality"),
        ({"expected_release_on": "2026-10-01"}, "expected_release_on"),
        ({"started_on": "not-a-date"}, "started_on"),
        (
            {"information_sheet": {"conditions": {"yacht": {"status": "in_order"}}}},
            "information_sheet.conditions.yacht.[key]",
        ),
    ],
)
def test_bad_notification_is_problem_and_stores_nothing(dji_api, engine, changes, field) -> None:
    """Hostile or wrong input: a 422 problem naming the field (never its value); nothing stored."""
    response = dji_api.post("/v1/notifications/detention-started", json=started_body(**changes))
    body = response.json()
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert body.get("field") == field or field in {e["field"] for e in body.get("errors", [])}
    assert "111222334" not in response.text
    assert (_count(engine, Case), _count(engine, AuditRecord)) == (0, 0)


def test_end_before_start_is_refused(dji_api, engine) -> None:
    """detention-ended with an end before the start: 422 naming ended_on; the case stays open."""
    case_id = _open(dji_api)
    response = dji_api.post(
        "/v1/notifications/detention-ended",
        json={
            "notification_id": "PI-NWG-2",
            "started_notification_id": "PI-NWG-1",
            "bsn": BSN,
            "ended_on": "2026-10-01",
        },
    )
    assert (response.status_code, response.json()["field"]) == (422, "ended_on")
    with Session(engine) as session:
        assert session.get(Case, case_id).detention_ended_on is None


def test_end_with_a_bsn_in_other_digits_is_refused(dji_api, engine) -> None:
    """detention-ended with the case's BSN in full-width digits: 422 naming bsn (not a 500); the case stays open."""
    case_id = _open(dji_api)
    full_width = "".join(chr(0xFF10 + int(d)) for d in BSN)
    response = dji_api.post(
        "/v1/notifications/detention-ended",
        json={
            "notification_id": "PI-NWG-2",
            "started_notification_id": "PI-NWG-1",
            "bsn": full_width,
            "ended_on": "2026-12-01",
        },
    )
    assert (response.status_code, response.json()["field"]) == (422, "bsn")
    with Session(engine) as session:
        assert session.get(Case, case_id).detention_ended_on is None


def test_coordinator_only_for_notifications(zvh_api, engine) -> None:
    """A coordinator may not send DJI's notification: 403 from the policy, nothing stored."""
    response = zvh_api.post("/v1/notifications/detention-started", json=started_body())
    assert response.status_code == 403
    assert _count(engine, Case) == 0


def test_coordinator_lists_reads_and_steps(dji_api, zvh_api) -> None:
    """List, read, timeline and a step on a case of the coordinator's own region."""
    case_id = _open(dji_api)
    listed = zvh_api.get("/v1/cases").json()
    assert [c["id"] for c in listed["items"]] == [case_id] and listed["next_cursor"] is None
    assert "bsn" not in str(listed) and BSN not in str(listed)
    step = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "visit_recorded", "visited_on": "2026-11-05"})
    assert step.status_code == 201 and step.json()["to_state"] == "screening"
    detail = zvh_api.get(f"/v1/cases/{case_id}").json()
    assert detail["state"] == "screening" and "weighing_recorded" in detail["allowed_events"]
    timeline = zvh_api.get(f"/v1/cases/{case_id}/timeline").json()["items"]
    assert [e["type"] for e in timeline] == ["visit_recorded", "detention_started"]
    assert timeline[0]["actor"] == "regisseur-1"


VALID_PLAN = {"agreed_on": "2026-11-20", "actions": [{"domain": "housing", "action": "Woning zoeken"}]}


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({"actions": []}, "plan"),
        ({"agreed_on": "2026-11-20", "actions": [{"domain": "yacht", "action": "Boot"}]}, "plan.actions.0.domain"),
        ({**VALID_PLAN, "diagnosis": "x"}, "plan"),
    ],
)
def test_plan_that_breaks_the_catalogue_schema_is_refused(dji_api, zvh_api, plan, field) -> None:
    """A plan that does not fit the catalogue's `plan` schema: 422 naming the field; no timeline entry."""
    case_id = _open(dji_api)
    for step in (
        {"type": "visit_recorded", "visited_on": "2026-11-05"},
        {"type": "weighing_recorded", "consent": "yes", "risk": "none"},
    ):
        assert zvh_api.post(f"/v1/cases/{case_id}/events", json=step).status_code == 201
    response = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "plan_recorded", "plan": plan})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_failed"
    assert field in [e["field"] for e in body["errors"]]
    timeline = zvh_api.get(f"/v1/cases/{case_id}/timeline").json()["items"]
    assert "plan_recorded" not in [e["type"] for e in timeline]


def test_transition_out_of_turn_is_409(dji_api, zvh_api) -> None:
    """A plan before the weighing: 409 problem naming the rule; the state is unchanged."""
    case_id = _open(dji_api)
    response = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "plan_recorded", "plan": VALID_PLAN})
    body = response.json()
    assert response.status_code == 409 and body["code"] == "transition_not_allowed"
    assert body["rule"] == "transition_table" and body["state"] == "notified"
    assert zvh_api.get(f"/v1/cases/{case_id}").json()["state"] == "notified"


def test_identity_read_is_logged(dji_api, zvh_api, engine) -> None:
    """Reading the identifying data returns it, no-store, and writes an identity_shown record."""
    case_id = _open(dji_api)
    response = zvh_api.get(f"/v1/cases/{case_id}/identity")
    assert response.json() == {"bsn": BSN, "name": "J. de Vries", "birth_date": "1990-04-12"}
    assert response.headers["cache-control"] == "no-store"
    with Session(engine) as session:
        shown = session.exec(select(AuditRecord).where(AuditRecord.event_type == "identity_shown")).one()
    assert shown.case_id == case_id and shown.to_actor == "regisseur-1"


def test_list_filters_and_paginates(dji_api, zvh_api) -> None:
    """state filter and cursor pagination: every case once, newest first, across pages."""
    ids = [_open(dji_api, f"PI-NWG-{n}") for n in range(5)]
    zvh_api.post(f"/v1/cases/{ids[0]}/events", json={"type": "screening_started"})
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = zvh_api.get("/v1/cases", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    screening = zvh_api.get("/v1/cases", params={"state": "screening"}).json()["items"]
    assert [c["id"] for c in screening] == [ids[0]]


@pytest.mark.parametrize("cursor", ["not-base64!", "W10", "eyJ4IjoxfQ", "WyJ4IiwgMV0"])
def test_bad_cursor_is_422(zvh_api, cursor) -> None:
    """A forged or malformed cursor is a 422 problem naming `cursor`."""
    response = zvh_api.get("/v1/cases", params={"cursor": cursor})
    assert (response.status_code, response.json()["field"]) == (422, "cursor")


def test_information_sheet_read_is_logged(dji_api, zvh_api, engine) -> None:
    """The information sheet comes back as DJI sent it, and its categories are logged as data_read."""
    case_id = _open(dji_api)
    sheet = zvh_api.get(f"/v1/cases/{case_id}/information-sheet").json()
    assert sheet["conditions"]["housing"] == {"status": "not_in_order", "help_question": "Zoekt woonruimte"}
    with Session(engine) as session:
        read = session.exec(select(AuditRecord).where(AuditRecord.event_type == "data_read")).one()
    assert read.categories_released == ["housing", "identity_document"] and read.to_actor == "regisseur-1"


def test_closed_case_shows_no_personal_data(dji_api, zvh_api, engine) -> None:
    """After closing, identity and information sheet are refused (409 case_closed); only the refusals are logged."""
    case_id = _open(dji_api)
    ended = dji_api.post(
        "/v1/notifications/detention-ended",
        json={
            "notification_id": "PI-NWG-2",
            "started_notification_id": "PI-NWG-1",
            "bsn": BSN,
            "ended_on": "2027-01-15",
        },
    )
    assert ended.json()["state"] == "closed"
    for suffix in ("identity", "information-sheet"):
        response = zvh_api.get(f"/v1/cases/{case_id}/{suffix}")
        assert (response.status_code, response.json()["code"]) == (409, "case_closed")
        assert BSN not in response.text
    with Session(engine) as session:
        events = [r.event_type for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
    # closing wrote the case's anonymous statistics (hub.monitoring): a record without subject or categories
    assert sorted(events[:-2]) == ["data_received", "data_received", "statistics_written"]
    assert events[-2:] == ["request_refused", "request_refused"]


def test_openapi_documents_idempotency_key(client) -> None:
    """Every POST under /v1/cases and /v1/notifications declares the Idempotency-Key header."""
    paths = client.get("/openapi.json").json()["paths"]
    posts = [
        op
        for path, ops in paths.items()
        if path.startswith(("/v1/cases", "/v1/notifications"))
        for method, op in ops.items()
        if method == "post"
    ]
    assert len(posts) >= 3
    for operation in posts:
        assert "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])}


def test_case_views_do_not_hand_out_the_subject_pseudonym(dji_api, zvh_api, engine) -> None:
    """The stable pseudonym stays inside the hub: neither the case list nor the case detail shows it."""
    case_id = _open(dji_api)
    with Session(engine) as session:
        pseudonym = session.get(Case, case_id).subject_pseudonym
    listed = zvh_api.get("/v1/cases").text
    detail = zvh_api.get(f"/v1/cases/{case_id}").text
    assert pseudonym not in listed and pseudonym not in detail
    assert case_id in listed and case_id in detail
