"""The origin screens (issue 16) through the test client, signed in by the picker: what each page shows, the
coordinator's form errors, the social domain's contest, and the work queue's signal once the origin has been
open for the set number of days (the exchange's clock, moved as the other screen tests move it)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case, CaseEvent
from hub.exchange.dependencies import get_clock
from hub.exchange.models import DataRequest
from tests.web.conftest import SAME_ORIGIN, form_key

DJI, ZVH, HUIZEN, HILVERSUM = "dji-pi-nieuwegein", "zvh-gooi-en-vechtstreek", "gm0406-social", "gm0402-social"


def notification(number: int) -> dict[str, object]:
    return {
        "notification_id": f"PI-NWG-ORIGIN-{number}",
        "subject": {"bsn": "123456782", "name": "P. Jansen", "birth_date": "1985-02-01"},
        "prison": "PI Nieuwegein",
        "started_on": "2026-11-02",
        "expected_release_on": None,
        "municipality": None,
        "information_sheet": {"conditions": {"housing": {"status": "not_in_order"}}},
    }


@pytest.fixture
def unknown_case(partner_client) -> str:
    response = partner_client(DJI).post("/v1/notifications/detention-started", json=notification(1))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def post_form(client, path: str, data: dict[str, str]):
    page = client.get("/herkomst" if path.endswith("/betwisten") else path)  # the page the form is on
    return client.post(
        path, data={**data, "form_key": form_key(page.text)}, headers=SAME_ORIGIN, follow_redirects=False
    )


def events(engine, case_id: str) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)).one()


def test_case_page_shows_herkomst_onbekend_and_the_determine_link(client, sign_in, unknown_case):
    """The coordinator's case page names the status and links to the form; the form lists the register."""
    sign_in(ZVH)
    page = client.get(f"/casussen/{unknown_case}").text
    assert "Herkomst onbekend" in page and "Nog niet vastgesteld" in page
    board = client.get("/casussen").text
    assert "Herkomst onbekend" in board and ">None<" not in board
    assert f'href="/casussen/{unknown_case}/herkomst"' in page
    form = client.get(f"/casussen/{unknown_case}/herkomst").text
    for name in ("Inschrijving in de BRP bij aanvang van de detentie", "Afspraak in de regio", "Huizen"):
        assert name in form
    assert "Maastricht" not in form  # only the municipalities of the coordinator's region


def test_determine_form_without_choices_shows_its_errors_and_stores_nothing(client, sign_in, unknown_case, engine):
    sign_in(ZVH)
    before = events(engine, unknown_case)
    response = post_form(client, f"/casussen/{unknown_case}/herkomst", {"municipality": "", "reason": ""})
    assert response.status_code == 422
    assert 'href="#gemeente"' in response.text and 'href="#reden"' in response.text
    assert "Kies de gemeente van herkomst." in response.text
    assert events(engine, unknown_case) == before


def test_determine_then_contest_on_the_screens(client, sign_in, unknown_case, engine):
    """The coordinator determines Huizen; Huizen sees it under Herkomst and contests it; the case page then
    shows Herkomst betwist and the form again; a second contest form is not offered."""
    sign_in(ZVH)
    done = post_form(client, f"/casussen/{unknown_case}/herkomst", {"municipality": "GM0406", "reason": "last_address"})
    assert (done.status_code, done.headers["location"]) == (303, f"/casussen/{unknown_case}")
    page = client.get(f"/casussen/{unknown_case}").text
    assert "Vastgesteld door de coördinator" in page and "Laatste woon- of verblijfadres" in page

    client.cookies.clear()
    sign_in(HILVERSUM)
    assert "Er zijn geen vaststellingen die uw gemeente noemen." in client.get("/herkomst").text
    client.cookies.clear()
    sign_in(HUIZEN)
    assert "1 vaststelling(en) van herkomst noemen uw gemeente" in client.get("/inbox").text
    listing = client.get("/herkomst").text
    assert "Laatste woon- of verblijfadres" in listing and "Herkomst betwisten" in listing
    with Session(engine) as session:
        determination = session.get(Case, unknown_case).origin_determination_id
    empty = post_form(client, f"/herkomst/{determination}/betwisten", {"reason": ""})
    assert empty.status_code == 422 and f'href="#reden-{determination}"' in empty.text
    contested = post_form(client, f"/herkomst/{determination}/betwisten", {"reason": "registered_elsewhere"})
    assert (contested.status_code, contested.headers["location"]) == (303, "/herkomst")
    after = client.get("/herkomst").text
    assert "Uw gemeente heeft deze herkomst betwist" in after and "Herkomst betwisten</button>" not in after
    assert "vaststelling(en) van herkomst" not in client.get("/inbox").text

    client.cookies.clear()
    sign_in(ZVH)
    page = client.get(f"/casussen/{unknown_case}").text
    assert "Herkomst betwist" in page and f'href="/casussen/{unknown_case}/herkomst"' in page


def test_work_queue_signals_an_origin_open_for_the_set_number_of_days(client, app, sign_in, unknown_case):
    """Not yet on the day DJI notified; on the queue once HUB_ORIGIN_SIGNAL_DAYS have passed; off it once the
    coordinator determined the municipality."""
    sign_in(ZVH)
    days = app.state.settings.origin_signal_days
    heading = f"Herkomst langer dan {days} dagen open"
    assert f"{heading} (0)" in client.get("/signalering").text
    later = datetime.now(UTC) + timedelta(days=days, minutes=1)
    app.dependency_overrides[get_clock] = lambda: lambda: later
    try:
        queue = client.get("/signalering").text
        assert f"{heading} (1)" in queue and f'href="/casussen/{unknown_case}/herkomst"' in queue
        post_form(
            client, f"/casussen/{unknown_case}/herkomst", {"municipality": "GM0402", "reason": "brp_registration"}
        )
        assert f"{heading} (0)" in client.get("/signalering").text
    finally:
        app.dependency_overrides.pop(get_clock)


def test_the_herkomst_page_shows_the_prison_only_as_a_logged_disclosure(client, sign_in, unknown_case, engine):
    """Huizen's Herkomst page shows the prison and detention date of the determination naming it, and each view
    writes a data_read record (category detention, to Huizen) with the policy's decision."""
    sign_in(ZVH)
    post_form(client, f"/casussen/{unknown_case}/herkomst", {"municipality": "GM0406", "reason": "last_address"})
    client.cookies.clear()
    sign_in(HUIZEN)

    def shown() -> list[AuditRecord]:
        with Session(engine) as session:
            statement = select(AuditRecord).where(
                AuditRecord.event_type == "data_read", AuditRecord.case_id == unknown_case
            )
            return list(session.exec(statement))

    before = len(shown())
    listing = client.get("/herkomst").text
    assert "PI Nieuwegein" in listing and "02-11-2026" in listing
    records = shown()[before:]
    assert [(r.categories_released, r.activity_id) for r in records] == [(["detention"], "reintegration")]
    assert records[0].decision_id is not None


def test_the_case_pages_top_and_the_board_say_betwist_while_the_origin_is_disputed(
    client, sign_in, unknown_case, engine
):
    """The coordinator's case page names the municipality at its top with "(betwist)" while Huizen contests it,
    and so does its row on the case board; once determined again, the hint is gone."""
    sign_in(ZVH)
    post_form(client, f"/casussen/{unknown_case}/herkomst", {"municipality": "GM0406", "reason": "last_address"})
    assert "Huizen (betwist)" not in client.get(f"/casussen/{unknown_case}").text
    client.cookies.clear()
    sign_in(HUIZEN)
    with Session(engine) as session:
        determination = session.get(Case, unknown_case).origin_determination_id
    post_form(client, f"/herkomst/{determination}/betwisten", {"reason": "registered_elsewhere"})

    client.cookies.clear()
    sign_in(ZVH)
    page = client.get(f"/casussen/{unknown_case}").text
    top = page[page.index("<h1") : page.index('id="kop-herkomst"')]  # the pairs above the Herkomst section
    assert "<dt>Gemeente van herkomst</dt><dd>Huizen (betwist)</dd>" in top
    assert "Huizen (betwist)" in client.get("/casussen").text

    post_form(client, f"/casussen/{unknown_case}/herkomst", {"municipality": "GM0402", "reason": "brp_registration"})
    page = client.get(f"/casussen/{unknown_case}").text
    assert "<dt>Gemeente van herkomst</dt><dd>Hilversum</dd>" in page and "(betwist)" not in page


def test_a_contest_on_the_screens_withdraws_the_open_request_to_that_municipality(
    client, sign_in, unknown_case, engine, partner_client
):
    """Huizen determined and asked (re-integration, housing); Huizen contests on its screen: in the same step its
    open request is withdrawn with the policy's reason (origin_disputed), logged, gone from Huizen's inbox, and
    the coordinator's case page says why (issue 17 on the screens)."""
    sign_in(ZVH)
    post_form(client, f"/casussen/{unknown_case}/herkomst", {"municipality": "GM0406", "reason": "last_address"})
    asked = partner_client(ZVH).post(
        f"/v1/cases/{unknown_case}/requests",
        json={"responder": HUIZEN, "activity": "reintegration", "categories": ["housing"]},
    )
    assert asked.json()["status"] == "open", asked.text
    request_id = asked.json()["id"]

    client.cookies.clear()
    sign_in(HUIZEN)
    assert request_id[:8].upper() in client.get("/inbox").text
    with Session(engine) as session:
        determination = session.get(Case, unknown_case).origin_determination_id
    contested = post_form(client, f"/herkomst/{determination}/betwisten", {"reason": "registered_elsewhere"})
    assert contested.status_code == 303, contested.text
    assert request_id[:8].upper() not in client.get("/inbox").text
    with Session(engine) as session:
        request = session.get(DataRequest, request_id)
        assert (request.status, request.withdrawal_reason) == ("withdrawn", "origin_disputed")
        [record] = session.exec(
            select(AuditRecord).where(
                AuditRecord.event_type == "request_redecided", AuditRecord.data_request_id == request_id
            )
        ).all()
        assert record.decision_id == request.redecision_id
        explanation = request.withdrawal_explanation

    client.cookies.clear()
    sign_in(ZVH)
    page = client.get(f"/casussen/{unknown_case}").text
    start = page.index(f'aria-labelledby="verzoek-{request_id}"')
    card = page[start : page.index("</section>", start)]
    assert "Ingetrokken" in card and html.escape(explanation) in card and "Opnieuw vragen" in card


def test_the_case_page_leaves_out_origin_rows_without_a_value(client, sign_in, unknown_case, scenario):
    """An origin DJI reported has no rule and is not open: no empty "Regel" or "Open sinds" row; an unknown
    origin shows since when it is open."""
    scenario.detention_starts()
    sign_in(ZVH)
    reported = client.get(f"/casussen/{scenario.case_id}").text
    assert "<dt>Status</dt>" in reported
    assert "<dt>Regel</dt>" not in reported and "<dt>Open sinds</dt>" not in reported
    open_origin = client.get(f"/casussen/{unknown_case}").text
    assert "<dt>Open sinds</dt>" in open_origin and "<dt>Regel</dt>" not in open_origin
