"""Cell suppression for frequency tables with totals: small cells hidden, and enough others that no hidden cell
can be subtracted back from what is shown.

A table here is a grid whose last row holds the column totals and whose last column the row totals (the
corner is the grand total). Every row and every column is then a sum constraint. Negate the totals and each
line sums to zero, so the hidden cells form a bipartite graph (rows and columns are its nodes, each hidden cell
an edge between its row and its column) in which the shown cells fix only the sum at every node. A hidden
value is determined by those sums exactly when its edge is a bridge: a cell on no cycle of hidden cells. With
every hidden cell on a cycle, each can move by +k, -k around the cycle without changing any shown figure.

1. Primary: every cell below the threshold (zero included: "nobody in Laren" tells as much as "one").
2. Secondary: while some hidden cell is a bridge, hide the three cells that close the cheapest rectangle
   through it (inner cells before totals, small before large, the grand total last).
3. Bounds: "< 5" says 0 to 4 and "×" at least 5. While a line with a shown total pins a hidden member by those
   bounds (two "< 5" that must sum to 8 are 4 and 4), hide the cheapest shown member of that line too; then
   step 2 again.

Tables that share their row totals (every table of the monitor about the same cases) must hide the same
totals: `suppress_family` repeats the suppression with the union of hidden totals forced until it is stable.

What this does not promise: step 3 looks at one line at a time. Reasoning over several lines at once can narrow
a hidden value to an interval (never, in the tests, to one value: tests/monitoring/test_suppression.py tries
every filling of small tables); docs/MONITORING.md says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

THRESHOLD = 5

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Suppressed:
    primary: frozenset[Cell]  # below the threshold: shown as "< 5"
    secondary: frozenset[Cell]  # hidden so that the primary ones cannot be subtracted back

    @property
    def hidden(self) -> frozenset[Cell]:
        return self.primary | self.secondary


def with_totals(inner: Sequence[Sequence[int]]) -> list[list[int]]:
    """The grid of `inner` with a totals column and a totals row (the corner is the grand total)."""
    rows = [[*row, sum(row)] for row in inner]
    columns = len(rows[0]) if rows else 1
    return [*rows, [sum(row[j] for row in rows) for j in range(columns)]]


def is_bridge(hidden: frozenset[Cell] | set[Cell], cell: Cell) -> bool:
    """Whether `cell` lies on no cycle of hidden cells (its value then follows from what is shown)."""
    start, goal = ("r", cell[0]), ("c", cell[1])
    seen, todo = {start}, [start]
    while todo:
        kind, index = todo.pop()
        for r, c in hidden:
            if (r, c) == cell:
                continue
            if (kind == "r" and r == index) or (kind == "c" and c == index):
                other = ("c", c) if kind == "r" else ("r", r)
                if other == goal:
                    return False
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
    return True


def _cost(grid: Sequence[Sequence[int]], cells: Iterable[Cell]) -> tuple[int, int]:
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    totals = sum(1000 if (r, c) == (last_row, last_col) else 1 for r, c in cells if r == last_row or c == last_col)
    return totals, sum(grid[r][c] for r, c in cells)


def _close_cycle(grid: Sequence[Sequence[int]], hidden: set[Cell], cell: Cell) -> set[Cell]:
    """The cheapest cells to hide so that `cell` lies on a rectangle of hidden cells."""
    r, c = cell
    options = []
    for r2 in range(len(grid)):
        for c2 in range(len(grid[0])):
            if r2 != r and c2 != c:
                added = {(r, c2), (r2, c), (r2, c2)} - hidden
                options.append((_cost(grid, added), r2, c2, added))
    return min(options, key=lambda o: (o[0], o[1], o[2]))[3]


def suppress(grid: Sequence[Sequence[int]], *, forced: Iterable[Cell] = (), threshold: int = THRESHOLD) -> Suppressed:
    """Primary and secondary suppression of one grid with totals (see the module docstring). `forced` cells
    are hidden as well (a total another table of the family had to hide)."""
    primary = {(r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if value < threshold}
    hidden = primary | set(forced)
    while True:
        bridge = next((cell for cell in sorted(hidden) if is_bridge(hidden, cell)), None)
        if bridge is not None:
            hidden |= _close_cycle(grid, hidden, bridge)
            continue
        pinned = _pinned_line(grid, primary, hidden, threshold)
        if pinned is None:
            break
        hidden.add(min(pinned, key=lambda cell: (_cost(grid, [cell]), cell)))
    return Suppressed(frozenset(primary), frozenset(hidden - primary))


def _lines(grid: Sequence[Sequence[int]]) -> list[tuple[list[Cell], Cell]]:
    """Every row and column as (its members, its total)."""
    rows, cols = len(grid), len(grid[0])
    lines = [([(r, c) for c in range(cols - 1)], (r, cols - 1)) for r in range(rows)]
    return lines + [([(r, c) for r in range(rows - 1)], (rows - 1, c)) for c in range(cols)]


def _pinned_line(
    grid: Sequence[Sequence[int]], primary: set[Cell], hidden: set[Cell], threshold: int
) -> list[Cell] | None:
    """The shown members of the first line whose shown total and labels pin a hidden member: "< 5" says 0 to
    4 and "×" at least 5, so two hidden "< 5" cells that must sum to 8 are both 4. None when no line does."""
    for members, total in _lines(grid):
        hidden_members = [cell for cell in members if cell in hidden]
        if total in hidden or not hidden_members:
            continue
        rest = grid[total[0]][total[1]] - sum(grid[r][c] for r, c in members if (r, c) not in hidden)
        low = {cell: 0 if cell in primary else threshold for cell in hidden_members}
        high = {cell: threshold - 1 if cell in primary else rest for cell in hidden_members}
        for cell in hidden_members:
            least = max(low[cell], rest - sum(high[o] for o in hidden_members if o != cell))
            most = min(high[cell], rest - sum(low[o] for o in hidden_members if o != cell))
            if least >= most:
                shown = [m for m in members if m not in hidden]
                return shown or [total]
    return None


def suppress_family(grids: Sequence[Sequence[Sequence[int]]], *, threshold: int = THRESHOLD) -> list[Suppressed]:
    """Suppress grids that share their last column (the same row totals): a total hidden in one is hidden in
    all, repeated until no grid hides a new total."""
    rows: set[int] = set()  # the rows whose total is hidden
    while True:
        found = [suppress(grid, forced={(r, len(grid[0]) - 1) for r in rows}, threshold=threshold) for grid in grids]
        hidden = {r for grid, s in zip(grids, found, strict=True) for r, c in s.hidden if c == len(grid[0]) - 1}
        if hidden <= rows:
            return found
        rows |= hidden
