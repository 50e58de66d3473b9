"""Issue 13 item by item, where no other test pinned it: what Signalering, Casussen, Casus, Nieuw verzoek, the
inbox, the opened request and the receipt show; every kind of generated field; that no screen POST from
another site changes anything. Real app, real database, real policy engine, real log; signed in through the
development picker; cases made through the API."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, timedelta
from html import escape
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from hub.audit.models import AuditRecord
from hub.config import ROOT
from hub.exchange.models import DataRequest
from hub.policy.catalogue import get_catalogue
from hub.policy.register import get_register
from hub.web import forms
from partners.scenario import PLAN, SOCIAL, ZVH
from tests.cases.conftest import started_body
from tests.web.conftest import SAME_ORIGIN, form_key

DJI = "dji-pi-nieuwegein"
TODAY = date.today()


def _ref(case_id: str) -> str:
    return case_id.replace("-", "")[:8].upper()


def _notify(partner_client, number: str, bsn: str, **changes) -> str:
    """A detention-started notification through the API; the new case's id."""
    body = started_body(f"PI-NWG-ITEMS-{number}", **changes)
    body["subject"] = {**body["subject"], "bsn": bsn}
    response = partner_client(DJI, actor="dji-medewerker-7").post("/v1/notifications/detention-started", json=body)
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def _event(partner_client, case_id: str, body: dict) -> None:
    response = partner_client(ZVH, actor="regisseur-1").post(f"/v1/cases/{case_id}/events", json=body)
    assert response.status_code == 201, response.text


def _ask(partner_client, case_id: str, categories: list[str]) -> dict:
    body = {"responder": SOCIAL, "activity": "reintegration", "categories": categories}
    response = partner_client(ZVH, actor="regisseur-1").post(f"/v1/cases/{case_id}/requests", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _count(app, model) -> int:
    with Session(app.state.engine) as db:
        return len(db.exec(select(model)).all())


def _at(app, moment) -> None:
    """The hub's clock for the screens (the API's own dependency, hub.exchange.dependencies.get_clock)."""
    from hub.exchange.dependencies import get_clock

    app.dependency_overrides[get_clock] = lambda: lambda: moment


# -- Signalering ------------------------------------------------------------------------------------------


def test_signalering_lists_the_five_kinds(client, app, sign_in, scenario, partner_client):
    """New notifications, cases waiting for the weighing (visited, not yet weighed: a weighed case waits for
    its plan and is not listed), release within 7 days, overdue requests, handovers not yet confirmed."""
    new = _notify(partner_client, "NEW", "100000046", expected_release_on=(TODAY + timedelta(days=3)).isoformat())
    visited = _notify(partner_client, "VISITED", "100000010")
    _event(partner_client, visited, {"type": "visit_recorded", "visited_on": TODAY.isoformat()})
    weighed = _notify(partner_client, "WEIGHED", "100000022")
    _event(partner_client, weighed, {"type": "visit_recorded", "visited_on": TODAY.isoformat()})
    _event(partner_client, weighed, {"type": "weighing_recorded", "consent": "yes", "risk": "none"})
    asked = _ask(partner_client, visited, ["housing"])

    scenario.detention_starts()
    scenario.event({"type": "visit_recorded", "visited_on": scenario.started_on.isoformat()}, "Bezoek")
    scenario.event({"type": "weighing_recorded", "consent": "yes", "risk": "none"}, "Weging")
    scenario.event({"type": "plan_recorded", "plan": PLAN}, "Plan")
    scenario.detention_ends()
    handover = partner_client(ZVH, actor="regisseur-1").post(f"/v1/cases/{scenario.case_id}/handover")
    assert handover.status_code == 201, handover.text

    sign_in(ZVH)
    queue = client.get("/signalering").text
    shown = {
        kind: {c for c in (new, visited, weighed, scenario.case_id) if f"Casus {_ref(c)}" in _section(queue, kind)}
        for kind in ("kop-nieuwe-meldingen", "kop-wachten-op-weging", "kop-vrij-binnen-7-dagen", "kop-overdracht")
    }
    assert shown == {
        "kop-nieuwe-meldingen": {new},
        "kop-wachten-op-weging": {visited},
        "kop-vrij-binnen-7-dagen": {new},
        "kop-overdracht": {scenario.case_id},
    }
    assert f"Casus {_ref(visited)}" not in _section(queue, "kop-te-laat")
    from datetime import datetime

    _at(app, datetime.fromisoformat(asked["due_at"]).astimezone(UTC) + timedelta(hours=1))
    later = client.get("/signalering").text
    app.dependency_overrides.clear()
    assert f"Casus {_ref(visited)}" in _section(later, "kop-te-laat")


# -- Casussen and Casus ---------------------------------------------------------------------------------


def test_the_case_board_sorts_by_release_filters_and_finds_a_short_reference(client, sign_in, partner_client):
    later = _notify(partner_client, "LATER", "100000046", expected_release_on=(TODAY + timedelta(days=40)).isoformat())
    soon = _notify(
        partner_client,
        "SOON",
        "100000010",
        expected_release_on=(TODAY + timedelta(days=5)).isoformat(),
        municipality="GM0406",
    )
    unknown = _notify(partner_client, "UNKNOWN", "100000022", expected_release_on=None)
    _event(partner_client, later, {"type": "visit_recorded", "visited_on": TODAY.isoformat()})
    sign_in(ZVH)

    def listed(query: str = "") -> list[str]:
        page = client.get(f"/casussen{query}")
        assert page.status_code == 200, page.text
        return re.findall(r'scope="row"><a class="utrecht-link" href="/casussen/([0-9a-f-]{36})"', page.text)

    assert listed() == [soon, later, unknown]  # soonest release first, unknown release last
    assert listed("?gemeente=GM0406") == [soon]
    assert listed("?fase=screening") == [later]
    assert listed(f"?kenmerk={_ref(unknown).lower()}") == [unknown]
    board = client.get("/casussen").text
    row = board[board.index(f">{_ref(later)}</a>") :]
    row = row[: row.index("</tr>")]
    assert "Screening" in row and "Hilversum" in row and "PI Nieuwegein" in row and "Nog onbekend" in row
    assert "Huizen" in board  # the municipality's name, not its code


def test_the_case_page_shows_who_did_what_when_and_the_related_detentions(client, sign_in, partner_client):
    first = _notify(partner_client, "FIRST", "100000034")
    ended = partner_client(DJI, actor="dji-medewerker-7").post(
        "/v1/notifications/detention-ended",
        json={
            "notification_id": "PI-NWG-ITEMS-FIRST-END",
            "started_notification_id": "PI-NWG-ITEMS-FIRST",
            "bsn": "100000034",
            "ended_on": TODAY.isoformat(),
        },
    )
    assert ended.status_code == 200, ended.text
    second = _notify(partner_client, "SECOND", "100000034")
    sign_in(ZVH)
    page = client.get(f"/casussen/{second}").text
    related = page[page.index("Andere detenties van dezelfde persoon") :]
    assert f'href="/casussen/{first}"' in related and f"Casus {_ref(first)}" in related
    timeline = page[page.index(">Tijdlijn<") :]
    entry = re.search(r"<strong>Detentie begonnen</strong> – (\d\d-\d\d-\d{4} \d\d:\d\d), door ([^<]+)</li>", timeline)
    assert entry, timeline[:500]
    assert entry.group(2) == "dji-medewerker-7 (DJI, Penitentiaire Inrichting Nieuwegein)"
    assert "100000034" not in page  # the person only after the recorded POST


def test_a_refused_look_at_the_identity_shows_the_policys_reason_and_is_recorded(client, app, sign_in, scenario):
    """After the case closed the policy refuses the identity: the page gives the policy's own Dutch reason,
    the refusal is in the log, and nothing of the person is shown."""
    scenario.detention_starts()
    scenario.detention_ends()  # nothing to hand over: the case closes
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}").text
    before = _count(app, AuditRecord)
    refused = client.post(
        f"/casussen/{scenario.case_id}/identiteit", data={"form_key": form_key(page)}, headers=SAME_ORIGIN
    )
    reasons = json.loads((ROOT / "policies" / "dt" / "reference" / "data.json").read_text())["reasons"]
    assert refused.status_code == 409
    assert reasons["case_closed"]["explanation"] in refused.text
    assert scenario.person.bsn not in refused.text and scenario.person.name not in refused.text
    with Session(app.state.engine) as db:
        added = db.exec(select(AuditRecord).order_by(AuditRecord.seq).offset(before)).all()  # type: ignore[arg-type]
    assert [r.event_type for r in added] and "identity_shown" not in {r.event_type for r in added}


# -- Nieuw verzoek ----------------------------------------------------------------------------------------


def test_a_new_request_shows_purposes_and_sensitivity_badges_and_a_result_per_category(client, app, sign_in, scenario):
    scenario.detention_starts()
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}/verzoek").text
    for activity in get_register(app.state.settings.policies_dir).activities.values():
        if activity.direction == "request":
            assert f'<label for="activiteit-{activity.ref.id}">{escape(activity.ref.name)}</label>' in page
            assert f"Doel: {escape(activity.purpose)}" in page
    for category in get_catalogue().categories.values():
        line = page[page.index(f'<label for="categorie-{category.id}">') :]
        line = line[: line.index("</div>")]
        if category.sensitivity == "personal":
            assert "hub-badge" not in line, category.id
        else:
            assert f'hub-badge--{category.sensitivity}"' in line, category.id
    assert ">bijzonder</span>" in page and ">strafrechtelijk</span>" in page
    choices = page[page.index('id="responder"') : page.index("</select>", page.index('id="responder"'))]
    offered = set(re.findall(r'<option value="([^"]+)"', choices)) - {""}
    assert {SOCIAL, "gm0402-security", "politie-midden-nederland", "reclassering-nederland"} <= offered
    assert not offered & {"gm0406-social", "fg-gooi-en-vechtstreek", "analist-gooi-en-vechtstreek", ZVH}
    assert all(p.municipality in (None, "GM0402") for p in map(app.state.registry.by_client_id, offered))

    form = {"responder": SOCIAL, "activity": "reintegration", "categories": ["housing", "care"]}
    sent = client.post(
        f"/casussen/{scenario.case_id}/verzoek", data={**form, "form_key": form_key(page)}, headers=SAME_ORIGIN
    )
    assert sent.status_code == 200, sent.text
    with Session(app.state.engine) as db:
        stored = db.exec(select(DataRequest)).one()
    assert stored.categories_allowed == ["housing"] and set(stored.categories_denied) == {"care"}
    assert "<li>huisvesting: gevraagd</li>" in sent.text
    assert f"<li>zorg: geweigerd – {stored.categories_denied['care']['explanation']}</li>" in sent.text


# -- the answering partner ------------------------------------------------------------------------------


def test_the_inbox_shows_days_left_then_overdue_and_the_opened_request_its_legal_basis(client, app, sign_in, scenario):
    from datetime import datetime

    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    sign_in(SOCIAL)
    with Session(app.state.engine) as db:
        stored = db.exec(select(DataRequest)).one()
    due = stored.due_at.replace(tzinfo=UTC)
    now = datetime.now(UTC).replace(microsecond=0)
    _at(app, now)
    inbox = client.get("/inbox").text
    row = inbox[inbox.index(f'scope="row">{stored.id[:8].upper()}</th>') :]
    cells = re.findall(r'<td class="utrecht-table__cell">(.*?)</td>', row[: row.index("</tr>")], re.S)
    assert cells[0] == "Zorg- en Veiligheidshuis Gooi en Vechtstreek"
    assert "Re-integratie" in cells[1] and "Ondersteuning bij de basisvoorwaarden" in cells[1]  # activity, purpose
    assert cells[2] == "huisvesting"
    assert cells[5] == str((due - now).days) and "hub-overdue" not in inbox
    dutch = ZoneInfo("Europe/Amsterdam")  # received and due, in Dutch time (the hub stores UTC)
    received = stored.created_at.replace(tzinfo=UTC).astimezone(dutch)
    assert cells[3:5] == [received.strftime("%d-%m-%Y %H:%M"), due.astimezone(dutch).strftime("%d-%m-%Y %H:%M")]

    _at(app, due + timedelta(hours=1))
    late = client.get("/inbox").text
    app.dependency_overrides.clear()
    row = late[late.index(f'scope="row">{stored.id[:8].upper()}</th>') :]
    assert "Te laat" in row[: row.index("</tr>")] and 'class="utrecht-table__row hub-overdue"' in late

    opened = client.post(f"/inbox/{stored.id}", data={"form_key": form_key(inbox)}, headers=SAME_ORIGIN).text
    activity = get_register(app.state.settings.policies_dir).get("reintegration")
    assert f"<dt>Grondslag</dt><dd>{activity.ref.legal_basis}</dd>" in opened
    assert scenario.person.bsn in opened  # name, date of birth and BSN: the opening was a recorded POST


def test_the_receipt_counts_the_fields_outside_the_catalogue(client, app, sign_in, scenario):
    """After answering: released, withheld, and how many fields were outside the catalogue (none can come
    from a generated form: a field the form does not know is not read)."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    sign_in(SOCIAL)
    inbox = client.get("/inbox").text
    request_id = scenario.ids["social"]
    opened = client.post(f"/inbox/{request_id}", data={"form_key": form_key(inbox)}, headers=SAME_ORIGIN).text
    receipt = client.post(
        f"/inbox/{request_id}/antwoord",
        data={"form_key": form_key(opened), "housing.situation": "homeless", "housing.secret_note": "x"},
        headers=SAME_ORIGIN,
    )
    assert receipt.status_code == 200, receipt.text
    assert "Velden buiten de catalogus: 0." in receipt.text

    from hub.exchange.schemas import AnswerReceipt, Withholding
    from hub.web.templating import _env

    counted = AnswerReceipt(
        request_id=request_id,
        status="answered",
        released=["housing"],
        withheld=[Withholding.from_withheld({"category": "housing", "reason": "x", "fields_not_in_catalogue": 2})],
    )
    html = _env.get_template("partner/receipt.html").render(
        request=None, person=None, partner=None, idle_seconds=0, warning_seconds=0, receipt=counted, names={}
    )
    assert "Velden buiten de catalogus: 2 (niet doorgegeven)." in html


def test_every_kind_of_field_is_generated_from_a_json_schema_and_read_back():
    schema = {
        "required": ["situation"],
        "properties": {
            "situation": {"enum": ["homeless", "own_home"]},
            "at_risk": {"type": "boolean"},
            "since": {"type": "string", "format": "date"},
            "total": {"type": "integer", "maximum": 9},
            "creditors": {"type": "array", "items": {"enum": ["tax", "cjib"]}},
            "note": {"type": ["string", "null"], "maxLength": 20},
            "ages": {"type": "array", "items": {"type": "integer"}},
            "rows": {"type": "array", "items": {"type": "object"}},  # not offered on a screen
        },
    }
    generated = forms.widgets("c", schema)
    assert [(w.field, w.kind, w.required) for w in generated] == [
        ("situation", "choice", True),
        ("at_risk", "yesno", False),
        ("since", "date", False),
        ("total", "integer", False),
        ("creditors", "checkboxes", False),
        ("note", "text", False),
        ("ages", "numbers", False),
    ]
    from starlette.datastructures import FormData

    posted = FormData(
        [
            ("c.situation", "homeless"),
            ("c.at_risk", "nee"),
            ("c.since", "2026-01-02"),
            ("c.total", "7"),
            ("c.creditors", "tax"),
            ("c.creditors", "cjib"),
            ("c.creditors", "other"),
            ("c.ages", "4, 7 12"),
            ("c.rows", "x"),
        ]
    )
    values, errors = forms.parse(posted, {"c": generated})
    assert errors == []
    assert values == {
        "c": {
            "situation": "homeless",
            "at_risk": False,
            "since": "2026-01-02",
            "total": 7,
            "creditors": ["tax", "cjib"],
            "ages": [4, 7, 12],
        }
    }
    assert forms.parse(FormData([("c.situation", "own_home"), ("c.ages", "vier")]), {"c": generated})[1] == [
        ("veld-c-ages", "Vul hele getallen in, gescheiden door komma's.")
    ]


def test_every_catalogue_field_a_partner_answers_has_a_generated_field():
    """The categories partners answer: every field is on the form, except arrays of objects (API only)."""
    from hub.exchange.service import ports

    for category in get_catalogue().categories.values():
        if category.id == "plan":
            continue  # the coordinator's own plan: the Plan step's form
        schema = ports.category_schema(category.id)
        shown = {w.field for w in forms.widgets(category.id, schema)}
        offered = {
            name
            for name, spec in schema.get("properties", {}).items()
            if not (spec.get("type") == "array" and spec.get("items", {}).get("type") == "object")
        }
        assert shown == offered, category.id


# -- cross-site writes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://evil.example"}, {}],
)
def test_no_screen_post_from_another_site_changes_anything(client, app, sign_in, scenario, headers):
    """Every unsafe screen route, called with a signed-in session from another site: 403 (the HTML page of
    cross_site_request) and nothing stored or logged; the session itself survives (not even a logout)."""
    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}").text
    ids = {"case_id": scenario.case_id, "request_id": scenario.ids["social"]}
    before = (_count(app, AuditRecord), _count(app, DataRequest))
    posts = []
    from fastapi.routing import iter_route_contexts

    for route in iter_route_contexts(app.routes):
        methods = route.methods or set()
        if not methods & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        if not getattr(route.endpoint, "__module__", "").startswith("hub.web."):
            continue  # not a screen (hub.web.is_screen's test)
        path = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "00000000-0000-4000-8000-000000000000"), route.path)
        posts.append(path)
        response = client.post(
            path,
            data={
                "form_key": form_key(page),
                "client_id": ZVH,
                "employee_id": "medewerker-1",
                "type": "visit_recorded",
            },
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 403, (path, response.status_code)
        assert "Verzoek van een andere website" in response.text, path
        assert "set-cookie" not in response.headers, path
    assert len(posts) >= 20 and "/afmelden" in posts and f"/casussen/{scenario.case_id}/verzoek" in posts
    assert (_count(app, AuditRecord), _count(app, DataRequest)) == before
    assert client.get("/signalering", follow_redirects=False).status_code == 200  # still signed in


def test_the_plan_form_follows_the_catalogues_plan_schema(client, sign_in, scenario):
    """One block per basic condition the plan schema names, its lengths, and the partner chosen by role."""
    from hub.exchange.service import ports

    scenario.detention_starts()
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}/stap/plan_recorded").text
    schema = ports.category_schema("plan")["properties"]
    action = schema["actions"]["items"]["properties"]
    assert re.findall(r'name="action\.(\w+)"', page) == action["domain"]["enum"]
    assert set(re.findall(r'name="action\.\w+" rows="2" maxlength="(\d+)"', page)) == {
        str(action["action"]["maxLength"])
    }
    assert f'name="contact_municipality" maxlength="{schema["contact_municipality"]["maxLength"]}"' in page
    partner = page[page.index('<select class="utrecht-select" id="partner-housing"') :]
    partner = partner[: partner.index("</select>")]
    assert '<option value="municipal_social">Gemeente, sociaal domein</option>' in partner
    assert all(len(role) <= action["partner_role"]["maxLength"] for role in re.findall(r'value="(\w+)"', partner))


def _operation(dependant) -> str | None:
    """The operation a screen route is authorized by (hub.web.dependencies.web_authorize / authorized_form)."""
    stack = list(dependant.dependencies)
    while stack:
        found = stack.pop()
        if hasattr(found.call, "operation"):
            return found.call.operation
        stack.extend(found.dependencies)
    return None


def test_a_refused_role_is_refused_before_its_form_is_read(client, app, sign_in, scenario):
    """Every screen POST authorized by an operation, sent by a role the policy refuses (the region's analyst)
    with a body the form parser refuses (multipart without a boundary: 400 once parsed, as for the coordinator
    below): 403 operation_forbidden, never the parser's 400."""
    from fastapi.routing import iter_route_contexts

    scenario.detention_starts()
    sign_in("analist-gooi-en-vechtstreek")
    refused = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if "POST" not in (context.methods or set()) or not context.endpoint.__module__.startswith("hub.web."):
            continue
        operation = _operation(route.dependant)
        if operation is None or operation == "monitor.read":
            continue  # sign-in, logout and the session's extension; the analyst's own screen
        path = re.sub(r"\{(\w+)\}", lambda m: scenario.case_id, route.path)
        response = client.post(
            path,
            content=b"--x\r\nContent-Disposition: form-data; name\r\n\r\nnot a form",
            headers={**SAME_ORIGIN, "Content-Type": "multipart/form-data"},
        )
        assert response.status_code == 403 and "Geen toegang" in response.text, (path, response.status_code)
        refused.append(operation)
    assert {"case.read", "request.create", "answer.submit", "case.transition", "handover.create"} <= set(refused)
    sign_in(ZVH)  # an allowed role gets as far as the parser, which refuses the same body
    parsed = client.post(
        f"/casussen/{scenario.case_id}/verzoek",
        content=b"not a form",
        headers={**SAME_ORIGIN, "Content-Type": "multipart/form-data"},
    )
    assert parsed.status_code == 400


def test_the_answer_page_shows_released_values_and_what_was_withheld_whole(client, app, sign_in, scenario):
    """Antwoord: the released values with Dutch labels, and a category withheld whole with its reason (the
    responder sent care through the API although the policy had not allowed it)."""
    from hub.exchange.schemas import WITHHELD_EXPLANATIONS

    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing", "care"], "ZVH vraagt")
    scenario.answer(
        "social",
        SOCIAL,
        {"housing": {"situation": "homeless"}, "care": {"ongoing_care": True}},
        "Hilversum antwoordt, ook wat niet gevraagd mocht worden",
    )
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}").text
    action = f"/verzoeken/{scenario.ids['social']}/antwoord"
    read = client.post(action, data={"form_key": form_key(page.split(action)[1])}, headers=SAME_ORIGIN)
    assert read.status_code == 200, read.text
    released, withheld = read.text.split("Niet verstrekt")
    assert "<dt>Situatie</dt><dd>Dakloos</dd>" in released and "homeless" not in read.text
    assert f"<li>zorg: {WITHHELD_EXPLANATIONS['category_not_allowed']}</li>" in withheld
    assert "Lopende zorg" not in read.text and "ongoing_care" not in read.text


# Each screen and its API twin (docs/SCREENS.md, "The pages").
TWINS = {
    ("GET", "/signalering"): ("GET", "/v1/cases"),
    ("GET", "/casussen"): ("GET", "/v1/cases"),
    ("GET", "/casussen/{case_id}"): ("GET", "/v1/cases/{case_id}"),
    ("POST", "/casussen/{case_id}/identiteit"): ("GET", "/v1/cases/{case_id}/identity"),
    ("POST", "/casussen/{case_id}/informatieblad"): ("GET", "/v1/cases/{case_id}/information-sheet"),
    ("GET", "/casussen/{case_id}/verzoek"): ("POST", "/v1/cases/{case_id}/requests"),
    ("POST", "/casussen/{case_id}/verzoek/voorbeeld"): ("POST", "/v1/cases/{case_id}/requests"),
    ("POST", "/casussen/{case_id}/verzoek"): ("POST", "/v1/cases/{case_id}/requests"),
    ("POST", "/verzoeken/{request_id}/antwoord"): ("GET", "/v1/requests/{request_id}/answer"),
    ("POST", "/verzoeken/{request_id}/opnieuw"): ("POST", "/v1/requests/{request_id}/renew"),
    ("GET", "/casussen/{case_id}/stap/{step}"): ("POST", "/v1/cases/{case_id}/events"),
    ("POST", "/casussen/{case_id}/stap"): ("POST", "/v1/cases/{case_id}/events"),
    ("GET", "/casussen/{case_id}/overdracht"): ("POST", "/v1/cases/{case_id}/handover"),
    ("POST", "/casussen/{case_id}/overdracht"): ("POST", "/v1/cases/{case_id}/handover"),
    ("GET", "/inbox"): ("GET", "/v1/inbox"),
    ("POST", "/inbox/{request_id}"): ("GET", "/v1/inbox/{request_id}"),
    ("POST", "/inbox/{request_id}/antwoord"): ("POST", "/v1/inbox/{request_id}/answer"),
    ("GET", "/overdrachten"): ("GET", "/v1/handovers"),
    ("POST", "/overdrachten/{handover_id}"): ("GET", "/v1/handovers/{handover_id}"),
    ("POST", "/overdrachten/{handover_id}/bevestigen"): ("POST", "/v1/handovers/{handover_id}/acknowledge"),
    ("GET", "/meldingen/nieuw"): ("POST", "/v1/notifications/detention-started"),
    ("POST", "/meldingen/nieuw"): ("POST", "/v1/notifications/detention-started"),
    ("GET", "/meldingen/einde"): ("POST", "/v1/notifications/detention-ended"),
    ("POST", "/meldingen/einde"): ("POST", "/v1/notifications/detention-ended"),
}


def test_each_screen_is_authorized_by_its_api_twins_operation(app):
    from fastapi.routing import iter_route_contexts

    operations = {}
    for context in iter_route_contexts(app.routes):
        for method in (context.methods or set()) - {"HEAD"}:
            route = context.route
            if context.path.startswith("/v1/"):
                authorization = getattr(route, "authorization", None)
                operations[(method, context.path)] = getattr(authorization, "operation", None)
            elif context.endpoint.__module__.startswith("hub.web."):
                operations[(method, context.path)] = _operation(route.dependant)
    pairs = {screen: (operations.get(screen), operations.get(api)) for screen, api in TWINS.items()}
    assert all(screen is not None and screen == api for screen, api in pairs.values()), pairs


def test_live_regions_only_announce_results(client, sign_in, scenario, partner_client):
    """aria-live (role status/alert) only for results: a page opened with a GET, a state note included (the
    step that cannot be taken now, the origin that is settled or contested), announces nothing and shows
    nobody. Every one is sent with no-store under the strict CSP."""
    from tests.web.test_origin_screens import HUIZEN, notification

    scenario.detention_starts()
    scenario.ask("social", SOCIAL, "reintegration", ["housing"], "ZVH vraagt")
    case = scenario.case_id
    unknown = partner_client(DJI).post("/v1/notifications/detention-started", json=notification(1)).json()["case_id"]
    determined = partner_client(ZVH).post(
        f"/v1/cases/{unknown}/origin", json={"municipality": "GM0406", "reason": "last_address"}
    )
    contest = f"/v1/origin-determinations/{determined.json()['id']}/contest"
    assert partner_client(HUIZEN).post(contest, json={"reason": "registered_elsewhere"}).status_code == 201
    pages = {
        ZVH: ["/signalering", "/casussen", f"/casussen/{case}", f"/casussen/{case}/verzoek"]
        + [f"/casussen/{case}/stap/{step}" for step in ("visit_recorded", "plan_recorded", "case_closed")]
        + [f"/casussen/{case}/herkomst", f"/casussen/{unknown}", f"/casussen/{unknown}/herkomst"],
        SOCIAL: ["/inbox", "/overdrachten", "/herkomst"],
        HUIZEN: ["/herkomst"],
        DJI: ["/meldingen/nieuw", "/meldingen/einde"],
    }
    for who, paths in pages.items():
        sign_in(who)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, path
            assert not re.search(r'role="(status|alert)"|aria-live', page.text), path
            assert scenario.person.bsn not in page.text and scenario.person.name not in page.text, (
                path
            )  # no GET discloses
            assert page.headers["cache-control"] == "no-store", path
            csp = page.headers["content-security-policy"]
            assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp, path
            if path.endswith("/plan_recorded"):
                assert "kan in de fase" in page.text  # the state note is there, announced by nobody
            if path == f"/casussen/{case}/herkomst":
                assert "De gemeente van herkomst staat vast" in page.text
            if path == "/herkomst" and who == HUIZEN:
                assert "Uw gemeente heeft deze herkomst betwist" in page.text


@pytest.mark.parametrize("required", [False, True])
def test_without_chromium_the_browser_tests_skip_with_the_install_line(tmp_path, required):
    """`make test` on a machine without chromium skips the browser tests and says how to install it; CI
    (HUB_TEST_REQUIRE_BROWSER, set by .ci/run) fails instead of skipping."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HUB_TEST_REQUIRE_BROWSER"}
    env["PATH"] = str(tmp_path)  # no chromium on it
    if required:
        env["HUB_TEST_REQUIRE_BROWSER"] = "1"
    run = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-k", "axe_check"]
        + [str(ROOT / "tests" / "web" / "test_browser.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if required:
        assert run.returncode != 0 and "chromium is required here" in run.stdout, run.stdout[-800:]
    else:
        assert run.returncode == 0 and "1 skipped" in run.stdout, run.stdout[-800:]
        assert "chromium is not installed: `apt-get install -y chromium`" in run.stdout


def test_the_front_end_stack_is_pinned_and_installed_not_committed():
    """htmx pinned to 2.0.x (4.x renamed its events), the NL Design System packages allowed here (never the
    Utrecht or Rijkshuisstijl design tokens), installed from the lockfile; nothing third-party is committed."""
    package = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert re.fullmatch(r"2\.0\.\d+", package["htmx.org"]) and lock["node_modules/htmx.org"]["version"].startswith(
        "2.0."
    )
    assert set(package) == {
        "htmx.org",
        "@utrecht/component-library-css",
        "@nl-design-system-unstable/voorbeeld-design-tokens",
        "@fontsource/noto-sans",
    }
    forbidden = ("@utrecht/design-tokens", "@rijkshuisstijl-community/design-tokens")
    assert not [name for name in lock if name.endswith(forbidden)]
    ours = sorted(p.name for p in (ROOT / "hub" / "web" / "static").iterdir())
    assert ours == ["app.js", "officer.css", "theme.css"]  # our own; the packages are served from node_modules
    assert "node_modules/" in (ROOT / ".gitignore").read_text().split()


def test_a_screen_that_cannot_be_shown_records_nothing(client, app, sign_in, scenario, monkeypatch):
    """The screen's service call and its page are one unit of work: when the identity page cannot be rendered,
    the look is not logged as shown (the same order as the API's, tests/*/test_render_before_commit.py)."""
    import hub.web.coordinator as coordinator

    scenario.detention_starts()
    sign_in(ZVH)
    page = client.get(f"/casussen/{scenario.case_id}").text
    shown = len([r for r in _records_of(app, "identity_shown")])

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(coordinator, "render", broken)
    failed = client.post(
        f"/casussen/{scenario.case_id}/identiteit", data={"form_key": form_key(page)}, headers=SAME_ORIGIN
    )
    assert failed.status_code == 500 and scenario.person.bsn not in failed.text
    assert len(_records_of(app, "identity_shown")) == shown == 0
    monkeypatch.undo()
    again = client.post(
        f"/casussen/{scenario.case_id}/identiteit", data={"form_key": form_key(page)}, headers=SAME_ORIGIN
    )
    assert again.status_code == 200 and len(_records_of(app, "identity_shown")) == 1  # the key was not spent either


def _records_of(app, event_type: str) -> list[AuditRecord]:
    with Session(app.state.engine) as db:
        return list(db.exec(select(AuditRecord).where(AuditRecord.event_type == event_type)))
