"""KPI rows found outside KPI tables: `名称：値` lines under an indicator heading, targets
written in text (text_targets.py) and sheets whose table structure was lost (sheets.py)."""
from __future__ import annotations

import re

from ...ja.fiscal import find_years
from .cells import parse_cell, strip_notes
from .rows import _Column, _Row, _has, _kpi, _notes, _squash, _unit_from_name
from .sheets import read_links, read_sheets
from .text_targets import read_text_targets
from ...model import Document
from ...rules import Rules

_TARGET_LINE = re.compile(r"^(?:[・\-*●○■□]\s*)?(?P<name>[^:]{2,40}?)\s*:\s*(?P<value>\S.*)$")


def target_lines(doc: Document, rules: Rules, first_id: int) -> list[dict]:
    """`名称：値単位` lines under a heading that names indicators or targets (指標と目標値, KPI):
    オンライン申請件数：5,000件(令和7年度) / 電子決裁率：現状40% → 100%."""
    h = rules.get("kpis")["headers"]
    cues = h["indicator"] + h["target"]
    titles = {s.section_id: s.title for s in doc.sections}
    note_texts = _notes(doc, rules)
    words = "|".join(map(re.escape, sorted(h["baseline"] + h["target"], key=len, reverse=True)))
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


def text_rows(doc: Document, rules: Rules, first_id: int, seen: set[str]) -> list[dict]:
    """Targets written in text (text_targets.py) as KPI rows."""
    out: list[dict] = []
    notes = _notes(doc, rules)
    for t in read_text_targets(doc, rules):
        named = _new_name(t.name, seen, rules)
        if named is None:
            continue
        name, name_notes = named
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


def _new_name(raw: str, seen: set[str], rules: Rules) -> tuple[str, list[str]] | None:
    """An indicator's name without note marks, and the marks; None when it is empty or was
    already read (by a table or an earlier reader). A new name is added to `seen`."""
    name, notes = strip_notes(raw, rules)
    if not name or name in seen:
        return None
    seen.add(name)
    return name, notes


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
    own = [i for i in initiatives or [] if i.get("doc_id") == doc.doc_id]
    for row in read_sheets(doc, rules):
        named = _new_name(row.name, seen, rules)
        if named is None:
            continue
        name, name_notes = named
        cols: list[_Column] = []
        link = links.get(row.marker) if row.marker else None
        init = _resolve(link.kind, link.number, link.title, own) if link else None
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
