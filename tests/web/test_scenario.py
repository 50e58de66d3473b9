"""The seed scenario done through the screens' forms (as plain HTML forms post them, no JavaScript): every
role signs in by the development picker; each step's effect is checked in the database and the log."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from hub.exchange.models import DataRequest, Handover
from tests.web import scenario_flow as flow
from tests.web.conftest import SAME_ORIGIN, form_key


def _post(client, path: str, page: str, data: dict) -> str:
    response = client.post(path, data={**data, "form_key": form_key(page)}, headers=SAME_ORIGIN)
    assert response.status_code in (200, 303), (path, response.status_code, response.text[:500])
    return response.text


def _open_first(client, listing: str, prefix: str) -> tuple[str, str]:
    """POST the first 'Openen' form of a list page: (its id, the page it opens)."""
    found = re.search(rf'action="{prefix}/([0-9a-f-]{{36}})"', listing)
    assert found, f"nothing to open under {prefix}"
    item = found.group(1)
    return item, _post(client, f"{prefix}/{item}", listing.split(f'action="{prefix}/{item}"')[1], {})


def _ask(client, case_id: str, form: dict) -> str:
    page = client.get(f"/casussen/{case_id}/verzoek").text
    result = _post(client, f"/casussen/{case_id}/verzoek", page, form)
    assert "Verzoek verstuurd" in result
    return result


def _answer(client, sign_in, who: str, form: dict) -> str:
    sign_in(who)
    _, opened = _open_first(client, client.get("/inbox").text, "/inbox")
    action = re.search(r'action="(/inbox/[0-9a-f-]{36}/antwoord)"', opened).group(1)
    receipt = _post(client, action, opened.split(action)[1], form)
    assert "Ontvangstbewijs" in receipt
    return receipt


def _step(client, case_id: str, form: dict) -> None:
    page = client.get(f"/casussen/{case_id}/stap/{form['type']}").text
    response = client.post(
        f"/casussen/{case_id}/stap",
        data={**form, "form_key": form_key(page)},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]


def test_the_seed_scenario_through_the_screens(client, app, sign_in, capfd):
    sign_in(flow.DJI)
    page = client.get("/meldingen/nieuw").text
    notified = _post(client, "/meldingen/nieuw", page, flow.NOTIFICATION_FORM)
    assert "Melding verstuurd" in notified
    with Session(app.state.engine) as db:
        case_id = db.exec(select(Case.id)).one()

    sign_in(flow.ZVH)
    assert case_id.replace("-", "")[:8].upper() in client.get("/signalering").text
    _ask(client, case_id, flow.SOCIAL_REQUEST)
    _ask(client, case_id, flow.SECURITY_REQUEST)

    receipt = _answer(client, sign_in, flow.SOCIAL, flow.SOCIAL_ANSWER_FORM)
    assert "huisvesting" in receipt
    _answer(client, sign_in, flow.SECURITY, flow.SECURITY_ANSWER_FORM)

    sign_in(flow.ZVH)
    _step(client, case_id, flow.VISIT_FORM)
    _step(client, case_id, flow.WEIGHING_FORM)
    _ask(client, case_id, flow.POLICE_REQUEST)
    _answer(client, sign_in, flow.POLICE, flow.POLICE_ANSWER_FORM)
    sign_in(flow.ZVH)
    _ask(client, case_id, flow.PROBATION_REQUEST)
    receipt = _answer(client, sign_in, flow.PROBATION, flow.PROBATION_ANSWER_FORM)
    assert "reclasseringstoezicht" in receipt

    sign_in(flow.ZVH)
    case_page = client.get(f"/casussen/{case_id}").text
    reads = re.findall(r'action="(/verzoeken/[0-9a-f-]{36}/antwoord)"', case_page)
    assert len(reads) == 4
    answer = _post(client, reads[0], case_page.split(reads[0])[1], {})
    assert "vastgelegd" in answer
    _step(client, case_id, flow.PLAN_FORM)

    sign_in(flow.DJI)
    _post(client, "/meldingen/einde", client.get("/meldingen/einde").text, flow.ENDED_FORM)

    sign_in(flow.ZVH)
    sent = _post(client, f"/casussen/{case_id}/overdracht", client.get(f"/casussen/{case_id}/overdracht").text, {})
    assert "Overdracht verstuurd" in sent

    sign_in(flow.SOCIAL)
    _, handover = _open_first(client, client.get("/overdrachten").text, "/overdrachten")
    assert "111222333" in handover and "ID-kaart aanvragen" in handover
    # The plan's actions one a line, the basic condition first, the partner by its name, dates as dd-mm-jjjj.
    assert (
        "<li>Basisvoorwaarde: Identiteitsbewijs; Actie: ID-kaart aanvragen bij de gemeente; "
        "Partner: Gemeente, sociaal domein</li>" in handover
    )
    assert f"<dd>{date.fromisoformat(flow.PLAN_FORM['agreed_on']).strftime('%d-%m-%Y')}</dd>" in handover
    action = re.search(r'action="(/overdrachten/[0-9a-f-]{36}/bevestigen)"', handover).group(1)
    assert "Ontvangst bevestigd" in _post(client, action, handover.split(action)[1], {})

    sign_in(flow.ZVH)
    closed = client.get(f"/casussen/{case_id}").text
    assert "Gesloten" in closed and "Ontvangst bevestigd" in closed  # the acknowledgement status
    with Session(app.state.engine) as db:
        case = db.get(Case, case_id)
        assert case.state == "closed" and case.consent == "yes" and case.risk == "signalled"
        assert len(db.exec(select(DataRequest)).all()) == 4
        assert db.exec(select(Handover)).one().status == "acknowledged"
        records = list(db.exec(select(AuditRecord)))
        events = {r.event_type for r in records}
        social = app.state.registry.by_client_id(flow.SOCIAL).oin
        # Opening the handover on the screen is logged: its content released to Hilversum's social domain.
        assert [r.data_request_id for r in records if r.event_type == "data_released" and r.to_oin == social]
    assert {"data_received", "request_decided", "identity_shown", "data_released", "handover"} <= events
    out, err = capfd.readouterr()
    assert flow.Person.bsn not in out + err  # no log line carries the BSN typed into, or shown by, a screen
    assert "web.signed_in" in out + err  # (the log was captured)
