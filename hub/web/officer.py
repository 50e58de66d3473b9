"""The privacy officer's screens: Logboek doorzoeken, Integriteit, Inzageverzoek and Partners en rechten (the
Overzicht is in hub.web.officer_reports, the Jaarverslag in hub.web.officer_annual).

They never show content: only what the log holds (categories, codes, names, hashes). Each is authorized by the
same `api` rule and operation as its /v1/audit twin before any form is parsed, and calls the same service
functions, so every look is recorded as the API's is (an inspection, or an access_report record), in the
request's own transaction, committed only after the page is rendered (hub.db.SessionDep).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from hub.audit.access import access_report, category_namer, organisation_namer
from hub.audit.errors import FilterRequired, InvalidBsn, InvalidPeriod, InvalidReceivedOn
from hub.audit.inspection import Integrity, integrity, query_records
from hub.audit.mac import mac_matches
from hub.audit.schemas import RecordQuery
from hub.audit.trace import new_trace
from hub.audit.verify import SealLimits
from hub.auth.principal import Caller
from hub.csvsafe import to_csv
from hub.db import SessionDep
from hub.policy.register import UnknownActivity, get_register
from hub.web import labels
from hub.web.dependencies import Authorized, authorized_form, claim_form, web_authorize
from hub.web.templating import render, render_text

router = APIRouter(include_in_schema=False)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RESULTS = 200  # one page of search results; a narrower filter finds the rest

ReportDep = Annotated[Caller, Depends(web_authorize("audit.report"))]
IntegrityDep = Annotated[Caller, Depends(web_authorize("audit.integrity"))]
QueryFormDep = Annotated[Caller, Depends(web_authorize("audit.query"))]
QueryDep = Annotated[Authorized, Depends(authorized_form("audit.query"))]
AccessFormDep = Annotated[Caller, Depends(web_authorize("audit.access_report"))]
AccessDep = Annotated[Authorized, Depends(authorized_form("audit.access_report"))]


def day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod("Vul een datum in als jjjj-mm-dd.", field=field) from None


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM)


def check_integrity(request: Request, newest: int) -> Integrity:
    state = request.app.state
    signer = state.log_signer
    return integrity(
        state.engine,
        signer.verifier,
        newest,
        mac_key=state.log_mac_key,
        limits=SealLimits.from_settings(state.settings),
        witnesses=[signer.witness] if signer.witness is not None else [],
    )


def witness_state(request: Request) -> dict[str, Any]:
    store = request.app.state.log_signer.witness
    if store is None:
        return {"configured": False, "kept": 0, "newest": None}
    kept = store.checkpoints()
    newest = kept[-1][1].get("seq") if kept else None
    return {"configured": True, "kept": len(kept), "newest": newest}


def activity_name(request: Request, activity_id: str | None) -> str:
    if not activity_id:
        return "—"
    try:
        return get_register(request.app.state.settings.policies_dir).get(activity_id).ref.name
    except UnknownActivity:  # an activity no longer in the register is shown by its id
        return activity_id


# -- Logboek doorzoeken ------------------------------------------------------------------------------------


def _search_page(request: Request, *, status_code: int = 200, errors=(), given=None, result=None) -> Response:
    registry = request.app.state.registry
    register = get_register(request.app.state.settings.policies_dir)
    return render(
        request,
        "officer/search.html",
        status_code=status_code,
        partners=sorted(registry.all(), key=lambda p: p.name),
        activities=sorted(register.activities.values(), key=lambda a: a.ref.name),
        events=labels.AUDIT_EVENTS,
        errors=list(errors),
        given={name: "" for name in SEARCH_FIELDS} | (given or {}),
        result=result,
    )


@router.get("/logboek")
def search_form(request: Request, caller: QueryFormDep) -> Response:
    return _search_page(request)


SEARCH_FIELDS = ("van", "tot", "partner", "activiteit", "gebeurtenis", "uitvoer")


def _record_query(form) -> RecordQuery:
    """The API's query model from the form (the BSN only from the body)."""
    text = {name: str(form.get(name) or "").strip() for name in (*SEARCH_FIELDS, "bsn")}
    return RecordQuery(
        period_from=start_of(day(text["van"], "van")) if text["van"] else None,
        period_to=start_of(day(text["tot"], "tot") + dt.timedelta(days=1)) if text["tot"] else None,
        partner_oin=text["partner"] or None,
        activity_id=text["activiteit"] or None,
        event_type=text["gebeurtenis"] or None,
        subject_bsn=text["bsn"] or None,
        limit=RESULTS,
    )


FORM_ERRORS = (FilterRequired, InvalidBsn, InvalidPeriod)
FIELD_IDS = {"period_from": "van", "period_to": "tot", "subject_bsn": "bsn"}  # the problem's field -> the input


def _field(exc) -> str:
    field = str(exc.extra.get("field") or "zoeken")
    return FIELD_IDS.get(field, field)


@router.post("/logboek")
def search(request: Request, given: QueryDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    shown = {name: str(form.get(name) or "") for name in SEARCH_FIELDS}  # never the BSN
    try:
        query = _record_query(form)
    except ValidationError:
        return _search_page(request, status_code=422, errors=[("zoeken", "Een filter is ongeldig.")], given=shown)
    except InvalidPeriod as exc:
        return _search_page(request, status_code=422, errors=[(_field(exc), exc.detail)], given=shown)
    state = request.app.state
    key = state.settings.pseudonym_key.get_secret_value()
    csv = shown["uitvoer"] == "csv"

    def shape(page) -> Response:
        rows = [_row(request, r) for r in page.records]
        if csv:
            return _csv(rows)
        return _search_page(request, given=shown, result={"rows": rows, "more": page.next_cursor is not None})

    try:
        if not csv:  # a download leaves the form on screen: its key stays usable for the search itself
            claim_form(request, session, caller, form)
        return shape(query_records(session, caller, query, key, new_trace()))
    except FORM_ERRORS as exc:
        session.rollback()
        return _search_page(request, status_code=422, errors=[(_field(exc), exc.detail)], given=shown)


def _mac_status(request: Request, record) -> str:
    key = request.app.state.log_mac_key
    if record.mac is None:
        return "ontbreekt"
    if key is None:
        return "niet te controleren (geen sleutel)"
    return "geldig" if mac_matches(key, record.hash, record.mac) else "ongeldig"


def _row(request: Request, record) -> dict[str, Any]:
    name = organisation_namer(request.app.state.registry)
    category = category_namer(request.app.state.settings.policies_dir)
    return {
        "seq": record.seq,
        "record_id": record.record_id,
        "time": record.event_time.astimezone(AMSTERDAM) if record.event_time.tzinfo else record.event_time,
        "event_type": record.event_type,
        "event": labels.label("audit", record.event_type),
        "from": name(record.from_oin) if record.from_oin else "—",
        "to": name(record.to_oin) if record.to_oin else "—",
        "from_oin": record.from_oin,
        "to_oin": record.to_oin,
        "from_actor": record.from_actor,
        "to_actor": record.to_actor,
        "activity_id": record.activity_id,
        "activity": activity_name(request, record.activity_id),
        "legal_basis": record.legal_basis or "—",
        "confidentiality": labels.label("confidentiality", record.confidentiality),
        "released": [category(c) for c in record.categories_released],
        "withheld": [
            (category(c), labels.label("reason", (record.denial_reasons or {}).get(c, "onbekend")))
            for c in record.categories_withheld
        ],
        "decision_id": record.decision_id,
        "policy_revision": record.policy_revision,
        "case_id": record.case_id,
        "trace_id": record.trace_id,
        "hash": record.hash,
        "prev_hash": record.prev_hash,
        "mac": _mac_status(request, record),
    }


CSV_COLUMNS = (
    "seq",
    "time",
    "event_type",
    "event",
    "from",
    "from_oin",
    "to",
    "to_oin",
    "activity_id",
    "legal_basis",
    "released",
    "withheld",
    "decision_id",
    "policy_revision",
    "hash",
    "mac",
)


def _csv(rows: list[dict[str, Any]]) -> Response:
    flat = [
        {
            **{c: r[c] for c in CSV_COLUMNS},
            "time": r["time"].isoformat(),
            "released": "; ".join(r["released"]),
            "withheld": "; ".join(f"{c} ({reason})" for c, reason in r["withheld"]),
        }
        for r in rows
    ]
    return Response(
        to_csv(CSV_COLUMNS, flat),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="logboek.csv"', "Cache-Control": "no-store"},
    )


# -- Integriteit -------------------------------------------------------------------------------------------


@router.get("/integriteit")
def integrity_page(request: Request, caller: IntegrityDep) -> Response:
    checked = check_integrity(request, 20)
    verifier = request.app.state.log_signer.verifier
    return render(
        request,
        "officer/integrity.html",
        checked=checked,
        witness=witness_state(request),
        public_key=json.dumps(verifier.jwk, indent=2),
    )


# -- Inzageverzoek -----------------------------------------------------------------------------------------


@router.get("/inzage")
def access_form(request: Request, caller: AccessFormDep) -> Response:
    return render(request, "officer/access.html", errors=[])


@router.post("/inzage")
def access(request: Request, given: AccessDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    state = request.app.state
    bsn = str(form.get("bsn") or "").strip()
    pdf = str(form.get("uitvoer") or "") == "pdf"
    include_strict = form.get("strikt_vertrouwelijk") == "opnemen"
    given_day = str(form.get("ontvangen_op") or "").strip()[:10]
    try:
        received_on = day(given_day, "ontvangen_op") if given_day else None
    except InvalidPeriod as exc:
        return render(request, "officer/access.html", status_code=422, errors=[("ontvangen_op", exc.detail)])

    def work():
        if not pdf:  # a download leaves the form on screen: its key stays usable for the report on screen
            claim_form(request, session, caller, form)
        return access_report(
            session,
            caller,
            bsn,
            pseudonym_key=state.settings.pseudonym_key.get_secret_value(),
            trace=new_trace(),
            organisation=organisation_namer(state.registry),
            category=category_namer(state.settings.policies_dir),
            received_on=received_on,
        )

    def shape(report) -> Response:
        strict = [e for e in report.verstrekkingen if e.vertrouwelijkheid == "strictly_confidential"]
        letter = [e for e in report.verstrekkingen if include_strict or e not in strict]
        if pdf:
            return pdf_response(render_text("officer/access_letter.html", report=report, entries=letter))
        return render(
            request, "officer/access_report.html", report=report, letter=letter, strict=strict, included=include_strict
        )

    try:
        return shape(work())
    except (InvalidBsn, InvalidReceivedOn) as exc:
        session.rollback()
        field = "bsn" if isinstance(exc, InvalidBsn) else "ontvangen_op"
        errors = [(field, exc.detail)]
        return render(request, "officer/access.html", status_code=422, errors=errors, received_on=given_day)


def pdf_response(html: str, filename: str = "inzageverzoek.pdf") -> Response:
    from weasyprint import HTML

    document = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# -- Partners en rechten -----------------------------------------------------------------------------------


@router.get("/partners")
def partners_page(request: Request, caller: ReportDep) -> Response:
    """The registry, and what each role may do: every (role, operation) asked of the policy's `api` rule now,
    so the screen shows what the hub enforces, not a copy of it. An unavailable policy refuses the page."""
    from hub.auth.principal import ROLES
    from hub.auth.scopes import ALL_SCOPES
    from hub.policy.pep import check_operation  # raises PolicyUnavailableError when it cannot decide

    pdp = request.app.state.pdp
    allowed: dict[tuple[str, str], bool] = {}
    revision = None
    for role in ROLES:
        for operation in ALL_SCOPES:
            outcome = check_operation(pdp, role, operation)
            allowed[(role, operation)] = outcome.allow
            revision = outcome.policy_revision
    registry = request.app.state.registry
    return render(
        request,
        "officer/partners.html",
        partners=sorted(registry.all(), key=lambda p: (p.role, p.name)),
        roles=list(ROLES),
        operations=list(ALL_SCOPES),
        allowed=allowed,
        revision=revision,
    )
