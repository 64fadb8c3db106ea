"""Extract kpis.parquet and kpi_values.parquet from KPI tables.

A KPI table is recognized by its header vocabulary (rules/kpis.toml). Each
column is an indicator, initiative, baseline, target, year (planned, actual or
`planned (actual)`) or other column. Merged cells carry down; one indicator over
two rows takes the row names a note explains (上段 / 下段). Without a target
column, the last planned year is the target. Note markers resolve to the notes'
text; a note that names a year overrides the column's. A cell that does not
parse is a finding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...ja.fiscal import find_years
from ...segment.headings import parse_number
from .cells import CellValue, parse_cell, strip_notes
from .sheets import read_links, read_sheets
from .text_targets import read_text_targets
from ...model import Block, Document, Tables
from ...rules import Rules
from ..vocab import vocab

NAME = "kpis"
WRITES = ("kpis", "kpi_values")


@dataclass
class _Column:
    index: int
    role: str  # indicator, initiative, baseline, target, year, other
    fiscal_year: int | None = None
    kind: str = "plan"  # for year columns: plan, actual or plan_actual


@dataclass
class _Row:
    indicator: str
    indicator_raw: str
    initiative: str | None
    cells: dict[int, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _has(text: str, words: list[str]) -> bool:
    return any(w in text for w in words)


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
    return _has(head, h["indicator"]) or (_has(head, h["baseline"]) and _has(head, h["target"])) or _has(head, h["baseline"] + ["目標値"])


def _notes(doc: Document, rules: Rules) -> dict[str, str]:
    """Note texts by number: (注1) …, (※1) …, ※1 …, *上段は… (several may share a line)."""
    out: dict[str, str] = {}
    rx = re.compile(r"(?:^|\s)\(?(?:※|注)\s*([0-9]+)\)?\s*[:：]?\s*")
    for b in doc.blocks:
        if b.kind not in ("paragraph", "list_item", "footnote") or not b.text:
            continue
        marks = list(rx.finditer(b.text))
        if not marks or marks[0].start() > 1:
            continue
        for m, nxt in zip(marks, marks[1:] + [None]):
            out.setdefault(m.group(1), b.text[m.end(): nxt.start() if nxt else len(b.text)].strip())
    return out


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
    if cols is None:
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


def _fy_from_notes(cell: CellValue, notes: dict[str, str], rules: Rules) -> int | None:
    for n in cell.notes:
        ys = find_years(notes.get(n, ""), rules)
        if ys:
            return ys[0].fiscal_year
    return None


def _kpi(doc: Document, block: Block, r: _Row, cols: list[_Column], notes: dict[str, str], rules: Rules,
         kpi_id: str) -> dict:
    values: list[dict] = []
    base: dict[str, Any] = {"value": None, "unit": None, "fy": None, "raw": None}
    target: dict[str, Any] = dict(base)
    has_target_col = any(c.role == "target" for c in cols)
    for c in cols:
        if c.role not in ("baseline", "target", "year"):
            continue
        raw = r.cells.get(c.index)
        cell = parse_cell(raw, rules)
        if not cell.ok:
            doc.find("kpis", f"cell did not parse: {raw!r} ({r.indicator})", page=block.page, snippet=raw or "")
        fy = cell.fiscal_year or _fy_from_notes(cell, notes, rules) or c.fiscal_year
        if c.role == "baseline":
            base = {"value": cell.value, "unit": cell.unit, "fy": fy, "raw": raw}
            values.append(_val("baseline", fy, cell, raw))
            if cell.second is not None and cell.second.value is not None:  # 9人(延べ243日)
                values.append(_val("baseline", fy, cell.second, raw))
        elif c.role == "target":
            target = {"value": cell.value, "unit": cell.unit, "fy": fy, "raw": raw}
            values.append(_val("target", fy, cell, raw))
            if cell.second is not None and cell.second.value is not None:  # 年3人(5年間で15人)
                values.append(_val("target", fy, cell.second, raw))
        else:
            kind = c.kind
            if kind == "plan_actual":
                values.append(_val("plan", fy, cell, raw))
                if cell.second is not None:
                    values.append(_val("actual", c.fiscal_year, cell.second, raw))
            else:
                values.append(_val(kind, fy, cell, raw))
    if not has_target_col:
        plans = [x for x in values if x["kind"] == "plan" and x["value"] is not None]
        if plans:
            last = plans[-1]
            last["kind"] = "target"
            target = {"value": last["value"], "unit": last["unit"], "fy": last["fiscal_year"], "raw": last["raw"]}
    note_text = "; ".join(f"{n}: {notes[n]}" for n in r.notes if n in notes) or None
    cell_notes = sorted({n for c in cols for n in parse_cell(r.cells.get(c.index), rules).notes if n in notes})
    if cell_notes:
        note_text = "; ".join(filter(None, [note_text] + [f"{n}: {notes[n]}" for n in cell_notes]))
    return {
        "kpi": {"doc_id": doc.doc_id, "kpi_id": kpi_id, "indicator": r.indicator, "initiative_id": r.initiative,
                "baseline_value": base["value"], "baseline_unit": base["unit"], "baseline_fy": base["fy"],
                "baseline_raw": base["raw"], "target_value": target["value"], "target_unit": target["unit"],
                "target_fy": target["fy"], "target_raw": target["raw"], "notes": note_text, "page": block.page,
                "indicator_raw": r.indicator_raw, "_section": block.section_id},
        "values": [dict(x, doc_id=doc.doc_id, kpi_id=kpi_id, page=block.page) for x in values],
    }


def _val(kind: str, fy: int | None, cell: CellValue, raw: str | None) -> dict:
    return {"fiscal_year": fy, "kind": kind, "value": cell.value, "unit": cell.unit, "raw": raw,
            "qualifier": cell.qualifier}


_TARGET_LINE = re.compile(r"^(?:[・\-*●○■□]\s*)?(?P<name>[^:]{2,40}?)\s*:\s*(?P<value>\S.*)$")


def target_lines(doc: Document, rules: Rules, first_id: int) -> list[dict]:
    """`名称：値単位` lines under a heading that names indicators or targets (指標と目標値, KPI):
    オンライン申請件数：5,000件(令和7年度) / 電子決裁率：現状40% → 100%."""
    h = rules.get("kpis")["headers"]
    cues = h["indicator"] + h["target"]
    titles = {s.section_id: s.title for s in doc.sections}
    note_texts = _notes(doc, rules)
    out: list[dict] = []
    for b in doc.blocks:
        if b.kind not in ("paragraph", "list_item") or not b.text or not b.section_id:
            continue
        title = titles.get(b.section_id, "")
        if not _has(title, cues):
            continue
        m = _TARGET_LINE.match(b.text)
        if not m:
            continue
        words = "|".join(map(re.escape, sorted(h["baseline"] + h["target"], key=len, reverse=True)))
        parts = [re.sub(f"^({words})\\s*", "", p.strip()) for p in re.split(r"→|⇒|->", m.group("value")) if p.strip()]
        cells = [parse_cell(p, rules) for p in parts]
        if not cells or cells[-1].value is None or not all(c.ok for c in cells):
            continue
        section_fy = find_years(title, rules)
        cols: list[_Column] = []
        name, name_notes = strip_notes(m.group("name"), rules)
        row = _Row(name, m.group("name"), None, {}, name_notes)
        for i, part in enumerate(parts):
            role = "target" if i == len(parts) - 1 else "baseline"
            cols.append(_Column(i, role, section_fy[-1].fiscal_year if role == "target" and section_fy else None))
            row.cells[i] = part
        out.append(_kpi(doc, b, row, cols, note_texts, rules, f"k{first_id + len(out)}"))
    return out


def extract(doc: Document, out: Tables, rules: Rules) -> None:
    for bi, b in enumerate(doc.blocks):
        if b.kind != "table" or not b.rows:
            continue
        for k in read_table(doc, b, bi, rules, first_id=len(out.kpis) + 1):
            out.kpis.append(k["kpi"])
            out.kpi_values.extend(k["values"])
    for k in target_lines(doc, rules, len(out.kpis) + 1):
        out.kpis.append(k["kpi"])
        out.kpi_values.extend(k["values"])
    for k in sheet_rows(doc, rules, len(out.kpis) + 1, {x["indicator"] for x in out.kpis}, out.initiatives):
        out.kpis.append(k["kpi"])
        out.kpi_values.extend(k["values"])
    for k in text_rows(doc, rules, len(out.kpis) + 1, {x["indicator"] for x in out.kpis}):
        out.kpis.append(k["kpi"])
        out.kpi_values.extend(k["values"])
    _link_enclosing(doc, out)


def _squash(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def _link_enclosing(doc: Document, out: Tables) -> None:
    """A KPI with no initiative named in its table measures the initiative whose heading encloses it."""
    by_title: dict[str, str] = {}
    for it in out.initiatives:
        if it.get("doc_id") == doc.doc_id and it.get("title"):
            by_title.setdefault(_squash(it["title"]), it["initiative_id"])
    sections = {s.section_id: s for s in doc.sections}
    for k in out.kpis:
        if k.get("doc_id") != doc.doc_id or k.get("initiative_id") or k.get("_section") is None or not by_title:
            continue
        sid = k.get("_section")
        while sid is not None and sid in sections:
            iid = by_title.get(_squash(sections[sid].title))
            if iid:
                k["initiative_id"] = iid
                break
            sid = sections[sid].parent_id
    for k in out.kpis:
        k.pop("_section", None)


def text_rows(doc: Document, rules: Rules, first_id: int, seen: set[str]) -> list[dict]:
    """Targets written in text (text_targets.py) as KPI rows."""
    out: list[dict] = []
    notes = _notes(doc, rules)
    for t in read_text_targets(doc, rules):
        name, name_notes = strip_notes(t.name, rules)
        if not name or name in seen:
            continue
        seen.add(name)
        r = _Row(name, t.name, None, {}, name_notes)
        cols: list[_Column] = []
        if t.first is not None:
            cols.append(_Column(0, "baseline"))
            r.cells[0] = t.first
        if t.second_kind == "target":
            cols.append(_Column(1, "target", t.second_fy))
        else:
            cols.append(_Column(1, "year", t.second_fy, "actual"))
        r.cells[1] = t.second
        block = doc.blocks[t.block]
        out.append(_kpi(doc, block, r, cols, notes, rules, f"k{first_id + len(out)}"))
    return out


def _resolve(kind: str, number: int, title: str, initiatives: list[dict]) -> str:
    """The initiative a table names (kind, number, title): its real id where the outline has it."""
    for it in initiatives:
        if _squash(it.get("title")) == _squash(title) or (it.get("kind") == kind and it.get("number") == number):
            return it["initiative_id"]
    return f"{kind}{number}"


def sheet_rows(doc: Document, rules: Rules, first_id: int, seen: set[str], initiatives: list[dict] | None = None) -> list[dict]:
    """Indicators of sheets whose table structure was lost (sheets.py), as KPI rows."""
    out: list[dict] = []
    notes = _notes(doc, rules)
    links = read_links(doc, rules)
    for row in read_sheets(doc, rules):
        name, name_notes = strip_notes(row.name, rules)
        if not name or name in seen:
            continue
        seen.add(name)
        cols: list[_Column] = []
        link = links.get(row.marker) if row.marker else None
        init = _resolve(link.kind, link.number, link.title, [i for i in initiatives or [] if i.get("doc_id") == doc.doc_id]) \
            if link else None
        r = _Row(name, row.name, init, {}, name_notes)
        for ci, (col, raw) in enumerate(row.cells):
            if col.role in ("baseline", "target"):
                cols.append(_Column(ci, col.role, col.fy))
            else:
                cols.append(_Column(ci, "year", col.fy, col.role))
            r.cells[ci] = raw
        k = _kpi(doc, doc.blocks[row.block], r, cols, notes, rules, f"k{first_id + len(out)}")
        _unit_from_name(k, name, rules)
        out.append(k)
    return out


def _unit_from_name(k: dict, name: str, rules: Rules) -> None:
    """A unit written in the indicator's name, 加入率(%) or 件数(単位:件), for cells written without one."""
    rx = rules.regex(rules.get("kpis")["cells"]["unit_in_name_pattern"])
    m = rx.search(name)
    if not m:
        return
    unit = m.group("unit")
    kpi = k["kpi"]
    for side in ("baseline", "target"):
        if kpi[f"{side}_value"] is not None and not kpi[f"{side}_unit"]:
            kpi[f"{side}_unit"] = unit
    for v in k["values"]:
        if v["value"] is not None and not v["unit"]:
            v["unit"] = unit
