"""pdfplumber's own algorithms, restated where their Python cost a large share of a page's
reading time. Each gives what the pdfplumber function it names gives (same objects, same order);
`tests/test_plumber_equivalents.py` runs both on every page of the PDF corpora and compares.

- `dedupe_chars`: `Page.dedupe_chars(extra_attrs=())`. pdfplumber puts the kept chars back in
  page order with `sorted(kept, key=chars.index)`: a linear search per char (dict comparisons),
  quadratic in the page's chars.
- `find_tables`: `Page.find_tables()` (default settings) with `intersections_to_cells` restated
  (pdfplumber scans every later point for the ones below and to the right of each intersection and
  rebuilds the sets of touching edges' boxes on every test), the page's edges (a curve's slanted
  steps are never built) and `cells_to_tables` (without its quadratic `list.remove`).
- `text_lines`: `Page.extract_text_lines(strip=True, return_chars=True)` (default settings):
  pdfplumber's word extractor builds a dict per word through generators and clusters with sorts
  and groupbys; here words are lists of chars and clusters buckets. When every char is one letter
  the lines are the words joined by spaces; otherwise the text map goes through pdfplumber's own
  `TextMap` search.
- `cell_texts`: `Table.extract()`: pdfplumber tests every char of the page against every row and
  every cell; here each char's midpoint is computed once and only the table's chars are tested.
"""
from __future__ import annotations

import itertools
from operator import itemgetter
from typing import Any

from pdfplumber.page import FilteredPage
from pdfplumber.table import Table, TableFinder, TableSettings, edges_to_intersections, merge_edges
from pdfplumber.utils import filter_edges, line_to_edge, obj_to_bbox, rect_to_edges
from pdfplumber.utils.clustering import cluster_objects
from pdfplumber.utils.text import (DEFAULT_CHAR_DIR, DEFAULT_LINE_DIR, DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE,
                                   LIGATURES, TextMap)

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
    """pdfplumber's TableFinder (edges → intersections → cells → tables) with the page's edges,
    the cells and their grouping into tables restated."""

    def __init__(self, page: Any, settings: Any = None):
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance)
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]

    def get_edges(self) -> list[dict]:
        """pdfplumber's, for its default strategy (the page's ruling lines; no explicit ones)."""
        s = self.settings
        if (s.vertical_strategy, s.horizontal_strategy) != ("lines", "lines") \
                or s.explicit_vertical_lines or s.explicit_horizontal_lines:
            return super().get_edges()
        vertical, horizontal = page_edges(self.page, s.edge_min_length_prefilter)
        edges = merge_edges(vertical + horizontal, snap_x_tolerance=s.snap_x_tolerance,
                            snap_y_tolerance=s.snap_y_tolerance, join_x_tolerance=s.join_x_tolerance,
                            join_y_tolerance=s.join_y_tolerance)
        return filter_edges(edges, min_length=s.edge_min_length)


def page_edges(page: Any, min_length: float) -> tuple[list[dict], list[dict]]:
    """pdfplumber's `filter_edges(page.edges, "v" / "h", min_length=min_length)`: the vertical and
    the horizontal edges of the page's lines, rects and curves at least that long, in page.edges'
    order. A curve's edge (a step between two of its points) is built only when it is kept: a
    chart's curves have thousands of steps, most of them slanted."""
    vertical: list[dict] = []
    horizontal: list[dict] = []
    for e in itertools.chain(map(line_to_edge, page.lines), (e for r in page.rects for e in rect_to_edges(r))):
        if e["orientation"] == "v":
            if e["height"] >= min_length:
                vertical.append(e)
        elif e["orientation"] == "h" and e["width"] >= min_length:
            horizontal.append(e)
    for curve in page.curves:
        pts = curve["pts"]
        shift = curve["doctop"] - curve["top"]
        for p0, p1 in zip(pts, pts[1:]):
            if p0[0] == p1[0]:
                if abs(p0[1] - p1[1]) >= min_length:
                    vertical.append(_curve_edge(p0, p1, shift, "v"))
            elif p0[1] == p1[1] and abs(p0[0] - p1[0]) >= min_length:
                horizontal.append(_curve_edge(p0, p1, shift, "h"))
    return vertical, horizontal


def _curve_edge(p0: tuple, p1: tuple, shift: float, orientation: str) -> dict:
    """pdfplumber's curve_to_edges for one step."""
    return {
        "object_type": "curve_edge",
        "x0": min(p0[0], p1[0]),
        "x1": max(p0[0], p1[0]),
        "top": min(p0[1], p1[1]),
        "doctop": min(p0[1], p1[1]) + shift,
        "bottom": max(p0[1], p1[1]),
        "width": abs(p0[0] - p1[0]),
        "height": abs(p0[1] - p1[1]),
        "orientation": orientation,
    }


def cells_to_tables(cells: list[tuple]) -> list[list[tuple]]:
    """pdfplumber's `cells_to_tables`: cells grouped into tables by shared corners, pass after pass
    over the cells left (pdfplumber removes each cell taken with `list.remove`, quadratic)."""
    remaining = list(cells)
    corners: set[tuple] = set()
    current: list[tuple] = []
    tables: list[list[tuple]] = []
    while remaining:
        taken = len(current)
        left = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            these = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or not corners.isdisjoint(these):
                corners.update(these)
                current.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(current) == taken:  # nothing joined this table: start the next
            tables.append(list(current))
            corners.clear()
            current.clear()
    if current:
        tables.append(list(current))
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


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
    edges open); each cell's chars as pdfplumber's `extract_text` gives them (`text_of`)."""
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
            cells.append(text_of(picked) if picked else "")
        out.append(cells)
    return out


def text_lines(chars: list[dict]) -> list[dict]:
    """pdfplumber's `extract_text_lines(strip=True, return_chars=True)` of a page with these chars
    (default settings: words split at spaces and at gaps over the x tolerance, lines clustered by
    top within the y tolerance; text turned off the upright reads top to bottom)."""
    words = _words_of(chars)
    if all(len(c["text"]) == 1 and c["text"] not in LIGATURES for _, word in words for c in word):
        return _plain_lines(words)
    tuples: list[tuple[str, dict | None]] = []
    if words:
        ids = _cluster_ids([top for top, _ in words], DEFAULT_Y_TOLERANCE)
        last = ids[words[0][0]]
        line_len = 0
        for top, word in words:  # runs of words in one cluster are lines (presorted: no sort)
            k = ids[top]
            if k != last:
                tuples.append(("\n", None))
                last, line_len = k, 0
            if line_len:
                tuples.append((" ", None))
                line_len += 1
            for c in word:
                text = c["text"]
                if len(text) == 1 and text not in LIGATURES:
                    tuples.append((text, c))
                    line_len += 1
                    continue
                for letter in LIGATURES.get(text, text):
                    tuples.append((letter, c))
                    line_len += 1
    return TextMap(tuples, DEFAULT_LINE_DIR, DEFAULT_CHAR_DIR).extract_text_lines(strip=True, return_chars=True)


def _plain_lines(words: list[tuple[float, list[dict]]]) -> list[dict]:
    """text_lines when every char is one letter (no ligature, no empty or several-letter text):
    the text map's lines are then the words joined by single spaces, none starting or ending with
    one, so pdfplumber's search for them (` *([^\\n]+?) *(\\n|$)`) gives each line whole."""
    out: list[dict] = []
    if not words:
        return out
    ids = _cluster_ids([top for top, _ in words], DEFAULT_Y_TOLERANCE)
    k = 0
    while k < len(words):
        line = ids[words[k][0]]
        end = k + 1
        while end < len(words) and ids[words[end][0]] == line:
            end += 1
        run = [word for _, word in words[k:end]]
        chars = [c for word in run for c in word]
        out.append({"text": " ".join("".join(c["text"] for c in word) for word in run),
                    "x0": min(c["x0"] for c in chars), "top": min(c["top"] for c in chars),
                    "x1": max(c["x1"] for c in chars), "bottom": max(c["bottom"] for c in chars), "chars": chars})
        k = end
    return out


def text_of(chars: list[dict]) -> str:
    """pdfplumber's `extract_text(chars)` (default settings): the words' texts, a space between
    words and a newline between lines (words clustered by top)."""
    if not chars:
        return ""
    words = _words_of(chars)
    ids = _cluster_ids([top for top, _ in words], DEFAULT_Y_TOLERANCE)
    lines: list[list[str]] = [[] for _ in range(len(set(ids.values())))]
    for top, word in words:
        lines[ids[top]].append("".join(LIGATURES.get(c["text"], c["text"] or "") for c in word))
    return "\n".join(" ".join(line) for line in lines)


def _words_of(chars: list[dict]) -> list[tuple[float, list[dict]]]:
    """pdfplumber's WordExtractor (default settings): (top, chars) of each word, in its order."""
    words: list[tuple[float, list[dict]]] = []
    for upright, run in itertools.groupby(chars, key=_UPRIGHT):
        run_chars = list(run)
        if upright:
            for line in _clusters(run_chars, "top", DEFAULT_Y_TOLERANCE):
                line.sort(key=_X0)
                _words_ltr(line, words)
        else:
            for line in _clusters(run_chars, "x0", DEFAULT_X_TOLERANCE):
                line.sort(key=_TOP_BOTTOM)
                _words_ttb(line, words)
    return words


_UPRIGHT = itemgetter("upright")
_TOP_BOTTOM = itemgetter("top", "bottom")


def _cluster_ids(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's `make_cluster_dict`: sorted distinct values, a new cluster where the step from
    the previous value passes the tolerance."""
    ids: dict[float, int] = {}
    k, last = -1, 0.0
    for v in sorted(set(values)):
        if k < 0 or v > last + tolerance:
            k += 1
        ids[v] = k
        last = v
    return ids


def _clusters(chars: list[dict], key: str, tolerance: float) -> list[list[dict]]:
    """pdfplumber's `cluster_objects` (clusters in value order, chars in their order within one)."""
    ids = _cluster_ids([c[key] for c in chars], tolerance)
    buckets: list[list[dict]] = [[] for _ in range(len(set(ids.values())))]
    for c in chars:
        buckets[ids[c[key]]].append(c)
    return buckets


def _words_ltr(line: list[dict], words: list[tuple[float, list[dict]]]) -> None:
    """A line's words (pdfplumber's iter_chars_to_words for upright text read left to right: a
    word ends at a space, and before a char that starts left of the previous one's x0, more than
    the x tolerance right of its x1 or more than the y tolerance above or below its top)."""
    _words(line, words, "x0", "x1", "top", DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE)


def _words_ttb(line: list[dict], words: list[tuple[float, list[dict]]]) -> None:
    """A column's words (the same for turned text read top to bottom: the axes swap)."""
    _words(line, words, "top", "bottom", "x0", DEFAULT_Y_TOLERANCE, DEFAULT_X_TOLERANCE)


def _words(line: list[dict], words: list[tuple[float, list[dict]]], start: str, end: str, across: str,
           along_tolerance: float, across_tolerance: float) -> None:
    word: list[dict] = []
    top = p_start = p_end = p_across = 0.0
    for c in line:
        text = c["text"]
        if text.isspace() or text == "":  # "": pdfplumber's punctuation test ("" is in "") makes it a word
            if word:
                words.append((top, word))
            word = []
            if text == "":
                words.append((c["top"], [c]))
            continue
        c_start, c_across, c_top = c[start], c[across], c["top"]
        if word and (c_start < p_start or c_start > p_end + along_tolerance
                     or abs(c_across - p_across) > across_tolerance):
            words.append((top, word))
            word = []
        if word:
            word.append(c)
            if c_top < top:
                top = c_top
        else:
            word = [c]
            top = c_top
        p_start, p_end, p_across = c_start, c[end], c_across
    if word:
        words.append((top, word))
