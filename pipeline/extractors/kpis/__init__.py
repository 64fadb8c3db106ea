"""Extract kpis.parquet and kpi_values.parquet from KPI tables.

A KPI table is recognized by its header vocabulary (rules/kpis.toml). Each
column is an indicator, initiative, baseline, target, year (planned, actual or
`planned (actual)`) or other column. Merged cells carry down; one indicator over
two rows takes the row names a note explains (上段 / 下段). Without a target
column, the last planned year is the target. Note markers resolve to the notes'
text; a note that names a year overrides the column's. A cell that does not
parse is a finding. Modules: tables.py (KPI tables), outside_tables.py (target lines, text
targets, sheets), rows.py (the kpis / kpi_values rows), cells.py (one cell), sheets.py and
text_targets.py; this module runs them in order and links KPIs to enclosing initiatives.
"""
from __future__ import annotations

from ...model import Document, Tables
from ...rules import Rules
from .outside_tables import sheet_rows, target_lines, text_rows
from .rows import _squash
from .tables import read_table

__all__ = ["NAME", "WRITES", "extract", "read_table", "sheet_rows", "target_lines", "text_rows"]

NAME = "kpis"
WRITES = ("kpis", "kpi_values")


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
