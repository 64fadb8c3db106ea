"""KPI rows and their values: the column and row model, note texts, and the kpis /
kpi_values row built from a row's cells (the last planned year as target when no column is
one; note markers resolved to the notes' text, a note naming a year overriding the column's)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...ja.fiscal import find_years
from .cells import CellValue, parse_cell
from ...model import Block, Document
from ...rules import Rules


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
    marks: set[str] = set()  # the note numbers the row's cells carry
    for c in cols:
        if c.role not in ("baseline", "target", "year"):
            continue
        raw = r.cells.get(c.index)
        cell = parse_cell(raw, rules)
        marks.update(n for n in cell.notes if n in notes)
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
    cell_notes = sorted(marks)
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


def _squash(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


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
