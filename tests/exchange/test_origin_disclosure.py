"""What the determined municipality sees of a determination of origin is a disclosure (second reader's finding):
the prison and the date detention started (category `detention`) are shown only as the policy (dt.origin_read)
allows, and each one shown or withheld is in the disclosure log, through the API with real tokens, the real
policy engine and the real database."""

from __future__ import annotations

from tests.exchange.conftest import OTHER_SOCIAL, SOCIAL, ZVH, audit_events, counts
from tests.exchange.test_origin import HUIZEN, HUIZEN_SOCIAL_OIN, current_determination, determine, unknown_case
from tests.exchange.test_policy_unavailable import break_rule

__all__ = ["break_rule", "unknown_case"]  # fixtures used here


def test_each_determination_shown_is_decided_and_logged(unknown_case, hub, db):
    """Huizen sees the prison and date of the determination naming it; the list wrote one data_read record for
    that case: category detention, to Huizen's social domain, under reintegration with the policy's decision."""
    assert determine(hub, unknown_case, HUIZEN, "last_address").status_code == 201
    before = len(audit_events(db, event_type="data_read", case_id=unknown_case))

    listed = current_determination(hub, OTHER_SOCIAL)

    assert (listed["prison"], listed["detention_started_on"], listed["detention_withheld"]) == (
        "PI Nieuwegein",
        "2026-11-02",
        None,
    )
    shown = audit_events(db, event_type="data_read", case_id=unknown_case)[before:]
    assert [(r.to_oin, r.categories_released, r.activity_id) for r in shown] == [
        (HUIZEN_SOCIAL_OIN, ["detention"], "reintegration")
    ]
    assert shown[0].decision_id and shown[0].policy_revision and shown[0].subject_pseudonym
    assert "18a" in (shown[0].legal_basis or "")


def test_without_consent_the_prison_and_date_are_withheld_and_the_refusal_logged(unknown_case, hub, db, weigh):
    """After a weighing without consent the determination is still listed (Huizen may contest it), without the
    prison and date, with the policy's Dutch explanation; the refusal is a request_refused record (no_consent)."""
    assert determine(hub, unknown_case, HUIZEN, "last_address").status_code == 201
    weigh(unknown_case, consent="no", risk="none")
    read_before = len(audit_events(db, event_type="data_read", case_id=unknown_case))

    listed = current_determination(hub, OTHER_SOCIAL)

    assert (listed["prison"], listed["detention_started_on"]) == (None, None)
    assert listed["detention_withheld"].startswith("Hulp is vrijwillig")
    assert len(audit_events(db, event_type="data_read", case_id=unknown_case)) == read_before
    refused = audit_events(db, event_type="request_refused", case_id=unknown_case, to_oin=HUIZEN_SOCIAL_OIN)
    assert [(r.categories_withheld, r.denial_reasons) for r in refused] == [
        (["detention"], {"detention": "no_consent"})
    ]


def test_another_municipality_sees_nothing_and_nothing_is_logged(unknown_case, hub, db):
    """Hilversum is not named: an empty list, and no record (nothing was shown to it)."""
    assert determine(hub, unknown_case, HUIZEN, "last_address").status_code == 201
    before = counts(db)
    assert hub(SOCIAL).get("/v1/origin-determinations").json() == []
    assert counts(db) == before


def test_an_engine_that_cannot_decide_shows_nothing(unknown_case, hub, db, break_rule):
    """dt.origin_read undefined: 503 policy_unavailable, no prison or date in the body, no record written."""
    assert determine(hub, unknown_case, HUIZEN, "last_address").status_code == 201
    client = hub(OTHER_SOCIAL)
    client.access_token()
    before = counts(db)
    break_rule("origin_read")
    response = client.get("/v1/origin-determinations")
    assert (response.status_code, response.json()["code"]) == (503, "policy_unavailable"), response.text
    assert "Nieuwegein" not in response.text and "2026-11-02" not in response.text
    assert counts(db) == before


def test_the_coordinator_is_not_shown_the_list(hub):
    """Only the social domain calls the list (the API-access rule), as before."""
    assert hub(ZVH).get("/v1/origin-determinations").status_code == 403
