"""The screens' forms refuse control and invisible formatting characters as the API's bodies do (issue 12, item
13): a 422 naming the form field and the character (never the value), and nothing stored. The answer form was
the gap: its text fields went to the service without the API's StrictInput model."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import Session, func, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from hub.exchange.models import Answer
from tests.web import scenario_flow as flow
from tests.web.conftest import SAME_ORIGIN, form_key
from tests.web.test_scenario import _ask, _open_first, _post, _step

HIDDEN = ["\x00", "\u202e", "\u2066", "\u200b", "\x1b"]


def _count(app, model) -> int:
    with Session(app.state.engine) as db:
        return db.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("char", HIDDEN)
@pytest.mark.parametrize("field", ["name", "prison", "vraag.housing"])
def test_the_notification_form_refuses_a_hidden_character(client, app, sign_in, field, char):
    """DJI's notification form: 422 naming the field and the code point, no case and no log record."""
    sign_in(flow.DJI)
    page = client.get("/meldingen/nieuw").text
    value = f"Jan{char}sen"
    data = {**flow.NOTIFICATION_FORM, field: value, "form_key": form_key(page)}
    response = client.post("/meldingen/nieuw", data=data, headers=SAME_ORIGIN)
    assert response.status_code == 422
    shown = html.unescape(response.text)
    assert f"'{field}'" in shown and f"U+{ord(char):04X}" in shown and value not in shown
    assert (_count(app, Case), _count(app, AuditRecord)) == (0, 0)


@pytest.fixture
def police_request(client, app, sign_in) -> str:
    """The seed scenario through the screens up to the police's risk clarification in its inbox."""
    sign_in(flow.DJI)
    _post(client, "/meldingen/nieuw", client.get("/meldingen/nieuw").text, flow.NOTIFICATION_FORM)
    with Session(app.state.engine) as db:
        case_id = db.exec(select(Case.id)).one()
    sign_in(flow.ZVH)
    _step(client, case_id, flow.VISIT_FORM)
    _step(client, case_id, flow.WEIGHING_FORM)
    _ask(client, case_id, flow.POLICE_REQUEST)
    return case_id


@pytest.mark.parametrize("char", HIDDEN)
def test_the_answer_form_refuses_a_hidden_character(client, app, sign_in, police_request, char):
    """The police's answer with a bidi override or a NUL in its explanation: 422 naming the field, no answer
    stored, no record of it; the same answer without it is received."""
    sign_in(flow.POLICE)
    _, opened = _open_first(client, client.get("/inbox").text, "/inbox")
    action = re.search(r'action="(/inbox/[0-9a-f-]{36}/antwoord)"', opened).group(1)
    field = "risk_clarification.explanation"
    records = _count(app, AuditRecord)
    value = f"Afspraken{char} met de wijkagent"
    form = opened.split(action)[1]
    refused = client.post(
        action, data={**flow.POLICE_ANSWER_FORM, field: value, "form_key": form_key(form)}, headers=SAME_ORIGIN
    )
    assert refused.status_code == 422
    shown = html.unescape(refused.text)
    assert f"'{field}'" in shown and f"U+{ord(char):04X}" in shown and value not in shown
    assert (_count(app, Answer), _count(app, AuditRecord)) == (0, records)
    received = _post(client, action, form, flow.POLICE_ANSWER_FORM)
    assert "Ontvangstbewijs" in received and _count(app, Answer) == 1


def test_a_multi_line_text_keeps_its_line_breaks(client, app, sign_in):
    """A help question typed over two lines (a textarea sends CR LF) is accepted."""
    sign_in(flow.DJI)
    page = client.get("/meldingen/nieuw").text
    data = {**flow.NOTIFICATION_FORM, "vraag.housing": "Zoekt woonruimte.\r\nLiefst in Hilversum."}
    assert "Melding verstuurd" in _post(client, "/meldingen/nieuw", page, data)
