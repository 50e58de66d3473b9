"""Bar charts as server-side SVG (templates/charts.html draws them; no JavaScript): the geometry is computed
here, so the template only places rectangles and text. Every chart has a title, a description and its data
as a table next to it. The palette meets WCAG 1.4.11 (>= 3:1 against the background) and the text colour
1.4.3 (>= 4.5:1); tests/web/test_officer.py checks both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"
# Dark enough against white for graphics; distinct hues, so that series are told apart by the legend too.
PALETTE = ("#0b5394", "#a14d00", "#2a7a3b", "#7b2c8e", "#b3261e", "#4d4d4d")

WIDTH = 640
LABEL_WIDTH = 260
BAR_AREA = WIDTH - LABEL_WIDTH - 60
BAR = 14
GAP = 4
GROUP_GAP = 12
LEGEND_ROW = 20


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    colour: str
    value: int
    series: str


@dataclass(frozen=True, slots=True)
class Group:
    label: str
    y: int  # where the group's label sits
    bars: list[Bar]


@dataclass(frozen=True, slots=True)
class Legend:
    name: str
    colour: str
    y: int


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    description: str
    category_header: str
    categories: list[str]
    series: list[str]
    values: list[list[int]]  # values[category][series]
    groups: list[Group]
    legend: list[Legend]
    width: int
    height: int
    label_x: int
    empty: bool

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return list(zip(self.categories, self.values, strict=True))


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    category_header: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[int]],
) -> Chart:
    """Horizontal grouped bars: one group per category, one bar per series, scaled to the largest value."""
    series = list(series) or ["Aantal"]
    largest = max((v for row in values for v in row), default=0)
    legend = [Legend(name, PALETTE[i % len(PALETTE)], 4 + i * LEGEND_ROW) for i, name in enumerate(series)]
    y = 8 + len(series) * LEGEND_ROW + 8
    groups = []
    for category, row in zip(categories, values, strict=True):
        bars = []
        for i, value in enumerate(row):
            width = round(BAR_AREA * value / largest) if largest else 0
            bars.append(Bar(LABEL_WIDTH, y + i * (BAR + GAP), width, PALETTE[i % len(PALETTE)], value, series[i]))
        groups.append(Group(category, y + (len(row) * (BAR + GAP)) // 2 + 4, bars))
        y += len(row) * (BAR + GAP) + GROUP_GAP
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        category_header=category_header,
        categories=list(categories),
        series=series,
        values=[list(row) for row in values],
        groups=groups,
        legend=legend,
        width=WIDTH,
        height=y + 4,
        label_x=LABEL_WIDTH - 8,
        empty=not categories,
    )


def pivot(
    rows: Sequence[dict], category: str, series: str, value: str, *, category_order: Sequence[str] = ()
) -> tuple[list[str], list[str], list[list[int]]]:
    """(categories, series, values) from flat rows: the sum of `value` per (category, series)."""
    cats = list(dict.fromkeys([*category_order, *(str(r[category]) for r in rows)]))
    names = sorted({str(r[series]) for r in rows})
    table = {(c, s): 0 for c in cats for s in names}
    for r in rows:
        table[(str(r[category]), str(r[series]))] += int(r[value])
    return cats, names, [[table[(c, s)] for s in names] for c in cats]
