"""The privacy officer's Jaarverslag: the annual report (hub.audit.annual) as a page, a PDF/UA document and a CSV.

Authorized like its /v1/audit twin (audit.report) before anything is read; its three reports are recorded as
inspections in the request's own transaction, committed only after the page is rendered (hub.db.SessionDep).
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hub.audit.access import organisation_namer
from hub.audit.annual import AnsweredRequest, annual_report
from hub.csvsafe import to_csv
from hub.db import SessionDep
from hub.web import charts
from hub.web.officer import AMSTERDAM, ReportDep, activity_name, pdf_response
from hub.web.officer_reports import month_label
from hub.web.templating import render, render_text

router = APIRouter(include_in_schema=False)

# -- Jaarverslag -------------------------------------------------------------------------------------------

ANNUAL_FORMATS = ("html", "pdf", "csv")


@router.get("/jaarverslag")
def annual_report_page(
    request: Request,
    caller: ReportDep,
    session: SessionDep,
    jaar: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    formaat: Annotated[str, Query(pattern="^(html|pdf|csv)$")] = "html",
) -> Response:
    """Over one calendar year (Europe/Amsterdam): disclosures and refusals per partner and activity, unusual
    patterns, inspections, access requests answered and how long each took, retention actions
    (hub.audit.annual). Its three reports are recorded as the API's are (an inspection each)."""
    year = jaar or dt.datetime.now(AMSTERDAM).year
    state = request.app.state
    officers = [
        p.oin for p in state.registry.all() if p.role == "privacy_officer" and p.region == caller.partner.region
    ]

    def shape(found: dict[str, Any]) -> Response:
        annual = _annual(request, year, found)
        if formaat == "csv":
            return _annual_csv(annual)
        if formaat == "pdf":
            document = render_text("officer/annual_print.html", annual=annual)
            return pdf_response(document, f"jaarverslag-{year}.pdf")
        return render(request, "officer/annual.html", annual=annual)

    name = organisation_namer(state.registry)
    return shape(annual_report(session, caller, year, name=name, officer_oins=officers, settings=state.settings))


def _annual(request: Request, year: int, found: dict[str, Any]) -> dict[str, Any]:
    per: dict[tuple[str, str], dict[str, int]] = {}
    for row in found["disclosures"].rows:
        key = (row["partner"], activity_name(request, row["activity"] or None))
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
        "access_requests": [{"days": r.days, "text": _answered_text(r)} for r in found["access_requests"]],
        "access_days": _days_summary([r.days for r in found["access_requests"] if r.days is not None]),
        "retention": found["retention"],
        "chart": charts.bar_chart(
            "jaar-verstrekkingen",
            f"Verstrekkingen per maand in {year}, per ontvangende partner",
            "Het aantal verstrekkingen per maand, uitgesplitst naar de organisatie die ze ontving.",
            "Maand",
            [month_label(m) for m in months],
            partners,
            values,
        ),
    }


def _answered_text(answered: AnsweredRequest) -> str:
    """One access request in Dutch: when it came in and was answered, and how long that took."""
    done = answered.answered_on.strftime("%d-%m-%Y")
    if answered.received_on is None or answered.days is None:
        return f"Beantwoord op {done}; de datum van ontvangst is niet vastgelegd."
    term = "binnen" if answered.within_term else "na"
    return (
        f"Ontvangen op {answered.received_on.strftime('%d-%m-%Y')}, beantwoord op {done}: "
        f"{_days(answered.days)}, {term} de termijn van een maand."
    )


def _days(count: float) -> str:
    """A number of days as Dutch writes it: "1 dag", "12 dagen", "1,5 dagen" (a decimal comma)."""
    return f"{count:g}".replace(".", ",") + (" dag" if count == 1 else " dagen")


def _days_summary(days: list[int]) -> str:
    """How long the answers took, over the requests whose day of receipt was recorded."""
    if not days:
        return ""
    return (
        f"Mediaan {_days(statistics.median(days))}, langste {_days(max(days))} "
        f"(over {len(days)} verzoek{'' if len(days) == 1 else 'en'} met een vastgelegde datum van ontvangst)."
    )


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
    ]
    rows += [
        {
            "onderdeel": "inzageverzoek",
            "aantal": r["days"] if r["days"] is not None else "",
            "toelichting": r["text"],
        }
        for r in annual["access_requests"]
    ]
    rows += [
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
