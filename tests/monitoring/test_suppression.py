"""Cell suppression: small cells hidden, and no hidden cell can be computed back from what is shown."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from hub.monitoring.suppression import is_bridge, suppress, suppress_family, with_totals


def rank(rows: list[list[Fraction]]) -> int:
    """Rank by exact Gaussian elimination (no floating point)."""
    matrix = [list(r) for r in rows]
    rank, width = 0, len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][col] != 0:
                factor = matrix[i][col] / matrix[rank][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def determined(grid: list[list[int]], hidden: frozenset[tuple[int, int]]) -> list[tuple[int, int]]:
    """An attacker's linear algebra, independent of the bridge logic: the hidden cells whose value follows from
    the shown cells and the sum rules (a unit vector in the row space of the constraints on the hidden cells)."""
    rows, cols = len(grid), len(grid[0])
    cells = sorted(hidden)
    index = {cell: k for k, cell in enumerate(cells)}
    lines = [[(r, c) for c in range(cols - 1)] + [(r, cols - 1)] for r in range(rows)]  # a row and its total
    lines += [[(r, c) for r in range(rows - 1)] + [(rows - 1, c)] for c in range(cols)]
    constraints = []
    for line in lines:
        vector = [Fraction(0)] * len(cells)
        for position, cell in enumerate(line):
            if cell in index:
                vector[index[cell]] = Fraction(-1 if position == len(line) - 1 else 1)
        if any(vector):
            constraints.append(vector)
    if not constraints:
        return cells
    base = rank(constraints)
    found = []
    for cell in cells:
        unit = [Fraction(0)] * len(cells)
        unit[index[cell]] = Fraction(1)
        if rank([*constraints, unit]) == base:
            found.append(cell)
    return found


def test_small_cells_are_primary_and_hidden():
    """Every cell under 5 (zero included) is primary."""
    grid = with_totals([[3, 10, 7], [12, 0, 8], [6, 20, 11]])
    found = suppress(grid)
    assert {(0, 0), (1, 1)} <= found.primary
    assert all(grid[r][c] < 5 for r, c in found.primary)


def test_a_lone_small_cell_gets_its_complements_hidden():
    """One small cell in a row: a row neighbour, a column neighbour and the opposite corner go too."""
    grid = with_totals([[3, 10, 7], [12, 9, 8], [6, 20, 11]])
    found = suppress(grid)
    assert found.primary == {(0, 0)}
    assert len(found.secondary) == 3
    assert determined(grid, found.hidden) == []
    assert determined(grid, found.primary) == [(0, 0)]  # without the complements the 3 comes back


def test_the_complement_subtraction_attack_fails():
    """A municipality of 3 cases: its total is hidden, and the region total minus the others does not give it."""
    # rows: three municipalities and the region; columns: with consent, without, total
    grid = with_totals([[2, 1], [30, 12], [25, 20]])
    found = suppress(grid)
    assert (0, 2) in found.primary  # 3 cases
    shown_totals = [grid[r][2] for r in range(3) if (r, 2) not in found.hidden]
    region_shown = (3, 2) not in found.hidden
    # the attack: region total minus every shown municipal total; it must not be possible (>= 2 unknown totals)
    assert not (region_shown and len(shown_totals) == 2), "the 3 could be subtracted back"
    assert determined(grid, found.hidden) == []


def test_a_bridge_is_recognised():
    """Two hidden cells in one row and nothing else: each is a bridge (its column shows its value)."""
    hidden = frozenset({(0, 0), (0, 1)})
    assert is_bridge(hidden, (0, 0)) and is_bridge(hidden, (0, 1))
    assert not is_bridge(frozenset({(0, 0), (0, 1), (1, 0), (1, 1)}), (0, 0))


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_give_a_hidden_cell_away(seed):
    """Random tables with many small cells: no hidden cell is linearly determined by what is shown."""
    rng = random.Random(seed)
    rows, cols = rng.randint(2, 8), rng.randint(2, 5)
    inner = [[rng.choice([0, 1, 2, 3, 4, 5, 8, 13, 30]) for _ in range(cols)] for _ in range(rows)]
    grid = with_totals(inner)
    found = suppress(grid)
    assert all(grid[r][c] < 5 for r, c in found.primary)
    assert {(r, c) for r, c in itertools.product(range(rows + 1), range(cols + 1)) if grid[r][c] < 5} <= found.hidden
    assert determined(grid, found.hidden) == []


def test_a_family_hides_the_same_totals_everywhere():
    """Tables over the same cases hide the same row totals, so one table cannot show what another hides."""
    one = with_totals([[1, 2], [10, 12], [9, 9]])  # first municipality: 3 cases
    two = with_totals([[3, 0], [20, 2], [15, 3]])
    found = suppress_family([one, two])
    totals = [{r for r, c in s.hidden if c == 2} for s in found]
    assert totals[0] == totals[1] and 0 in totals[0]
    for grid, s in zip([one, two], found, strict=True):
        assert determined(grid, s.hidden) == []


def consistent_values(grid: list[list[int]], found) -> dict[tuple[int, int], set[int]]:
    """A brute-force attacker on a table of 2 x 2 inner cells: every filling of the inner cells (0 to 14)
    that gives the shown figures, a "< 5" cell 0 to 4 and a "×" cell 5 or more; the values each hidden cell
    then takes."""
    seen: dict[tuple[int, int], set[int]] = {cell: set() for cell in found.hidden}
    for inner in itertools.product(range(15), repeat=4):
        candidate = with_totals([list(inner[:2]), list(inner[2:])])
        ok = all(
            (candidate[r][c] < 5 if (r, c) in found.primary else candidate[r][c] >= 5)
            if (r, c) in found.hidden
            else candidate[r][c] == grid[r][c]
            for r in range(3)
            for c in range(3)
        )
        if ok:
            for cell in seen:
                seen[cell].add(candidate[cell[0]][cell[1]])
    return seen


def test_two_small_cells_that_must_be_four_and_four_are_protected():
    """A row of 4 and 4 (total 8): with the total shown, "< 5" and "< 5" summing to 8 are both 4."""
    grid = with_totals([[4, 4], [11, 13]])
    found = suppress(grid)
    assert found.primary == {(0, 0), (0, 1)} and (0, 2) in found.hidden
    values = consistent_values(grid, found)
    assert all(len(v) >= 2 for v in values.values()), values


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_cell_is_pinned_by_its_bounds(seed):
    """Random 2 x 2 tables with small cells: every hidden cell can take at least two values for an attacker
    who knows what "< 5" and "×" mean."""
    rng = random.Random(1000 + seed)
    inner = [[rng.randint(0, 7) for _ in range(2)] for _ in range(2)]
    grid = with_totals(inner)
    found = suppress(grid)
    values = consistent_values(grid, found)
    assert all(len(v) >= 2 for v in values.values()), (grid, sorted(found.hidden), values)
