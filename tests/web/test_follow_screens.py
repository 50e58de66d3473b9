"""The screens follow the case (issue 17): a withdrawn request on the coordinator's case page with the policy's
reason per category, "Opnieuw vragen", the responder's inbox and answer screen after the case changed, the
answer form shown again after an error, and the conditions the information sheet withholds. Real app, real
database, real policy engine, real disclosure log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from hub.exchange.models import Answer, DataRequest
from hub.policy.catalogue import get_catalogue
from partners.scenario import SOCIAL, ZVH
from tests.web.conftest import SAME_ORIGIN, form_key
from tests.web.scenario_flow import DJI, VISIT_FORM


def _records(app, event_type: str | None = None) -> list[AuditRecord]:
    with Session(app.state.engine) as db:
        statement = select(AuditRecord)
        if event_type:
            statement = statement.where(AuditRecord.event_type == event_type)
        return list(db.exec(statement))


def _request(app, request_id: str) -> DataRequest:
    with Session(app.state.engine) as db:
        found = db.get(DataRequest, request_id)
        assert found is not None
        return found


def _step(client, case_id: str, form: dict[str, str]) -> None:
    """A coordinator's step through its screen, as the browser posts it."""
    page = client.get(f"/casussen/{case_id}/stap/{form['type']}")
    assert page.status_code == 200, page.text
    done = client.post(
        f"/casussen/{case_id}/stap",
        data={**form, "form_key": form_key(page.text)},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def _card(case_page: str, request_id: str) -> str:
    """The case page's section of one request."""
    start = case_page.index(f'aria-labelledby="verzoek-{request_id}"')
    return case_page[start : case_page.index("</section>", start)]


def _withdrawn_by_weighing(client, sign_in, scenario) -> tuple[str, str]:
    """A request to Hilversum's social domain (re-integration), withdrawn when the weighing records that the
    person refuses consent (the case stays in the weighing, open)."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "income"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(ZVH)
    _step(client, scenario.case_id, VISIT_FORM)
    _step(client, scenario.case_id, {"type": "weighing_recorded", "consent": "no", "risk": "none"})
    return scenario.case_id, request_id


def test_a_withdrawn_request_shows_the_policys_reason_and_leaves_the_inbox(client, app, sign_in, scenario):
    case_id, request_id = _withdrawn_by_weighing(client, sign_in, scenario)
    stored = _request(app, request_id)
    status = stored.status_at(datetime.now(UTC))  # the one status, as the screens compute it
    assert (status.status, status.reason) == ("withdrawn", "no_consent") and status.explanation
    card = _card(client.get(f"/casussen/{case_id}").text, request_id)
    assert "Ingetrokken" in card and f"Ingetrokken: {status.explanation}" in card
    for category, withdrawn in stored.categories_withdrawn.items():
        name = get_catalogue().categories[category].name
        assert f"{name}: ingetrokken – {withdrawn['explanation']}" in card
    assert f'action="/verzoeken/{request_id}/opnieuw"' in card and "Opnieuw vragen" in card
    assert "Antwoord inzien" not in card
    assert request_id[:8].upper() not in client.get("/signalering").text  # not overdue work

    sign_in(SOCIAL)
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and request_id[:8].upper() not in inbox.text
    assert "Er zijn geen open verzoeken." in inbox.text


def test_an_answer_form_sent_after_the_withdrawal_shows_the_reason_and_stores_nothing(client, app, sign_in, scenario):
    """The contact point opened the request before the weighing and sends the form after it: the page says
    why (the policy's Dutch reason), nothing is stored and no record is written."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "income"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(SOCIAL)
    inbox = client.get("/inbox").text
    opened = client.post(f"/inbox/{request_id}", data={"form_key": form_key(inbox)}, headers=SAME_ORIGIN).text
    sign_in(ZVH)
    _step(client, scenario.case_id, VISIT_FORM)
    _step(client, scenario.case_id, {"type": "weighing_recorded", "consent": "no", "risk": "none"})
    explanation = _request(app, request_id).withdrawal_explanation
    before = len(_records(app))
    sign_in(SOCIAL)
    sent = client.post(
        f"/inbox/{request_id}/antwoord",
        data={"form_key": form_key(opened), "housing.situation": "homeless", "housing.at_risk_of_loss": "ja"},
        headers=SAME_ORIGIN,
    )
    assert sent.status_code == 409
    assert "Antwoord niet verstuurd" in sent.text and explanation and explanation in sent.text
    assert "Er is niets verstuurd of vastgelegd." in sent.text
    assert len(_records(app)) == before
    assert _request(app, request_id).status == "withdrawn"
    with Session(app.state.engine) as db:
        assert list(db.exec(select(Answer))) == []


def test_an_answer_the_policy_no_longer_allows_is_refused_on_the_page(client, app, sign_in, scenario):
    """The case changed without the request following it (as in tests/exchange/test_follow.py): 409
    answer_refused shows the policy's reason (no_consent) in Dutch; nothing stored, the request stays open."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "income"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(SOCIAL)
    inbox = client.get("/inbox").text
    opened = client.post(f"/inbox/{request_id}", data={"form_key": form_key(inbox)}, headers=SAME_ORIGIN).text
    with Session(app.state.engine) as db:
        case = db.get(Case, scenario.case_id)
        case.consent = "no"
        db.add(case)
        db.commit()
    before = len(_records(app))
    sent = client.post(
        f"/inbox/{request_id}/antwoord",
        data={"form_key": form_key(opened), "housing.situation": "homeless"},
        headers=SAME_ORIGIN,
    )
    assert sent.status_code == 409
    assert "Het beleid staat dit antwoord nu niet toe:" in sent.text
    detail = re.search(r"Het beleid staat dit antwoord nu niet toe: ([^<]+)</p>", sent.text)
    assert detail and "toestemming" in detail.group(1).lower()  # the policy's no_consent explanation
    assert "Het verzoek staat nog open" in sent.text
    assert len(_records(app)) == before
    assert _request(app, request_id).status == "open"


def test_opnieuw_vragen_decides_again_on_the_case_as_it_is_now(client, app, sign_in, scenario):
    case_id, request_id = _withdrawn_by_weighing(client, sign_in, scenario)
    card = _card(client.get(f"/casussen/{case_id}").text, request_id)
    key = form_key(card)

    refused = client.post(f"/verzoeken/{request_id}/opnieuw", data={"form_key": key}, headers=SAME_ORIGIN)
    assert refused.status_code == 200, refused.text  # still no consent: asked again, and refused again
    assert "Verzoek opnieuw geweigerd" in refused.text and "blijft ingetrokken" in refused.text
    with Session(app.state.engine) as db:
        [first] = db.exec(select(DataRequest).where(DataRequest.renewed_from == request_id)).all()
        assert first.status == "refused" and first.categories_allowed == []
    again = client.post(f"/verzoeken/{request_id}/opnieuw", data={"form_key": key}, headers=SAME_ORIGIN)
    assert again.status_code == 409  # the same render's key: spent, nothing new
    with Session(app.state.engine) as db:
        assert len(db.exec(select(DataRequest).where(DataRequest.renewed_from == request_id)).all()) == 1

    _step(client, case_id, {"type": "weighing_recorded", "consent": "yes", "risk": "none"})
    card = _card(client.get(f"/casussen/{case_id}").text, request_id)
    decided = len(_records(app, "request_decided"))
    renewed = client.post(f"/verzoeken/{request_id}/opnieuw", data={"form_key": form_key(card)}, headers=SAME_ORIGIN)
    assert renewed.status_code == 200, renewed.text
    assert "Verzoek opnieuw verstuurd" in renewed.text
    for category in ("housing", "income"):
        assert f"{get_catalogue().categories[category].name}: gevraagd" in renewed.text
    assert len(_records(app, "request_decided")) == decided + 1
    with Session(app.state.engine) as db:
        second = db.exec(
            select(DataRequest).where(DataRequest.renewed_from == request_id, DataRequest.status == "open")
        ).one()
        assert sorted(second.categories_allowed) == ["housing", "income"]
    assert _request(app, request_id).status == "withdrawn"  # never silently revived

    sign_in(SOCIAL)
    inbox = client.get("/inbox").text
    assert second.id[:8].upper() in inbox and request_id[:8].upper() not in inbox


def test_opnieuw_vragen_asks_again_what_a_partly_withdrawn_request_lost(client, app, sign_in, scenario):
    """Care withdrawn from an open request (consent unknown again in the weighing), then consent given: the case
    page offers "Opnieuw vragen" on the request that stays open; it asks care in a new request and says the
    earlier one stays open with what it kept."""
    scenario.detention_starts()
    sign_in(ZVH)
    _step(client, scenario.case_id, VISIT_FORM)
    _step(client, scenario.case_id, {"type": "weighing_recorded", "consent": "yes", "risk": "none"})
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "income", "care"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    _step(client, scenario.case_id, {"type": "weighing_recorded", "consent": "unknown", "risk": "none"})
    _step(client, scenario.case_id, {"type": "weighing_recorded", "consent": "yes", "risk": "none"})
    card = _card(client.get(f"/casussen/{scenario.case_id}").text, request_id)
    assert "Open" in card and "Opnieuw vragen" in card and "Ingetrokken:" not in card
    renewed = client.post(f"/verzoeken/{request_id}/opnieuw", data={"form_key": form_key(card)}, headers=SAME_ORIGIN)
    assert renewed.status_code == 200, renewed.text
    assert (
        "Verzoek opnieuw verstuurd" in renewed.text and "blijft open met de categorieën die het behield" in renewed.text
    )
    assert f"{get_catalogue().categories['care'].name}: gevraagd" in renewed.text
    with Session(app.state.engine) as db:
        [second] = db.exec(select(DataRequest).where(DataRequest.renewed_from == request_id)).all()
        assert (second.status, second.categories_allowed) == ("open", ["care"])
    kept = _request(app, request_id)
    assert (kept.status, kept.categories_allowed) == ("open", ["housing", "income"])


def test_opnieuw_vragen_refuses_a_request_that_is_not_withdrawn(client, app, sign_in, scenario):
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}").text
    assert "/opnieuw" not in page  # offered only for a request that lost categories to its case
    posted = client.post(f"/verzoeken/{request_id}/opnieuw", data={"form_key": form_key(page)}, headers=SAME_ORIGIN)
    assert posted.status_code == 409 and "Alleen een verzoek waarvan (een deel) is ingetrokken" in posted.text
    with Session(app.state.engine) as db:
        assert len(db.exec(select(DataRequest)).all()) == 1


def test_a_failed_answer_form_is_shown_again_filled_in_with_its_errors(client, app, sign_in, scenario):
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "income"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(SOCIAL)
    inbox = client.get("/inbox").text
    opened = client.post(f"/inbox/{request_id}", data={"form_key": form_key(inbox)}, headers=SAME_ORIGIN).text
    before = len(_records(app))
    # housing answered without its required `situation`; income's source given
    failed = client.post(
        f"/inbox/{request_id}/antwoord",
        data={"form_key": form_key(opened), "housing.at_risk_of_loss": "ja", "income.source": "none"},
        headers=SAME_ORIGIN,
    )
    assert failed.status_code == 422
    page = failed.text
    assert 'href="#veld-housing-situation"' in page  # the summary links to the field, by its name
    assert "Situatie: Dit veld is verplicht als u deze categorie beantwoordt." in page
    assert 'id="veld-housing-situation-fout"' in page  # the message next to it
    assert re.search(r'<select[^>]*id="veld-housing-situation"[^>]*aria-invalid="true"', page)
    assert re.search(
        r'<select[^>]*id="veld-housing-situation"[^>]*aria-describedby="veld-housing-situation-fout"', page
    )
    assert re.search(r'id="veld-housing-at-risk-of-loss-ja"[^>]*checked', page)  # kept as sent
    assert '<option value="none" selected>' in page
    assert "111222333" not in page  # the identity is not shown again without a logged opening
    assert len(_records(app)) == before
    fixed = client.post(
        f"/inbox/{request_id}/antwoord",
        data={
            "form_key": form_key(page),
            "housing.situation": "homeless",
            "housing.at_risk_of_loss": "ja",
            "income.source": "none",
        },
        headers=SAME_ORIGIN,
    )
    assert fixed.status_code == 200 and "Ontvangstbewijs" in fixed.text
    assert _request(app, request_id).status == "answered"


def test_the_information_sheet_lists_what_it_withholds(client, app, sign_in, partner_client):
    """Before the weighing the policy withholds care (special category) from the coordinator: the page names
    it with the policy's Dutch explanation, as the log records it; the value itself never reaches the page."""
    from tests.cases.conftest import started_body

    body = started_body()
    body["information_sheet"]["conditions"]["care"] = {"status": "not_in_order", "help_question": "GGZ loopt"}
    started = partner_client("dji-pi-nieuwegein", actor="dji-1").post("/v1/notifications/detention-started", json=body)
    assert started.status_code == 201, started.text
    case_id = started.json()["case_id"]
    sign_in(ZVH)
    page = client.get(f"/casussen/{case_id}").text
    key = form_key(page.split(f'action="/casussen/{case_id}/informatieblad"')[1])
    sheet = client.post(f"/casussen/{case_id}/informatieblad", data={"form_key": key}, headers=SAME_ORIGIN)
    assert sheet.status_code == 200, sheet.text
    [read] = _records(app, "data_read")
    assert read.categories_withheld == ["care"]
    shown, withheld = sheet.text.split("Niet getoond")
    names = {c: get_catalogue().categories[c].name for c in ("care", "housing")}
    assert names["housing"] in shown and f"<dt>{names['care']}</dt>" not in shown
    item = re.search(r"<li>([^<:]*): ([^<]+)</li>", withheld)
    assert item and item.group(1) == names["care"] and len(item.group(2)) > 20  # the Dutch explanation
    assert "GGZ loopt" not in sheet.text


def test_detention_ended_on_the_dji_screen_withdraws_the_open_request(client, app, sign_in, scenario):
    """DJI's end-of-detention form is followed as the API's notification is: the case closes, the open request
    is withdrawn (case_closed) in the same transaction, the case page says why, and the inbox drops it."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(DJI)
    page = client.get("/meldingen/einde").text
    ended = client.post(
        "/meldingen/einde",
        data={
            "notification_id": f"{scenario.notification_prefix}-END",
            "started_notification_id": f"{scenario.notification_prefix}-START",
            "bsn": scenario.person.bsn,
            "ended_on": (scenario.started_on + timedelta(days=29)).isoformat(),
            "form_key": form_key(page),
        },
        headers=SAME_ORIGIN,
    )
    assert ended.status_code == 200, ended.text
    stored = _request(app, request_id)
    assert (stored.status, stored.withdrawal_reason) == ("withdrawn", "case_closed")
    assert [r.data_request_id for r in _records(app, "request_redecided")] == [request_id]
    sign_in(ZVH)
    card = _card(client.get(f"/casussen/{scenario.case_id}").text, request_id)
    assert f"Ingetrokken: {stored.withdrawal_explanation}" in card
    sign_in(SOCIAL)
    assert request_id[:8].upper() not in client.get("/inbox").text


def test_signalering_and_the_board_show_the_status_everybody_sees(client, app, sign_in, scenario):
    """Past its due date an open request is overdue work in Signalering and on the board; past its expiry it
    is expired (DataRequest.status_at, before the job stores it), so neither lists it as open or overdue."""
    from hub.exchange.dependencies import get_clock

    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    stored = _request(app, scenario.ids["social"])
    ref = scenario.case_id.replace("-", "")[:8].upper()
    sign_in(ZVH)
    moments = {"overdue": stored.due_at, "expired": stored.expires_at}
    seen = {}
    for name, moment in moments.items():
        at = moment.replace(tzinfo=UTC) + timedelta(hours=1)
        app.dependency_overrides[get_clock] = lambda at=at: lambda: at
        assert stored.status_at(at).status == ("open" if name == "overdue" else "expired")
        queue = client.get("/signalering").text
        section = queue[queue.index('id="kop-te-laat"') : queue.index('id="kop-overdracht"')]
        board = client.get("/casussen").text
        row = board[board.index(f">{ref}</a></th>") :]
        counts = re.findall(r'<td class="utrecht-table__cell">([^<]*)</td>', row[: row.index("</tr>")])[-2:]
        seen[name] = (ref in section, counts)
    app.dependency_overrides.pop(get_clock)
    assert seen == {"overdue": (True, ["1", "1"]), "expired": (False, ["0", "0"])}


def test_an_answer_the_schema_refuses_comes_back_tied_to_its_field(client, app, sign_in, scenario):
    """A value the form takes but the category's JSON Schema refuses (a negative debt total): the service's
    answer_invalid comes back as the filled-in form, the error on that field; nothing stored or logged."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["debts"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(SOCIAL)
    inbox = client.get("/inbox").text
    opened = client.post(f"/inbox/{request_id}", data={"form_key": form_key(inbox)}, headers=SAME_ORIGIN).text
    before = len(_records(app))
    sent = client.post(
        f"/inbox/{request_id}/antwoord",
        data={
            "form_key": form_key(opened),
            "debts.has_debts": "ja",
            "debts.estimated_total_eur": "-5",
            "debts.priority_creditors": ["tax", "cjib"],
        },
        headers=SAME_ORIGIN,
    )
    assert sent.status_code == 422
    assert 'href="#veld-debts-estimated-total-eur"' in sent.text
    assert re.search(r'id="veld-debts-estimated-total-eur"[^>]*value="-5"[^>]*aria-invalid="true"', sent.text)
    assert re.search(r'id="veld-debts-priority-creditors-cjib"[^>]*checked', sent.text)
    assert len(_records(app)) == before and _request(app, request_id).status == "open"
