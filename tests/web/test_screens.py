"""The screens against the real app: real database, real policy engine, real disclosure log. Signed in through
the development picker (the OpenID flow has its own test, test_oidc.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.config import ConfigurationError, Settings
from hub.exchange.models import Answer, DataRequest
from hub.web.models import WebSession
from partners.scenario import PLAN, SOCIAL, ZVH
from tests.web.conftest import SAME_ORIGIN, form_key

BSN = "111222333"


def _records(app, event_type: str) -> list[AuditRecord]:
    with Session(app.state.engine) as db:
        return list(db.exec(select(AuditRecord).where(AuditRecord.event_type == event_type)))


def _count(app, model) -> int:
    with Session(app.state.engine) as db:
        return len(list(db.exec(select(model))))


def test_sign_in_page_is_dutch_with_strict_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert 'href="#inhoud"' in response.text  # skip link
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "Anna de Vries" in response.text  # the development picker


def test_cross_site_post_is_refused_and_stores_nothing(client, app):
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {}):
        response = client.post(
            "/aanmelden/ontwikkeling",
            data={"client_id": ZVH, "employee_id": "medewerker-1"},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 403, headers
        assert "set-cookie" not in response.headers
    assert _count(app, WebSession) == 0
    same = client.post(
        "/aanmelden/ontwikkeling",
        data={"client_id": ZVH, "employee_id": "medewerker-1"},
        headers={"Origin": "http://127.0.0.1:8000"},
        follow_redirects=False,
    )
    assert same.status_code == 303
    assert "HttpOnly" in same.headers["set-cookie"] and "SameSite=lax" in same.headers["set-cookie"]


def test_dev_picker_is_refused_outside_development():
    with pytest.raises(ConfigurationError, match="HUB_WEB_DEV_PICKER"):
        Settings(env="production", web_dev_picker=True).check_safe()


def test_the_hub_refuses_to_start_with_the_dev_picker_outside_development(monkeypatch):
    """At start-up, from the environment as `hub serve` reads it: HUB_WEB_DEV_PICKER outside HUB_ENV=dev."""
    from hub.main import create_app

    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.setenv("HUB_WEB_DEV_PICKER", "true")
    with pytest.raises(ConfigurationError, match="HUB_WEB_DEV_PICKER.*refused unless HUB_ENV=dev"):
        create_app(Settings())
    assert Settings().env == "production" and Settings(web_dev_picker=None).web_dev_picker is None  # off by default


def test_without_sign_in_screens_redirect(client):
    response = client.get("/casussen", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_coordinator_case_pages_never_disclose_on_get(client, app, sign_in, scenario):
    scenario.detention_starts()
    sign_in(ZVH)
    for path in ("/signalering", "/casussen", f"/casussen/{scenario.case_id}", f"/casussen/{scenario.case_id}/verzoek"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert BSN not in response.text and "de Vries" not in response.text.replace("Anna de Vries", ""), path
    board = client.get("/casussen").text
    assert scenario.case_id.replace("-", "")[:8].upper() in board
    assert _records(app, "identity_shown") == []
    assert _records(app, "data_read") == []


def test_identity_is_a_recorded_post_spent_once(client, app, sign_in, scenario):
    scenario.detention_starts()
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}").text
    key = form_key(page)
    response = client.post(f"/casussen/{scenario.case_id}/identiteit", data={"form_key": key}, headers=SAME_ORIGIN)
    assert response.status_code == 200
    assert BSN in response.text and "vastgelegd" in response.text
    assert BSN not in response.text.split("<title>")[1].split("</title>")[0]
    shown = _records(app, "identity_shown")
    assert len(shown) == 1 and shown[0].to_actor == "medewerker-1"
    again = client.post(f"/casussen/{scenario.case_id}/identiteit", data={"form_key": key}, headers=SAME_ORIGIN)
    assert again.status_code == 409 and BSN not in again.text
    assert len(_records(app, "identity_shown")) == 1


def test_preview_decides_without_recording_then_send_records(client, app, sign_in, scenario):
    scenario.detention_starts()
    sign_in(ZVH)
    form = {
        "responder": SOCIAL,
        "activity": "reintegration",
        "categories": ["housing", "income"],
    }
    page = client.get(f"/casussen/{scenario.case_id}/verzoek")
    assert "Consulent" not in page.text  # responders are partners, not people
    assert "gm0406-social" not in page.text  # another municipality than the one of origin
    before = _count(app, AuditRecord)
    preview = client.post(
        f"/casussen/{scenario.case_id}/verzoek/voorbeeld",
        data={**form, "form_key": form_key(page.text)},
        headers=SAME_ORIGIN,
    )
    assert preview.status_code == 200
    assert "Wat het beleid nu zou beslissen" in preview.text
    assert _count(app, AuditRecord) == before and _count(app, DataRequest) == 0
    sent = client.post(
        f"/casussen/{scenario.case_id}/verzoek", data={**form, "form_key": form_key(preview.text)}, headers=SAME_ORIGIN
    )
    assert sent.status_code == 200, sent.text
    assert _count(app, DataRequest) == 1
    assert len(_records(app, "request_decided")) + len(_records(app, "request_refused")) >= 1


def test_request_form_errors_are_named(client, sign_in, scenario):
    scenario.detention_starts()
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}/verzoek").text
    response = client.post(
        f"/casussen/{scenario.case_id}/verzoek", data={"form_key": form_key(page)}, headers=SAME_ORIGIN
    )
    assert response.status_code == 422
    assert 'href="#responder"' in response.text and 'href="#categories"' in response.text


def test_partner_opens_answers_and_coordinator_reads(client, app, sign_in, scenario):
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "income"], "ZVH vraagt")
    request_id = scenario.ids["social"]
    sign_in(SOCIAL)
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and request_id[:8].upper() in inbox.text and BSN not in inbox.text
    opened = client.post(f"/inbox/{request_id}", data={"form_key": form_key(inbox.text)}, headers=SAME_ORIGIN)
    assert opened.status_code == 200 and BSN in opened.text
    assert len(_records(app, "identity_shown")) == 1
    assert 'name="housing.situation"' in opened.text and 'name="housing.at_risk_of_loss"' in opened.text
    answered = client.post(
        f"/inbox/{request_id}/antwoord",
        data={
            "form_key": form_key(opened.text),
            "housing.situation": "homeless",
            "housing.at_risk_of_loss": "ja",
        },
        headers=SAME_ORIGIN,
    )
    assert answered.status_code == 200, answered.text
    assert "Ontvangstbewijs" in answered.text
    assert _count(app, Answer) == 1
    sign_in(ZVH)
    case_page = client.get(f"/casussen/{scenario.case_id}").text
    action = f"/verzoeken/{request_id}/antwoord"
    assert action in case_page
    key = form_key(case_page.split(action)[1])
    read = client.post(action, data={"form_key": key}, headers=SAME_ORIGIN)
    assert read.status_code == 200, read.text
    assert "Dakloos" in read.text and "Dreigt verloren te gaan" in read.text
    assert len(_records(app, "data_released")) == 1


def test_partner_cannot_use_coordinator_screens(client, sign_in, scenario):
    scenario.detention_starts()
    sign_in(SOCIAL)
    response = client.get(f"/casussen/{scenario.case_id}")
    assert response.status_code == 403 and "Geen toegang" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_logout_ends_the_session_for_every_holder_of_the_cookie(client, app, sign_in):
    sign_in(ZVH)
    cookie = client.cookies.get("hub_session")
    out = client.post("/afmelden", headers=SAME_ORIGIN)
    assert out.status_code == 200 and "afgemeld" in out.text
    client.cookies.set("hub_session", cookie)  # another replica, or a copied cookie
    response = client.get("/casussen", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/uitgelogd"


def test_a_second_replica_honours_sign_in_logout_and_extension(client, app, settings, sign_in):
    """Two app instances on one database, as two replicas behind a balancer: a session made on one works on
    the other, and a logout on the other ends it on the first (no session state in a process)."""
    from fastapi.testclient import TestClient

    from hub.main import create_app

    sign_in(ZVH)
    cookie = client.cookies.get("hub_session")
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as replica:
        replica.cookies.set("hub_session", cookie)
        assert replica.get("/signalering", follow_redirects=False).status_code == 200
        assert replica.post("/sessie/verlengen", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
        assert client.get("/signalering", follow_redirects=False).status_code == 200
        out = replica.post("/afmelden", headers=SAME_ORIGIN)
        assert out.status_code == 200 and "U bent afgemeld" in out.text
    response = client.get("/signalering", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/uitgelogd"


def test_idle_session_ends_with_a_clear_page(client, app, sign_in):
    sign_in(ZVH)
    idle = app.state.settings.web_idle_timeout_seconds
    with Session(app.state.engine) as db:
        for row in db.exec(select(WebSession)):
            row.last_seen_at = datetime.now(UTC) - timedelta(seconds=idle + 1)
            db.add(row)
        db.commit()
    response = client.get("/casussen")
    assert response.status_code == 200 and "U bent uitgelogd" in response.text
    assert client.get("/casussen", follow_redirects=False).headers["location"] == "/"


def test_a_get_of_the_signed_out_page_from_another_site_ends_no_session(client, app, sign_in):
    """A link or image elsewhere (SameSite=Lax sends the cookie on a top-level GET) must not sign anyone out:
    /uitgelogd only shows a page; signing out is the same-origin POST /afmelden."""
    sign_in(ZVH)
    page = client.get("/uitgelogd", headers={"Sec-Fetch-Site": "cross-site"})
    assert page.status_code == 200 and "U bent nog aangemeld" in page.text
    assert "set-cookie" not in page.headers
    assert client.get("/signalering", follow_redirects=False).status_code == 200
    with Session(app.state.engine) as db:
        assert [row.ended_at for row in db.exec(select(WebSession))] == [None]
    header = client.get("/signalering").text
    assert '<form method="post" action="/afmelden">' in header and 'href="/afmelden"' not in header


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"reden=x"),  # no boundary
        ("multipart/form-data; boundary=abc", b"--abc\r\nbroken header\r\n\r\nx\r\n--abc--\r\n"),
        ("multipart/form-data; boundary=abc", b"no boundary anywhere"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Type: text/plain\r\n\r\nx\r\n--abc--\r\n"),  # no name
    ],
)
def test_a_malformed_form_body_gets_the_dutch_error_page_and_stores_nothing(
    client, app, sign_in, scenario, content_type, body
):
    scenario.detention_starts()
    sign_in(ZVH)
    before = (_count(app, AuditRecord), _count(app, DataRequest))
    for path in (f"/casussen/{scenario.case_id}/verzoek", "/sessie/verlengen", "/aanmelden/ontwikkeling"):
        response = client.post(
            path, content=body, headers={**SAME_ORIGIN, "Content-Type": content_type}, follow_redirects=False
        )
        assert response.status_code == 400, (path, response.text[:300])
        assert response.headers["content-type"].startswith("text/html"), path
        assert "Formulier niet leesbaar" in response.text and "multipart/form-data" in response.text
        assert "boundary" not in response.text.lower() and "parsing" not in response.text.lower()
    assert (_count(app, AuditRecord), _count(app, DataRequest)) == before
    assert client.get("/signalering", follow_redirects=False).status_code == 200  # still signed in as before


def test_a_get_of_a_post_only_screen_gets_a_dutch_page(client, sign_in):
    sign_in(ZVH)
    response = client.get("/afmelden", follow_redirects=False)
    assert response.status_code == 405 and response.headers["content-type"].startswith("text/html")
    assert "Niet zo op te vragen" in response.text and "Method Not Allowed" not in response.text
    assert client.get("/signalering", follow_redirects=False).status_code == 200


def test_a_step_with_missing_answers_names_them_and_changes_nothing(client, app, sign_in, scenario):
    scenario.detention_starts()
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}/stap/weighing_recorded")
    assert "eindigt de ondersteuning" in page.text  # what follows the weighing
    response = client.post(
        f"/casussen/{scenario.case_id}/stap",
        data={"type": "weighing_recorded", "consent": "yes", "form_key": form_key(page.text)},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422 and 'href="#risico"' in response.text
    close = client.get(f"/casussen/{scenario.case_id}/stap/case_closed").text
    unconfirmed = client.post(
        f"/casussen/{scenario.case_id}/stap",
        data={"type": "case_closed", "reason": "no_help_no_risk", "form_key": form_key(close)},
        headers=SAME_ORIGIN,
    )
    assert unconfirmed.status_code == 422 and "Bevestig" in unconfirmed.text
    with Session(app.state.engine) as db:
        from hub.cases.models import Case

        assert db.get(Case, scenario.case_id).state == "notified"


def test_the_notification_form_never_echoes_the_bsn_in_its_errors(client, app, sign_in):
    sign_in("dji-pi-nieuwegein")
    page = client.get("/meldingen/nieuw").text
    response = client.post(
        "/meldingen/nieuw",
        data={"form_key": form_key(page), "bsn": "12345", "name": "X", "municipality": "GM0402"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert 'href="#meldingsnummer"' in response.text and 'href="#begindatum"' in response.text
    assert "12345" not in response.text


@pytest.mark.parametrize("back", ["//evil.example/", "/\\evil.example", "https://evil.example/"])
def test_extending_the_session_never_sends_the_browser_elsewhere(client, sign_in, back):
    sign_in(ZVH)
    response = client.post("/sessie/verlengen", data={"terug": back}, headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    kept = client.post("/sessie/verlengen", data={"terug": "/casussen"}, headers=SAME_ORIGIN, follow_redirects=False)
    assert kept.headers["location"] == "/casussen"


def test_abandoned_session_rows_are_deleted_when_new_ones_are_made(client, app, sign_in):
    sign_in(ZVH)
    with Session(app.state.engine) as db:
        row = db.exec(select(WebSession)).one()
        row.last_seen_at = datetime.now(UTC) - timedelta(days=2)
        db.add(row)
        db.commit()
        old = row.id
    client.cookies.clear()
    sign_in(SOCIAL)
    with Session(app.state.engine) as db:
        assert db.get(WebSession, old) is None and len(db.exec(select(WebSession)).all()) == 1


def test_the_session_cookie_is_secure_and_host_bound_outside_development():
    from types import SimpleNamespace

    from fastapi import Response

    from hub.web.sessions import _set_cookie

    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(env="production"))))
    response = Response()
    _set_cookie(request, response, "token-value")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-hub_session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_handover_page_shows_what_would_go_and_why_not_without_recording(client, app, sign_in, scenario):
    """Before sending, the Overdracht page shows the policy's decision per offered category with its Dutch
    reason, decided on the case as it is now; it records nothing and sends nothing."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt Hilversum")
    scenario.answer("social", SOCIAL, {"housing": {"situation": "with_family_or_friends"}}, "Hilversum antwoordt")
    scenario.event({"type": "visit_recorded", "visited_on": scenario.started_on.isoformat()}, "Bezoek")
    scenario.event({"type": "weighing_recorded", "consent": "yes", "risk": "none"}, "Weging: wil hulp")
    scenario.event({"type": "plan_recorded", "plan": PLAN}, "Plan")
    sign_in(ZVH)
    path = f"/casussen/{scenario.case_id}/overdracht"
    records_before = _count(app, AuditRecord)
    before_end = client.get(path).text
    assert "huisvesting: gaat niet mee – " in before_end  # detention has not ended: the policy's own reason
    assert "plan van aanpak: gaat niet mee – " in before_end and "gaat mee<" not in before_end
    scenario.detention_ends()
    records_after_end = _count(app, AuditRecord)
    after_end = client.get(path).text
    assert "huisvesting: gaat mee" in after_end and "gaat niet mee" not in after_end
    assert "with_family_or_friends" not in after_end and BSN not in after_end  # names only: nothing decrypted
    assert _count(app, AuditRecord) == records_after_end  # the page records nothing
    assert records_after_end > records_before  # (the detention's end itself is an event with its records)
    assert _records(app, "handover") == []
