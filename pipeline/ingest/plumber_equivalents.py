"""pdfplumber's own algorithms, restated where their Python cost a large share of a page's
reading time. Each gives what the pdfplumber function it names gives (same objects, same order);
`tests/test_plumber_equivalents.py` runs both on every page of the PDF corpora and compares.

- `dedupe_chars`: `Page.dedupe_chars(extra_attrs=())`. pdfplumber puts the kept chars back in
  page order with `sorted(kept, key=chars.index)`: a linear search per char (dict comparisons),
  quadratic in the page's chars.
- `find_tables`: `Page.find_tables()` (default settings) with `intersections_to_cells` restated:
  pdfplumber scans every later point for the ones below and to the right of each intersection and
  rebuilds the sets of touching edges' boxes on every test.
- `cell_texts`: `Table.extract()`: pdfplumber tests every char of the page against every row and
  every cell; here each char's midpoint is computed once and only the table's chars are tested.
"""
from __future__ import annotations

import itertools
from operator import itemgetter
from typing import Any

from pdfplumber.page import FilteredPage
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils import extract_text, obj_to_bbox
from pdfplumber.utils.clustering import cluster_objects

_DEDUPE_KEY = itemgetter("upright", "text")
_POSITION = itemgetter("doctop", "x0")
_DOCTOP = itemgetter("doctop")
_X0 = itemgetter("x0")


def dedupe_chars(page: Any, tolerance: float) -> FilteredPage:
    """`page.dedupe_chars(tolerance=tolerance, extra_attrs=())`."""
    out = FilteredPage(page, lambda _: True)
    out._objects = dict(page.objects)
    out._objects["char"] = deduped_chars(page.chars, tolerance)
    return out


def deduped_chars(chars: list[dict], tolerance: float) -> list[dict]:
    """pdfplumber's `utils.dedupe_chars(chars, tolerance, extra_attrs=())`: of the chars with the
    same text and orientation whose doctop and x0 cluster within `tolerance`, the first by position,
    in page order."""
    kept = []
    for _, group in itertools.groupby(sorted(chars, key=_DEDUPE_KEY), key=_DEDUPE_KEY):
        for y_cluster in cluster_objects(list(group), _DOCTOP, tolerance):
            for x_cluster in cluster_objects(y_cluster, _X0, tolerance):
                kept.append(min(x_cluster, key=_POSITION))  # min: the first of the least, as sorted()[0]
    # pdfplumber orders by chars.index (the first equal dict): equal dicts share a position, so
    # only the first of them is ever kept and its own place is its first equal's
    place = {id(c): k for k, c in enumerate(chars)}
    kept.sort(key=lambda c: place[id(c)])
    return kept


def find_tables(page: Any) -> list[Table]:
    """`page.find_tables()` with pdfplumber's default settings."""
    return _TableFinder(page).tables


class _TableFinder(TableFinder):
    """pdfplumber's TableFinder (edges → intersections → cells → tables) with the cells step restated."""

    def __init__(self, page: Any, settings: Any = None):
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance)
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]


def intersections_to_cells(intersections: dict) -> list[tuple]:
    """pdfplumber's `intersections_to_cells`: for each intersection in sorted order, the smallest
    cell it is the top-left corner of (the first point below, then the first to the right, whose
    corners are joined by shared edges)."""
    vertical = {pt: {obj_to_bbox(e) for e in edges["v"]} for pt, edges in intersections.items()}
    horizontal = {pt: {obj_to_bbox(e) for e in edges["h"]} for pt, edges in intersections.items()}

    def connects(p1: tuple, p2: tuple) -> bool:
        if p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]):
            return True
        return p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])

    points = sorted(intersections)
    columns: dict[Any, list[tuple]] = {}  # the points of each x, top to bottom
    rows: dict[Any, list[tuple]] = {}  # the points of each top, left to right
    for pt in points:
        columns.setdefault(pt[0], []).append(pt)
        rows.setdefault(pt[1], []).append(pt)
    column_place: dict[tuple, int] = {}
    row_place: dict[tuple, int] = {}
    for series, place in ((columns, column_place), (rows, row_place)):
        for line in series.values():
            for k, pt in enumerate(line):
                place[pt] = k
    cells = []
    for pt in points:
        below = columns[pt[0]][column_place[pt] + 1:]
        right = rows[pt[1]][row_place[pt] + 1:]
        cell = _smallest_cell(pt, below, right, intersections, connects)
        if cell:
            cells.append(cell)
    return cells


def _smallest_cell(pt: tuple, below: list[tuple], right: list[tuple], intersections: dict,
                   connects: Any) -> tuple | None:
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            corner = (right_pt[0], below_pt[1])
            if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def cell_texts(table: Table) -> list[list[str | None]]:
    """`table.extract()`: a char belongs to a box when its midpoint is inside (right and bottom
    edges open); each cell's chars go through pdfplumber's `extract_text`."""
    x0, top, x1, bottom = table.bbox
    chars = []
    for c in table.page.chars:
        h, v = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if x0 <= h < x1 and top <= v < bottom:
            chars.append((h, v, c))
    out: list[list[str | None]] = []
    for row in table.rows:
        rx0, rtop, rx1, rbottom = row.bbox
        in_row = [hvc for hvc in chars if rx0 <= hvc[0] < rx1 and rtop <= hvc[1] < rbottom]
        cells: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            picked = [c for h, v, c in in_row if cx0 <= h < cx1 and ctop <= v < cbottom]
            cells.append(extract_text(picked) if picked else "")
        out.append(cells)
    return out
