"""The monitor: a region's anonymous statistics for one year (the year detention started), per municipality,
with small cells and their complements suppressed (hub.monitoring.suppression). It reads only
`monitoring_fact`; nothing here can name or reach a case.

Tables that count the same cases share their row totals and are suppressed as one family: the detention
length bands and the flags (consent, risk, outreach, handover) count closed cases; the basic conditions count
evaluated cases. Each flag is a two-column table (with, without) so that its complement is protected too.
Cases that closed without a municipality of origin have a row of their own (`NO_ORIGIN`, "Herkomst niet
vastgesteld") before the region's total, in the same tables and the same suppression as every municipality.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from hub.monitoring.facts import BANDS, CONDITIONS, NO_ORIGIN, PARTNER_TYPES
from hub.monitoring.models import MonitoringFact
from hub.monitoring.suppression import THRESHOLD, Suppressed, suppress_family, with_totals
from hub.reference import municipalities, regions

PRIMARY_TEXT, SECONDARY_TEXT = "< 5", "×"


@dataclass(frozen=True, slots=True)
class Flag:
    """A yes/no count about closed cases: `measure` with one of `values` counts as yes."""

    measure: str
    values: tuple[str, ...]


# The flags the monitor shows (their Dutch headers are in hub.web.labels.MONITOR). A new count about closed
# cases (hub.monitoring.facts.MEASURES) is shown by one more entry here.
FLAGS: tuple[Flag, ...] = (
    Flag("consent", ("yes",)),
    Flag("risk", ("signalled",)),
    Flag("outreach", ("yes",)),
    Flag("handover", ("confirmed",)),
    Flag("notice_18b", ("yes",)),
    Flag("notice_bij", ("yes",)),
    Flag("origin_start", ("unknown",)),
    Flag("origin_disputed", ("yes",)),
)


@dataclass(frozen=True, slots=True)
class Cell:
    value: int | None  # None when suppressed
    text: str  # what is shown: the number, "< 5" (below the threshold) or "×" (hidden to protect another)
    share: str = ""  # the percentage of its row's total, when both are shown

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class Row:
    code: str  # CBS code, or "" for the region's total
    name: str
    cells: dict[str, Cell]  # column key -> cell


@dataclass(slots=True)
class Monitor:
    region: str
    region_name: str
    year: int
    municipalities: list[tuple[str, str]]
    cases: list[Row] = field(default_factory=list)  # columns: BANDS and "total"
    flags: list[Row] = field(default_factory=list)  # columns: "total" and each flag's measure
    conditions: dict[str, list[Row]] = field(default_factory=dict)  # row code -> rows per condition
    evaluated: list[Row] = field(default_factory=list)  # columns: "total"
    answer_days: list[Row] = field(default_factory=list)  # columns: PARTNER_TYPES; medians


def _cell(grid: Sequence[Sequence[int]], found: Suppressed, r: int, c: int, total: Cell | None = None) -> Cell:
    if (r, c) in found.primary:
        return Cell(None, PRIMARY_TEXT)
    if (r, c) in found.secondary:
        return Cell(None, SECONDARY_TEXT)
    value = grid[r][c]
    share = ""
    if total is not None and total.value:
        share = f"{round(100 * value / total.value)}%"
    return Cell(value, str(value), share)


@dataclass(frozen=True, slots=True)
class Figures:
    """What a monitor is built from: per (municipality, measure, item, value) the number of rows, and per
    (municipality, partner type) the days each answer took. From the rows as they are (`live_figures`, only to
    take a snapshot) or from a year's frozen snapshot (hub.monitoring.snapshot.published)."""

    counts: Counter[tuple[str, str, str, str]]
    days: dict[tuple[str, str], list[int]]
    taken_on: date | None = None  # the day a snapshot froze them (None: live)


def live_figures(session: Session, region: str, year: int) -> Figures:
    """The figures of the statistics rows as they are now. The screens never show these: a live monitor opened
    before and after one case closes gives that case by subtraction (docs/MONITORING.md)."""
    return Figures(_counts(session, region, year), _days(session, region, year))


def _counts(session: Session, region: str, year: int) -> Counter[tuple[str, str, str, str]]:
    rows = session.execute(
        sa_select(
            col(MonitoringFact.municipality),
            col(MonitoringFact.measure),
            col(MonitoringFact.item),
            col(MonitoringFact.value),
            func.count(),
        )
        .where(
            col(MonitoringFact.region) == region, col(MonitoringFact.year) == year, col(MonitoringFact.number).is_(None)
        )
        .group_by(
            col(MonitoringFact.municipality),
            col(MonitoringFact.measure),
            col(MonitoringFact.item),
            col(MonitoringFact.value),
        )
    )
    return Counter({(m, measure, item, value): n for m, measure, item, value, n in rows})


def build(figures: Figures, region: str, year: int, no_origin_name: str = NO_ORIGIN) -> Monitor:
    """The monitor of `region` for `year` from `figures`, suppressed. `no_origin_name` names the row of the
    cases without a municipality of origin (the screens pass its Dutch label)."""
    places = sorted(((m.cbs_code, m.name) for m in municipalities().values() if m.region == region), key=lambda p: p[1])
    zvh = regions().get(region, region)  # the ZVH's name: "Zorg- en Veiligheidshuis Gooi en Vechtstreek"
    monitor = Monitor(region, zvh.removeprefix("Zorg- en Veiligheidshuis "), year, places)
    counts = figures.counts
    codes = [*(code for code, _ in places), NO_ORIGIN]
    names = [*(name for _, name in places), no_origin_name, f"Regio {monitor.region_name}"]
    row_codes = [*codes, ""]

    def n(code: str, measure: str, values: Sequence[str], item: str = "") -> int:
        return sum(counts[(code, measure, item, v)] for v in values)

    cases = [n(code, "case", ("closed",)) for code in codes]
    bands = with_totals([[n(code, "detention_length", (b,)) for b in BANDS] for code in codes])
    flag_grids = [
        with_totals(
            [[n(code, f.measure, f.values), cases[i] - n(code, f.measure, f.values)] for i, code in enumerate(codes)]
        )
        for f in FLAGS
    ]
    found = suppress_family([bands, *flag_grids])
    for r, code in enumerate(row_codes):
        total = _cell(bands, found[0], r, len(BANDS))
        monitor.cases.append(
            Row(
                code,
                names[r],
                {**{b: _cell(bands, found[0], r, j, total) for j, b in enumerate(BANDS)}, "total": total},
            )
        )
        cells = {"total": total}
        for flag, grid, hidden in zip(FLAGS, flag_grids, found[1:], strict=True):
            cells[flag.measure] = _cell(grid, hidden, r, 0, total)
        monitor.flags.append(Row(code, names[r], cells))
    _conditions(monitor, codes, row_codes, names, n)
    monitor.answer_days = _answer_days(figures.days, row_codes, names)
    return monitor


def _conditions(monitor: Monitor, codes, row_codes, names, n) -> None:
    evaluated = [n(code, "evaluation", ("recorded",)) for code in codes]
    grids = [
        with_totals(
            [
                [n(code, phase, ("in_order",), c), evaluated[i] - n(code, phase, ("in_order",), c)]
                for i, code in enumerate(codes)
            ]
        )
        for c in CONDITIONS
        for phase in ("condition_start", "condition_after")
    ]
    found = suppress_family(grids)
    for r, code in enumerate(row_codes):
        total = _cell(grids[0], found[0], r, 2)
        monitor.evaluated.append(Row(code, names[r], {"total": total}))
        rows = []
        for k, condition in enumerate(CONDITIONS):
            start = _cell(grids[2 * k], found[2 * k], r, 0, total)
            after = _cell(grids[2 * k + 1], found[2 * k + 1], r, 0, total)
            rows.append(Row(condition, condition, {"start": start, "after": after}))
        monitor.conditions[code] = rows


def _days(session: Session, region: str, year: int) -> dict[tuple[str, str], list[int]]:
    found = session.exec(
        select(MonitoringFact.municipality, MonitoringFact.item, MonitoringFact.number).where(
            MonitoringFact.region == region,
            MonitoringFact.year == year,
            MonitoringFact.measure == "answer_days",
            col(MonitoringFact.number).is_not(None),
        )
    )
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for municipality, item, number in found:
        if number is not None:  # the query asked for numbers only; this tells the type checker
            days[(municipality, item)].append(number)
    return dict(days)


def _answer_days(days: dict[tuple[str, str], list[int]], row_codes, names) -> list[Row]:
    """The median days to answer per partner type: shown when at least THRESHOLD answers make it."""
    region: dict[str, list[int]] = defaultdict(list)
    for (_, partner), values in days.items():
        region[partner] += values
    out = []
    for r, code in enumerate(row_codes):
        cells = {}
        for partner in PARTNER_TYPES:
            values = region[partner] if code == "" else days.get((code, partner), [])
            if len(values) < THRESHOLD:
                cells[partner] = Cell(None, PRIMARY_TEXT)
            else:
                middle = statistics.median(values)
                cells[partner] = Cell(round(middle), f"{middle:g}")
        out.append(Row(code, names[r], cells))
    return out
