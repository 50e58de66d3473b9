"""The region analyst's Monitor: anonymous yearly statistics per municipality (hub.monitoring.report), on screen,
as CSV and as a tagged PDF. Authorized by the policy's `api` rule for `monitor.read` (the analyst only); it
reads only the statistics rows, so nothing here links to a case, and there is no drill-down."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hub.auth.principal import Caller
from hub.csvsafe import to_csv
from hub.db import SessionDep
from hub.monitoring import report, snapshot
from hub.monitoring.facts import BANDS, NO_ORIGIN, PARTNER_TYPES
from hub.web import charts, labels
from hub.web.dependencies import web_authorize
from hub.web.officer import AMSTERDAM, pdf_response
from hub.web.templating import render, render_text

router = APIRouter(include_in_schema=False)

MonitorDep = Annotated[Caller, Depends(web_authorize("monitor.read"))]


@router.get("/monitor")
def monitor_page(
    request: Request,
    caller: MonitorDep,
    session: SessionDep,
    jaar: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    gemeente: Annotated[str, Query(pattern="^(|GM[0-9]{4})$")] = "",
    formaat: Annotated[str, Query(pattern="^(html|pdf|csv)$")] = "html",
) -> Response:
    region = caller.partner.region or ""
    today = dt.datetime.now(AMSTERDAM).date()
    year = jaar or today.year - 1  # the last year that is over: the newest one with figures
    years = sorted({year, *snapshot.years(session, region, today)}, reverse=True)
    figures = snapshot.published(session, region, year, today)
    if figures is None:  # the year is running: no figures until it is over (docs/MONITORING.md)
        status = 200 if formaat == "html" else 404
        return render(request, "monitor/open_year.html", status_code=status, year=year, years=years)
    monitor = report.build(figures, region, year, labels.label("monitor", NO_ORIGIN))
    scope = gemeente if gemeente in {code for code, _ in monitor.municipalities} else ""
    if formaat == "csv":
        return _csv(monitor)
    view = {**_view(monitor, scope), "published_on": figures.taken_on}
    if formaat == "pdf":
        return pdf_response(render_text("monitor/print.html", view=view), f"monitor-{year}.pdf")
    return render(request, "monitor/monitor.html", view=view, years=years)


def _view(monitor: report.Monitor, scope: str) -> dict[str, Any]:
    name = dict(monitor.municipalities).get(scope, f"Regio {monitor.region_name}")
    conditions = monitor.conditions[scope]
    evaluated = next(r for r in monitor.evaluated if r.code == scope).cells["total"]
    region_row = monitor.cases[-1]
    shown_bands = [b for b in BANDS if not region_row.cells[b].hidden]
    shown_conditions = [r for r in conditions if not (r.cells["start"].hidden or r.cells["after"].hidden)]
    return {
        "monitor": monitor,
        "scope": scope,
        "scope_name": name,
        "bands": BANDS,
        "flags": [f.measure for f in report.FLAGS],
        "partners": PARTNER_TYPES,
        "conditions": conditions,
        "evaluated": evaluated,
        "charts": [
            charts.bar_chart(
                "duur",
                f"Detentieduur in de regio, {monitor.year}",
                "Het aantal afgeronde casussen per duur van de detentie in de hele regio. Afgeschermde aantallen "
                "staan niet in de grafiek.",
                "Detentieduur",
                [labels.label("monitor", b) for b in shown_bands],
                ["Casussen"],
                [[region_row.cells[b].value or 0] for b in shown_bands],
            ),
            charts.bar_chart(
                "voorwaarden",
                f"Basisvoorwaarden op orde bij de start en na het plan: {name}, {monitor.year}",
                "Per basisvoorwaarde het aantal geëvalueerde casussen dat bij de start van de detentie op orde "
                "was, tegenover na het plan. Afgeschermde aantallen staan niet in de grafiek.",
                "Basisvoorwaarde",
                [labels.label("value", r.code) for r in shown_conditions],
                [labels.label("monitor", "start"), labels.label("monitor", "after")],
                [[r.cells["start"].value or 0, r.cells["after"].value or 0] for r in shown_conditions],
            ),
        ],
    }


CSV_COLUMNS = ("onderdeel", "gemeente", "cbs_code", "kenmerk", "waarde", "aandeel")


def _csv(monitor: report.Monitor) -> Response:
    """Every figure of the monitor as shown on screen ("< 5" and "×" stay as they are)."""
    rows: list[dict[str, Any]] = []

    def add(part: str, row: report.Row, cell: report.Cell, feature: str) -> None:
        rows.append(
            {
                "onderdeel": part,
                "gemeente": row.name,
                "cbs_code": "" if row.code == NO_ORIGIN else row.code,
                "kenmerk": feature,
                "waarde": cell.text,
                "aandeel": cell.share,
            }
        )

    for row in monitor.cases:
        for key in (*BANDS, "total"):
            add("detentieduur", row, row.cells[key], labels.label("monitor", key))
    for row in monitor.flags:
        for key in (f.measure for f in report.FLAGS):
            add("kenmerken", row, row.cells[key], labels.label("monitor", key))
    for row in monitor.evaluated:
        add("basisvoorwaarden", row, row.cells["total"], "Aantal geëvalueerde casussen")
        for condition in monitor.conditions[row.code]:
            for phase in ("start", "after"):
                feature = f"{labels.label('value', condition.code)}: {labels.label('monitor', phase)}"
                add("basisvoorwaarden", row, condition.cells[phase], feature)
    for row in monitor.answer_days:
        for partner in PARTNER_TYPES:
            add("antwoordtijd_mediaan_dagen", row, row.cells[partner], labels.label("role", partner))
    return Response(
        to_csv(CSV_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="monitor-{monitor.year}.csv"',
            "Cache-Control": "no-store",
        },
    )
