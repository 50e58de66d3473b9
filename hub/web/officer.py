"""The privacy officer's screens: Overzicht, Logboek doorzoeken, Integriteit and Inzageverzoek.

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

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from hub.audit.access import access_report, category_namer, organisation_namer
from hub.audit.errors import FilterRequired, InvalidBsn, InvalidPeriod
from hub.audit.inspection import Integrity, integrity, officer_region, query_records
from hub.audit.mac import mac_matches
from hub.audit.oversight import oversight_per_month, retention_actions
from hub.audit.reports import Scope, run_report
from hub.audit.schemas import RecordQuery
from hub.audit.trace import new_trace
from hub.audit.verify import SealLimits
from hub.auth.principal import Caller
from hub.csvsafe import to_csv
from hub.db import SessionDep
from hub.policy.register import UnknownActivity, get_register
from hub.web import charts, labels
from hub.web.deps import Authorized, authorized_form, claim_form, web_authorize
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


def _day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod("Vul een datum in als jjjj-mm-dd.", field=field) from None


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s month (the overview's default: a year of months)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM)


def _check_integrity(request: Request, newest: int) -> Integrity:
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


def _witness(request: Request) -> dict[str, Any]:
    store = request.app.state.log_signer.witness
    if store is None:
        return {"configured": False, "kept": 0, "newest": None}
    kept = store.checkpoints()
    newest = kept[-1][1].get("seq") if kept else None
    return {"configured": True, "kept": len(kept), "newest": newest}


def _month_label(month: str) -> str:
    year, number = month.split("-")
    names = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
    return f"{names[int(number) - 1]} {year}"


def _activity_name(request: Request, activity_id: str | None) -> str:
    if not activity_id:
        return "—"
    try:
        return get_register(request.app.state.settings.policies_dir).get(activity_id).ref.name
    except UnknownActivity:  # an activity no longer in the register is shown by its id
        return activity_id


# -- Overzicht ---------------------------------------------------------------------------------------------


@router.get("/overzicht")
def overview(
    request: Request,
    caller: ReportDep,
    _integrity: IntegrityDep,
    session: SessionDep,
    van: Annotated[str | None, Query(max_length=10)] = None,
    tot: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    today = dt.datetime.now(AMSTERDAM).date()
    until = _day(tot, "tot") if tot else today
    since = _day(van, "van") if van else _months_before(until, 11)
    period_from, period_to = _start_of(since), _start_of(until + dt.timedelta(days=1))
    checked = _check_integrity(request, 1)  # before this request's transaction writes anything
    state = request.app.state
    name = organisation_namer(state.registry)
    officers = [
        p.oin for p in state.registry.all() if p.role == "privacy_officer" and p.region == caller.partner.region
    ]

    def work() -> dict[str, Any]:
        trace = new_trace()
        found = {
            kind: run_report(
                session, caller, kind, period_from, period_to, name=name, settings=state.settings, trace=trace
            )
            for kind in ("disclosures", "refusals")
        }
        scope = Scope(period_from, period_to, officer_region(caller))
        return {**found, "oversight": oversight_per_month(session, scope, officers)}

    def shape(found: dict[str, Any]) -> Response:
        return render(
            request,
            "officer/overview.html",
            van=since.isoformat(),
            tot=until.isoformat(),
            checked=checked,
            witness=_witness(request),
            charts=_overview_charts(found, category_namer(state.settings.policies_dir)),
        )

    return shape(work())


def _overview_charts(found: dict[str, Any], category) -> list[charts.Chart]:
    disclosures = [r for r in found["disclosures"].rows if r["disclosures"]]
    months, partners, values = charts.pivot(disclosures, "month", "partner", "disclosures")
    refusals = found["refusals"].rows
    reason_rows = [{**r, "reason": labels.label("reason", r["reason"]), "n": "Weigeringen"} for r in refusals]
    reasons, _, reason_values = charts.pivot(reason_rows, "reason", "n", "count")
    category_rows = [{**r, "category": category(r["category"]), "n": "Weigeringen"} for r in refusals]
    categories, _, category_values = charts.pivot(category_rows, "category", "n", "count")
    oversight = found["oversight"]
    return [
        charts.bar_chart(
            "verstrekkingen",
            "Verstrekkingen per maand, per ontvangende partner",
            "Het aantal keren per maand dat gegevens zijn verstrekt (ook overdrachten en getoonde identiteit), "
            "uitgesplitst naar de organisatie die ze ontving.",
            "Maand",
            [_month_label(m) for m in months],
            partners,
            values,
        ),
        charts.bar_chart(
            "weigeringen-reden",
            "Weigeringen naar reden",
            "Hoe vaak een gevraagde soort gegevens is geweigerd of tegengehouden, per reden.",
            "Reden",
            reasons,
            ["Weigeringen"],
            reason_values,
        ),
        charts.bar_chart(
            "weigeringen-categorie",
            "Weigeringen naar soort gegevens",
            "Hoe vaak een gevraagde soort gegevens is geweigerd of tegengehouden, per soort gegevens.",
            "Soort gegevens",
            categories,
            ["Weigeringen"],
            category_values,
        ),
        charts.bar_chart(
            "inspecties",
            "Inspecties en inzageverzoeken per maand",
            "Hoe vaak de functionarissen gegevensbescherming van de regio het logboek inzagen (ook dit "
            "overzicht telt mee) en hoeveel inzageverzoeken zij beantwoordden.",
            "Maand",
            [_month_label(m) for m in oversight],
            ["Inspecties", "Inzageverzoeken"],
            [[c["inspection"], c["access_report"]] for c in oversight.values()],
        ),
    ]


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
        period_from=_start_of(_day(text["van"], "van")) if text["van"] else None,
        period_to=_start_of(_day(text["tot"], "tot") + dt.timedelta(days=1)) if text["tot"] else None,
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

    def work():
        if not csv:  # a download leaves the form on screen: its key stays usable for the search itself
            claim_form(request, session, caller, form)
        return query_records(session, caller, query, key, new_trace())

    def shape(page) -> Response:
        rows = [_row(request, r) for r in page.records]
        if csv:
            return _csv(rows)
        return _search_page(request, given=shown, result={"rows": rows, "more": page.next_cursor is not None})

    try:
        return shape(work())
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
        "activity": _activity_name(request, record.activity_id),
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
    checked = _check_integrity(request, 20)
    verifier = request.app.state.log_signer.verifier
    return render(
        request,
        "officer/integrity.html",
        checked=checked,
        witness=_witness(request),
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
        )

    def shape(report) -> Response:
        strict = [e for e in report.verstrekkingen if e.vertrouwelijkheid == "strictly_confidential"]
        letter = [e for e in report.verstrekkingen if include_strict or e not in strict]
        if pdf:
            return _pdf(render_text("officer/access_letter.html", report=report, entries=letter))
        return render(
            request, "officer/access_report.html", report=report, letter=letter, strict=strict, included=include_strict
        )

    try:
        return shape(work())
    except InvalidBsn as exc:
        session.rollback()
        return render(request, "officer/access.html", status_code=422, errors=[("bsn", exc.detail)])


def _pdf(html: str, filename: str = "inzageverzoek.pdf") -> Response:
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


# -- Jaarverslag -------------------------------------------------------------------------------------------

ANNUAL_FORMATS = ("html", "pdf", "csv")


@router.get("/jaarverslag")
def annual_report(
    request: Request,
    caller: ReportDep,
    session: SessionDep,
    jaar: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    formaat: Annotated[str, Query(pattern="^(html|pdf|csv)$")] = "html",
) -> Response:
    """Over one calendar year (Europe/Amsterdam): disclosures and refusals per partner and activity, unusual
    patterns, inspections and access reports, retention actions. Its three reports are recorded as the API's
    are (an inspection each)."""
    year = jaar or dt.datetime.now(AMSTERDAM).year
    period_from = dt.datetime(year, 1, 1, tzinfo=AMSTERDAM)
    period_to = dt.datetime(year + 1, 1, 1, tzinfo=AMSTERDAM)
    state = request.app.state
    name = organisation_namer(state.registry)
    officers = [
        p.oin for p in state.registry.all() if p.role == "privacy_officer" and p.region == caller.partner.region
    ]

    def work() -> dict[str, Any]:
        trace = new_trace()
        found: dict[str, Any] = {
            kind: run_report(
                session, caller, kind, period_from, period_to, name=name, settings=state.settings, trace=trace
            )
            for kind in ("disclosures", "refusals", "unusual")
        }
        scope = Scope(period_from, period_to, officer_region(caller))
        found["oversight"] = oversight_per_month(session, scope, officers)
        found["retention"] = retention_actions(session, scope)
        return found

    def shape(found: dict[str, Any]) -> Response:
        annual = _annual(request, year, found)
        if formaat == "csv":
            return _annual_csv(annual)
        if formaat == "pdf":
            document = render_text("officer/annual_print.html", annual=annual)
            return _pdf(document, f"jaarverslag-{year}.pdf")
        return render(request, "officer/annual.html", annual=annual)

    return shape(work())


def _annual(request: Request, year: int, found: dict[str, Any]) -> dict[str, Any]:
    per: dict[tuple[str, str], dict[str, int]] = {}
    for row in found["disclosures"].rows:
        key = (row["partner"], _activity_name(request, row["activity"] or None))
        totals = per.setdefault(key, {"disclosures": 0, "refusals": 0})
        totals["disclosures"] += row["disclosures"]
        totals["refusals"] += row["refusals"]
    oversight = found["oversight"]
    disclosures = [r for r in found["disclosures"].rows if r["disclosures"]]
    months, partners, values = charts.pivot(disclosures, "month", "partner", "disclosures")
    return {
        "year": year,
        "rows": [{"partner": p, "activity": a, **t} for (p, a), t in sorted(per.items())],
        "unusual": found["unusual"].rows,
        "inspections": sum(c["inspection"] for c in oversight.values()),
        "access_reports": sum(c["access_report"] for c in oversight.values()),
        "retention": found["retention"],
        "chart": charts.bar_chart(
            "jaar-verstrekkingen",
            f"Verstrekkingen per maand in {year}, per ontvangende partner",
            "Het aantal verstrekkingen per maand, uitgesplitst naar de organisatie die ze ontving.",
            "Maand",
            [_month_label(m) for m in months],
            partners,
            values,
        ),
    }


ANNUAL_CSV = ("onderdeel", "partner", "activiteit", "verstrekkingen", "weigeringen", "aantal", "toelichting")


def _annual_csv(annual: dict[str, Any]) -> Response:
    rows = [
        {
            "onderdeel": "verstrekkingen_en_weigeringen",
            "partner": r["partner"],
            "activiteit": r["activity"],
            "verstrekkingen": r["disclosures"],
            "weigeringen": r["refusals"],
        }
        for r in annual["rows"]
    ]
    rows += [
        {"onderdeel": "ongebruikelijk", "partner": u["partner"], "aantal": u["count"], "toelichting": u["explanation"]}
        for u in annual["unusual"]
    ]
    rows += [
        {"onderdeel": "inspecties", "aantal": annual["inspections"]},
        {"onderdeel": "inzageverzoeken", "aantal": annual["access_reports"]},
        {"onderdeel": "inhoud_vernietigd", "aantal": annual["retention"]["content_destroyed"]},
        {"onderdeel": "logboek_opgeschoond", "aantal": annual["retention"]["log_pruned"]},
    ]
    return Response(
        to_csv(ANNUAL_CSV, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="jaarverslag-{annual["year"]}.csv"',
            "Cache-Control": "no-store",
        },
    )
