"""KPI tables: recognized by their header vocabulary (rules/kpis.toml), each column an
indicator, initiative, baseline, target, year (planned, actual or `planned (actual)`) or other
column. Merged cells carry down; one indicator over two rows takes the row names a note
explains (上段 / 下段); tables whose rows are years are turned; money tables are skipped."""
from __future__ import annotations

import re

from ...ja.fiscal import find_years
from ...segment.headings import parse_number
from .cells import parse_cell, strip_notes
from .rows import _Column, _Row, _has, _kpi, _notes
from ...model import Block, Document
from ...rules import Rules
from ..vocab import vocab


def _header_rows(rows: list[list], rules: Rules) -> int:
    """Leading rows that hold no value cell."""
    n = 0
    for row in rows:
        cells = [c for c in row if c]
        if any(parse_cell(c, rules).value is not None and not find_years(c, rules) for c in cells[1:]):
            break
        n += 1
    return max(1, min(n, 3))


def _paired(data: list[list], ci: int, rules: Rules) -> bool:
    """Most filled cells of the column hold `planned (actual)`: 35手続 (49手続)."""
    cells = [r[ci] for r in data if ci < len(r) and r[ci]]
    pairs = sum(1 for c in cells if parse_cell(c, rules).second is not None)
    return bool(cells) and pairs * 2 >= len(cells)


def _columns(rows: list[list], nhead: int, rules: Rules, actual_context: bool) -> list[_Column] | None:
    h = rules.get("kpis")["headers"]
    v = vocab(rules)
    width = len(rows[0])
    heads = []
    for ci in range(width):
        parts = [rows[r][ci] for r in range(nhead) if ci < len(rows[r]) and rows[r][ci]]
        heads.append(" ".join(parts))
    cols: list[_Column] = []
    for ci, text in enumerate(heads):
        flat = re.sub(r"\s+", "", text)
        years = find_years(text, rules)
        fy = years[-1].fiscal_year if years else None
        if flat and _has(flat, h["indicator"]) and not years:
            cols.append(_Column(ci, "indicator"))
        elif flat and v.kind_of_header(flat) and not years and not _has(flat, h["target"] + h["baseline"]):
            cols.append(_Column(ci, "initiative"))
        elif _has(flat, h["baseline"]):
            cols.append(_Column(ci, "baseline", fy))
        elif _has(flat, h["plan"]):
            cols.append(_Column(ci, "year", fy, "plan"))
        elif fy is not None and _has(flat, h["actual"]):
            cols.append(_Column(ci, "year", fy, "plan_actual" if _paired(rows[nhead:], ci, rules) else "actual"))
        elif _has(flat, h["target"]) and (fy is not None or not any(c.role == "year" for c in cols)):
            cols.append(_Column(ci, "target", fy))
        elif fy is not None:
            cols.append(_Column(ci, "year", fy, "actual" if actual_context else "plan"))
        else:
            cols.append(_Column(ci, "other"))
    roles = {c.role for c in cols}
    if not ({"baseline", "target", "year"} & roles) or not ({"indicator"} & roles or "other" in roles):
        return None
    if "indicator" not in roles:
        # no 指標 header: the rightmost text column before the first value column names the indicator
        first_value = min(c.index for c in cols if c.role in ("baseline", "target", "year"))
        others = [c for c in cols if c.role == "other" and c.index < first_value]
        if not others:
            return None
        others[-1].role = "indicator"
        for c in others[:-1]:
            c.role = "initiative"
    return cols


def _is_kpi_header(rows: list[list], rules: Rules) -> bool:
    h = rules.get("kpis")["headers"]
    head = " ".join(c or "" for r in rows[:2] for c in r)
    return _has(head, h["indicator"] + h["baseline"] + h.get("table_target", []))


def _context_is_actual(doc: Document, block_index: int, rules: Rules) -> bool:
    cues = rules.get("kpis").get("actual_cues", [])
    before = [b.text for b in doc.blocks[max(0, block_index - 3): block_index] if b.text]
    return any(_has(t, cues) for t in before)


def _row_names(doc: Document, rules: Rules, count: int) -> list[str] | None:
    text = "\n".join(b.text for b in doc.blocks if b.text)
    for names in rules.get("kpis").get("rows", {}).get("row_names", []):
        if len(names) == count and all(n in text for n in names):
            return names
    return None


def _years_as_rows(rows: list[list], rules: Rules) -> list[list] | None:
    """A table whose rows are years (年度 | 指標A | 指標B) turned so that indicators are rows."""
    if len(rows) < 3 or len(rows[0]) < 2:
        return None
    firsts = [r[0] or "" for r in rows[1:]]
    year_rows = sum(1 for c in firsts if find_years(c, rules))
    head_years = sum(1 for c in rows[0][1:] if c and find_years(c, rules))
    if year_rows < 2 or year_rows < len(firsts) - 1 or head_years:
        return None
    width = max(len(r) for r in rows)
    grid = [list(r) + [None] * (width - len(r)) for r in rows]
    turned = [[grid[r][c] for r in range(len(grid))] for c in range(width)]
    turned[0][0] = rules.get("kpis")["headers"]["indicator"][0]
    return turned


def _snap_to_headers(rows: list[list], rules: Rules) -> list[list]:
    """Header cells centred in merged spans sit in other columns than their data cells
    (header at 1, 4, 7; data at 0, 3, 6): each data cell moves to the nearest header column."""
    nhead = _header_rows(rows, rules)
    if len(rows) <= nhead:
        return rows
    head_cols = sorted({ci for r in rows[:nhead] for ci, c in enumerate(r) if c})
    data_cols = {ci for r in rows[nhead:] for ci, c in enumerate(r) if c}
    if not head_cols or not data_cols or data_cols <= set(head_cols):
        return rows
    if len(data_cols - set(head_cols)) * 2 < len(data_cols):
        return rows
    out = [list(r) for r in rows[:nhead]]
    for r in rows[nhead:]:
        new: list = [None] * len(r)
        for ci, c in enumerate(r):
            if not c:
                continue
            hc = min(head_cols, key=lambda h: (abs(h - ci), h))
            if hc < len(new) and new[hc]:
                return rows  # two data cells under one header: not a centred span
            if hc < len(new):
                new[hc] = c
        out.append(new)
    return out


def _money_table(doc: Document, block: Block, bi: int, rules: Rules) -> bool:
    """A money table (収支計画: 千円, 収入, 支出 …) is no KPI table, whatever its headers say."""
    conf = rules.get("kpis").get("not_kpi", {})
    cues = conf.get("money_cues", [])
    text = " ".join(c for r in block.rows for c in r if c)
    text += " " + " ".join(b.text for b in doc.blocks[max(0, bi - 2):bi] if b.text)
    return sum(1 for c in cues if c in text) >= int(conf.get("money_min", 2))


def read_table(doc: Document, block: Block, bi: int, rules: Rules, first_id: int = 1) -> list[dict]:
    rows = block.rows
    if _money_table(doc, block, bi, rules):
        return []
    rows = _snap_to_headers(rows, rules) if len(rows) >= 2 else rows
    turned = _years_as_rows(rows, rules)
    if turned is not None:
        rows = turned
    if len(rows) < 2 or not _is_kpi_header(rows, rules):
        return []
    nhead = _header_rows(rows, rules)
    cols = _columns(rows, nhead, rules, _context_is_actual(doc, bi, rules))
    if cols is None:  # a KPI header, but no column of values or none that names the indicator
        doc.find("kpis", "a table with a KPI header gave no row: no column of its header reads as a "
                 "baseline, target or year, or none names the indicator", page=block.page,
                 snippet=" | ".join(c for c in rows[0] if c))
        return []
    v = vocab(rules)
    ind_col = next(c.index for c in cols if c.role == "indicator")
    init_cols = [c.index for c in cols if c.role == "initiative"]
    parsed: list[_Row] = []
    initiative: str | None = None
    groups: list[list[_Row]] = []
    for row in rows[nhead:]:
        for ci in init_cols:
            cell = row[ci] if ci < len(row) else None
            if cell:
                m = v.label.match(cell)
                initiative = f"{m.group('kind')}{parse_number(m.group('num'))}" if m else None
        raw_name = row[ind_col] if ind_col < len(row) else None
        values = {c.index: (row[c.index] if c.index < len(row) else None) for c in cols if c.role in ("baseline", "target", "year")}
        if not any(values.values()) and not raw_name:
            continue
        if raw_name:
            name, name_notes = strip_notes(raw_name, rules)
            r = _Row(name, raw_name, initiative, values, name_notes)
            groups.append([r])
        elif groups:
            prev = groups[-1][0]
            r = _Row(prev.indicator, prev.indicator_raw, initiative, values, prev.notes)
            groups[-1].append(r)
        else:
            continue
        parsed.append(r)
    for g in groups:
        if len(g) > 1:
            row_names = _row_names(doc, rules, len(g)) or [str(i) for i in range(1, len(g) + 1)]
            for r, suffix in zip(g, row_names):
                r.indicator = f"{r.indicator}({suffix})"
    note_texts = _notes(doc, rules)
    out: list[dict] = []
    for r in parsed:
        k = _kpi(doc, block, r, cols, note_texts, rules, f"k{first_id + len(out)}")
        if not any(v["value"] is not None for v in k["values"]) and \
                any(not parse_cell(x, rules).ok for x in r.cells.values() if x):
            doc.find("kpis", f"KPI row without a number: {r.indicator}", page=block.page,
                     snippet=" | ".join(x for x in r.cells.values() if x))
            continue
        out.append(k)
    if parsed and not out:
        doc.find("kpis", "a table that looked like a KPI table gave no row", page=block.page,
                 snippet=" | ".join(c for c in rows[0] if c))
    return out
