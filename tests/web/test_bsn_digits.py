"""Every screen form that reads a BSN takes only the ASCII digits 0-9 (issue 12, item 5): the person's valid
BSN written in full-width digits passes the eleven-test digit by digit, and was a 500 where it reached
pseudonymise. It is a 422 naming the BSN (the eleven-test), never echoed, and nothing is stored."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from hub.audit.models import AuditRecord
from hub.cases.models import Case
from partners.scenario import Person
from tests.web.conftest import SAME_ORIGIN, form_key
from tests.web.scenario_flow import DJI, ENDED_FORM, NOTIFICATION_FORM

OFFICER = "fg-gooi-en-vechtstreek"
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in Person.bsn)


@pytest.mark.parametrize(
    ("client_id", "path", "form"),
    [
        (DJI, "/meldingen/nieuw", NOTIFICATION_FORM),
        (DJI, "/meldingen/einde", ENDED_FORM),
        (OFFICER, "/logboek", {"uitvoer": "html"}),
        (OFFICER, "/inzage", {"uitvoer": "html"}),
    ],
)
def test_a_bsn_in_full_width_digits_is_refused_on_every_form(client, app, sign_in, client_id, path, form):
    """The form with the BSN in full-width digits: 422 with the eleven-test message, the BSN not echoed, no
    case and no log record."""
    sign_in(client_id)
    page = client.get(path).text
    response = client.post(path, data={**form, "bsn": FULL_WIDTH, "form_key": form_key(page)}, headers=SAME_ORIGIN)
    assert response.status_code == 422, response.text
    assert "elfproef" in response.text
    assert FULL_WIDTH not in response.text and Person.bsn not in response.text
    with Session(app.state.engine) as db:
        assert db.exec(select(func.count()).select_from(Case)).one() == 0
        assert db.exec(select(func.count()).select_from(AuditRecord)).one() == 0
