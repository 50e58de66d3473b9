"""`Idempotency-Key` on POST (hub.idempotency): replay, reuse with another body, per client, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from hub.cases.models import CaseEvent
from hub.idempotency import (
    RECORD_TTL,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyRecord,
    IdempotentRoute,
    InvalidIdempotencyKey,
    purge_expired,
    request_digest,
    reserve,
)

from .conftest import DJI, ZVH_GOOI, started_body

SECRET = b"s" * 32


@pytest.fixture
def case_id(partner_client) -> str:
    return partner_client(DJI).post("/v1/notifications/detention-started", json=started_body()).json()["case_id"]


def _events(engine, case_id: str) -> list[str]:
    with Session(engine) as session:
        return [e.type for e in session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id))]


def test_same_key_same_body_replays(zvh_api, case_id, engine) -> None:
    """The repeat gets the stored response (marked replayed); the step is applied once."""
    headers = {"Idempotency-Key": "step-1"}
    first = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers=headers)
    again = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert _events(engine, case_id) == ["detention_started", "screening_started"]


def test_same_key_other_body_is_422(zvh_api, case_id, engine) -> None:
    """Reusing a key for another request is refused and changes nothing."""
    headers = {"Idempotency-Key": "step-2"}
    zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers=headers)
    other = zvh_api.post(
        f"/v1/cases/{case_id}/events", json={"type": "visit_recorded", "visited_on": "2026-11-05"}, headers=headers
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert _events(engine, case_id) == ["detention_started", "screening_started"]


def test_failed_request_reserves_nothing(zvh_api, case_id, engine) -> None:
    """A refused request leaves the key free: the corrected request with the same key goes through."""
    headers = {"Idempotency-Key": "step-3"}
    refused = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "outreach_started"}, headers=headers)
    fixed = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers=headers)
    assert (refused.status_code, fixed.status_code) == (409, 201)
    with Session(engine) as session:
        record = session.exec(select(IdempotencyRecord)).one()
    assert record.status_code == 201 and record.key == "step-3"


def test_keys_are_per_client(zvh_api, partner_client, case_id, engine) -> None:
    """Another client using the same key value gets its own request processed, not a replay."""
    headers = {"Idempotency-Key": "shared"}
    zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers=headers)
    dji = partner_client(DJI).post(
        "/v1/notifications/detention-started", json=started_body("PI-NWG-77"), headers=headers
    )
    assert dji.status_code == 201 and "Idempotent-Replayed" not in dji.headers
    with Session(engine) as session:
        assert {r.client_id for r in session.exec(select(IdempotencyRecord))} == {ZVH_GOOI, DJI}


@pytest.mark.parametrize("key", ["", "x" * 256, "met spatie", "ünïcode"])
def test_malformed_key_is_400(zvh_api, case_id, key) -> None:
    """A key that is empty, too long or not visible ASCII is a 400 problem naming the header."""
    response = zvh_api.post(
        f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers={"Idempotency-Key": key.encode()}
    )
    assert (response.status_code, response.json()["field"]) == (400, "Idempotency-Key")


def test_key_in_use_is_409(session: Session) -> None:
    """While the first request with a key runs (no response stored yet), a repeat gets 409."""
    digest = request_digest(SECRET, "POST", "/v1/x", b"{}", "mw-1")
    reserve(session, "client-a", "k", digest)
    session.commit()
    with pytest.raises(IdempotencyKeyInUse):
        reserve(session, "client-a", "k", digest)


def test_digest_covers_method_path_and_body(session: Session) -> None:
    """The same key on another path is a reuse, refused."""
    reserve(session, "client-a", "k", request_digest(SECRET, "POST", "/v1/a", b"{}", "mw-1"))
    session.commit()
    with pytest.raises(IdempotencyKeyReused):
        reserve(session, "client-a", "k", request_digest(SECRET, "POST", "/v1/b", b"{}", "mw-1"))
    with pytest.raises(InvalidIdempotencyKey):
        reserve(session, "client-a", "k\n", request_digest(SECRET, "POST", "/v1/b", b"{}", "mw-1"))


def test_expired_records_are_replaced_and_purged(session: Session) -> None:
    """A record older than the TTL no longer binds the key, and the purge deletes it."""
    old = datetime.now(UTC) - RECORD_TTL - timedelta(minutes=1)
    reserve(session, "client-a", "old", request_digest(SECRET, "POST", "/v1/a", b"1", "mw-1"), now=old)
    reserve(session, "client-a", "gone", request_digest(SECRET, "POST", "/v1/a", b"1", "mw-1"), now=old)
    session.commit()
    fresh = reserve(session, "client-a", "old", request_digest(SECRET, "POST", "/v1/a", b"2", "mw-1"))
    session.commit()
    assert fresh.status_code is None
    assert purge_expired(session) == 1
    session.commit()
    assert [r.key for r in session.exec(select(IdempotencyRecord))] == ["old"]


# -- L2: the stored response belongs to one acting person, and is replayed only to an authorized call -------


def test_another_acting_person_never_gets_the_replay(partner_client, case_id, engine) -> None:
    """Employee B of the same partner, sending A's key and body, gets no replay of A's response (a 422
    reuse refusal) and changes nothing."""
    headers, body = {"Idempotency-Key": "step-actor"}, {"type": "screening_started"}
    first = partner_client(ZVH_GOOI, actor="regisseur-a").post(
        f"/v1/cases/{case_id}/events", json=body, headers=headers
    )
    other = partner_client(ZVH_GOOI, actor="regisseur-b").post(
        f"/v1/cases/{case_id}/events", json=body, headers=headers
    )
    assert first.status_code == 201
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert "Idempotent-Replayed" not in other.headers
    assert _events(engine, case_id) == ["detention_started", "screening_started"]


def test_digest_covers_the_acting_person() -> None:
    """The same request by two acting persons has two digests."""
    assert request_digest(SECRET, "POST", "/v1/a", b"{}", "mw-1") != request_digest(
        SECRET, "POST", "/v1/a", b"{}", "mw-2"
    )


def test_replay_is_not_served_once_the_operation_is_refused(partner_client, case_id, engine) -> None:
    """The guard runs after authorization: the same client and person, now with a token that lacks the
    operation's scope, get 403 insufficient_scope, not the stored response."""
    headers, body = {"Idempotency-Key": "step-scope"}, {"type": "screening_started"}
    first = partner_client(ZVH_GOOI, actor="regisseur-1").post(
        f"/v1/cases/{case_id}/events", json=body, headers=headers
    )
    narrowed = partner_client(ZVH_GOOI, actor="regisseur-1", scope="case.list")
    again = narrowed.post(f"/v1/cases/{case_id}/events", json=body, headers=headers)
    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (403, "insufficient_scope")
    assert "Idempotent-Replayed" not in again.headers
    assert _events(engine, case_id) == ["detention_started", "screening_started"]


def test_every_idempotent_post_route_is_guarded_by_its_authorization() -> None:
    """Each POST route with Idempotency-Key finds its own authorize(operation) dependency to run first."""
    from hub.cases.endpoints import cases_router, notifications_router
    from hub.exchange.endpoints import router as exchange_router

    guarded = {
        route.path: route.authorization.__name__
        for router in (cases_router, notifications_router, exchange_router)
        for route in router.routes
        if isinstance(route, IdempotentRoute) and "POST" in route.methods
    }
    assert guarded["/v1/cases/{case_id}/events"] == "authorize_case_transition"
    assert guarded["/v1/inbox/{request_id}/answer"] == "authorize_answer_submit"
    assert len(guarded) >= 7
    assert all(name.startswith("authorize_") for name in guarded.values())


def test_a_logged_refusal_under_a_key_keeps_its_record_and_frees_the_key(zvh_api, case_id, engine, monkeypatch) -> None:
    """A POST whose service writes a refusal's record and then raises a LoggedRefusal: under an
    Idempotency-Key the record still commits (as without the key), and the key is free for a retry."""
    from hub.cases import service
    from hub.errors import Conflict, LoggedRefusal

    class RefusedAndLogged(LoggedRefusal, Conflict):
        code = "refused_and_logged"

    def refuse_after_logging(session, _ctx, _caller, refused_case_id, _event):
        session.add(
            CaseEvent(
                case_id=refused_case_id, type="refusal_logged", actor="test", organisation_oin="00000001000000001001"
            )
        )
        session.flush()  # services never commit: the unit of work commits a LoggedRefusal's record
        raise RefusedAndLogged("geweigerd en vastgelegd")

    monkeypatch.setattr(service, "record_event", refuse_after_logging)
    headers = {"Idempotency-Key": "refused-1"}
    refused = zvh_api.post(f"/v1/cases/{case_id}/events", json={"type": "screening_started"}, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "refused_and_logged")
    assert _events(engine, case_id) == ["detention_started", "refusal_logged"]
    with Session(engine) as session:
        assert session.exec(select(IdempotencyRecord)).all() == []
