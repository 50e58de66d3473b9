"""The privacy officer's Overzicht: the last year in charts, with the log's integrity (the Jaarverslag, one
calendar year as a page, a PDF or CSV, is in hub.web.officer_annual). Like the other officer screens
(hub.web.officer) it shows only what the log holds, is authorized as its /v1/audit twin is, and records each
report as an inspection in the request's own transaction, committed only after the page is rendered
(hub.db.SessionDep).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from hub.audit.access import category_namer, organisation_namer
from hub.audit.inspection import officer_region
from hub.audit.oversight import oversight_per_month
from hub.audit.reports import Scope, run_report
from hub.audit.trace import new_trace
from hub.auth.principal import Caller
from hub.db import SessionDep
from hub.web import charts, labels
from hub.web.officer import (
    AMSTERDAM,
    IntegrityDep,
    ReportDep,
    check_integrity,
    day,
    start_of,
    witness_state,
)
from hub.web.templating import render

router = APIRouter(include_in_schema=False)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s month (the overview's default: a year of months)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(month: str) -> str:
    year, number = month.split("-")
    names = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
    return f"{names[int(number) - 1]} {year}"


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
    until = day(tot, "tot") if tot else today
    since = day(van, "van") if van else _months_before(until, 11)
    period_from, period_to = start_of(since), start_of(until + dt.timedelta(days=1))
    checked = check_integrity(request, 1)  # before this request's transaction writes anything
    state = request.app.state

    def shape(found: dict[str, Any]) -> Response:
        return render(
            request,
            "officer/overview.html",
            van=since.isoformat(),
            tot=until.isoformat(),
            checked=checked,
            witness=witness_state(request),
            charts=_overview_charts(found, category_namer(state.settings.policies_dir)),
        )

    return shape(_reports(request, session, caller, ("disclosures", "refusals"), period_from, period_to))


def _reports(
    request: Request,
    session: Session,
    caller: Caller,
    kinds: tuple[str, ...],
    period_from: dt.datetime,
    period_to: dt.datetime,
) -> dict[str, Any]:
    """The reports of `kinds` over the period (each recorded as an inspection, as the API records them), and
    the region's oversight per month (inspections and access reports by its privacy officers)."""
    state = request.app.state
    name = organisation_namer(state.registry)
    trace = new_trace()
    found: dict[str, Any] = {
        kind: run_report(session, caller, kind, period_from, period_to, name=name, settings=state.settings, trace=trace)
        for kind in kinds
    }
    officers = [
        p.oin for p in state.registry.all() if p.role == "privacy_officer" and p.region == caller.partner.region
    ]
    found["oversight"] = oversight_per_month(session, Scope(period_from, period_to, officer_region(caller)), officers)
    return found


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
            [month_label(m) for m in months],
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
            [month_label(m) for m in oversight],
            ["Inspecties", "Inzageverzoeken"],
            [[c["inspection"], c["access_report"]] for c in oversight.values()],
        ),
    ]
