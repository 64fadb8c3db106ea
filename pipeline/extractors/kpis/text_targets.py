"""Targets written in text: `指標名 A(年) → B(年)` lines and `名称:A→B` cells.

A line (or a cell of a `|` table) that is an indicator's name followed by a value, an
arrow and a second value gives a KPI: the first value is the baseline, the second the
target — or, where the text around it reports progress (進捗状況, 実績: rules/kpis.toml
actual_cues), the actual of the year that report names. Inside such a progress table a
lone `名称:値` cell is an actual too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...ja.fiscal import find_years
from ...model import Document
from ...rules import Rules
from .cells import parse_cell


@dataclass
class TextTarget:
    name: str
    block: int
    first: str | None   # the value before the arrow (raw)
    second: str          # the value after it, or the lone value
    second_kind: str     # target or actual
    second_fy: int | None
    raw: str


def _rx(rules: Rules) -> tuple[re.Pattern[str], re.Pattern[str]]:
    conf = rules.get("kpis")["text_targets"]
    return re.compile(conf["arrow_pattern"]), re.compile(conf["name_value_pattern"])


def _actual_context(doc: Document, bi: int, rules: Rules) -> tuple[bool, int | None]:
    """Whether the blocks just above report progress, and the year they name with the cue."""
    cues = rules.get("kpis")["text_targets"].get("progress_cues", [])
    depth = int(rules.get("kpis")["text_targets"].get("context_blocks", 8))
    found = False
    in_table = "|" in doc.blocks[bi].text
    for b in reversed(doc.blocks[max(0, bi - depth):bi + 1]):
        if not b.text:
            continue
        if b is not doc.blocks[bi] and (b.kind == "heading" or (not in_table and "|" in b.text)):
            break  # the report's context ends at a heading, and a line below a table is not in it
        for c in cues:
            at = b.text.find(c)
            if at < 0:
                continue
            found = True
            ys = [y for y in find_years(b.text, rules) if y.end <= at + 1 or abs(y.end - at) <= 2]
            if ys:
                return True, ys[-1].fiscal_year
    return found, None


def read_text_targets(doc: Document, rules: Rules) -> list[TextTarget]:
    arrow, name_value = rules.memo("kpi_text_targets", _rx)
    max_name = int(rules.get("kpis")["text_targets"].get("max_name_chars", 40))
    out: list[TextTarget] = []
    for bi, b in enumerate(doc.blocks):
        if b.kind not in ("paragraph", "list_item", "heading", "line") or not b.text:
            continue
        in_table = "|" in b.text
        for frag in (f.strip() for f in b.text.split("|")):
            if not frag:
                continue
            m = arrow.match(frag)
            if m:
                name = m.group("name").strip().rstrip(":：").strip()
                first, second = m.group("a").strip(), m.group("b").strip()
                if not (2 <= len(name) <= max_name) or "。" in name:
                    continue
                if parse_cell(first, rules).value is None or parse_cell(second, rules).value is None:
                    continue
                actual, fy = _actual_context(doc, bi, rules)
                out.append(TextTarget(name, bi, first, second, "actual" if actual else "target",
                                      fy if actual else None, frag))
                continue
            m = name_value.match(frag)
            if m and in_table:
                name = m.group("name").strip()
                actual, fy = _actual_context(doc, bi, rules)
                if actual and 2 <= len(name) <= max_name and parse_cell(m.group("v"), rules).value is not None:
                    out.append(TextTarget(name, bi, None, m.group("v").strip(), "actual", fy, frag))
    return out
