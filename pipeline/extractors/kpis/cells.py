"""Parse a KPI table cell: 1,320名 / 40% / 延べ12回 / 24手続(令和4年度) / 35手続 (49手続) / — / (調査中).

A year inside the cell overrides the column's (a month gives its fiscal year);
`planned (actual)` cells give two values; note markers (※4, (注1)) are returned
separately. A cell that is neither a value nor a no-value word does not parse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...ja.fiscal import find_years
from ...rules import Rules, load_rules


@dataclass
class CellValue:
    value: float | None = None
    unit: str | None = None
    fiscal_year: int | None = None
    second: "CellValue | None" = None  # the bracketed value of a `planned (actual)` cell
    notes: list[str] = field(default_factory=list)
    ok: bool = True  # False: the cell had text that is neither a value nor a no-value word
    qualifier: str | None = None  # what the cell says of the number: 年 (per year), 5年間で, 延べ, 程度, 以上


@dataclass(frozen=True)
class _CellRules:
    number: re.Pattern[str]
    note: re.Pattern[str]
    no_value: frozenset[str]
    prefixes: tuple[str, ...]
    units: tuple[str, ...]
    max_unit: int
    per: re.Pattern[str]
    qualifier: re.Pattern[str]
    qualifier_after: re.Pattern[str]


def _compile(rules: Rules) -> _CellRules:
    conf = rules.get("kpis").get("cells", {})
    prefixes = tuple(sorted(conf.get("prefixes", []), key=len, reverse=True))
    number = re.compile(r"^(?P<pre>" + "|".join(map(re.escape, prefixes)) + r")?\s*(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)\s*")
    return _CellRules(number, re.compile(conf["note_marker"]),
                      frozenset(conf.get("no_value", [])), prefixes,
                      tuple(sorted(conf.get("units", []), key=len, reverse=True)), int(conf.get("max_unit_chars", 6)),
                      re.compile(conf.get("per_unit_pattern", "(?!)")),
                      re.compile(conf.get("qualifier_pattern", "(?!)")),
                      re.compile(conf.get("qualifier_after_pattern", "(?!)")))


def _cr(rules: Rules | None) -> tuple[_CellRules, Rules]:
    rules = rules or load_rules()
    return rules.memo("kpi_cells", _compile), rules


def strip_notes(text: str, rules: Rules | None = None) -> tuple[str, list[str]]:
    """Text without note markers, and the markers' numbers (※4 -> '4', (注1) -> '1')."""
    cr, _ = _cr(rules)
    notes = [m.group("n") for m in cr.note.finditer(text) if m.group("n")]
    return " ".join(cr.note.sub(" ", text).split()), notes


def _unit(rest: str, cr: _CellRules) -> str | None:
    rest = rest.strip()
    for u in cr.units:
        if rest.startswith(u):
            per = cr.per.match(rest[len(u):])  # compound units: 人/年, 万件/年
            return u + per.group(0) if per else u
    m = re.match(r"^([^\s0-9()\[\]*、,。/]{1," + str(cr.max_unit) + r"})(?:$|\s|\()", rest)
    return m.group(1) if m else None


def _one(text: str, cr: _CellRules) -> CellValue | None:
    """A single value: 延べ12回, 59.3%, 24. None when the text is not a value."""
    t = text.strip().strip("()").strip()
    before = cr.qualifier.match(t)
    t = t[before.end():] if before else t
    m = cr.number.match(t)
    if not m:
        return None
    value = float(m.group("num").replace(",", ""))
    rest = t[m.end() - (len(m.group(0)) - len(m.group(0).rstrip())):]
    unit = None if rest[:1].isspace() else _unit(rest, cr)
    if unit is None and rest and not rest[:1].isspace() and rest[:1] not in "(（" and len(rest) > cr.max_unit:
        return None  # 1年間収録しDVD化…: a number inside a sentence is no value
    after = cr.qualifier_after.match(rest[len(unit or ""):].strip())
    words = [x for x in ((before.group(0).strip() if before else ""), (m.group("pre") or "").strip(),
                         (after.group(0) if after else "")) if x]
    return CellValue(value, unit, qualifier=" ".join(words) or None)


def parse_cell(raw: str | None, rules: Rules | None = None) -> CellValue:
    cr, rules = _cr(rules)
    if raw is None:
        return CellValue()
    text, notes = strip_notes(" ".join(raw.split()), rules)
    if not text or text in cr.no_value or text.strip("()") in cr.no_value:
        return CellValue(notes=notes)
    for u in cr.units:  # a no-value mark with its unit: ―%
        if text.endswith(u) and text[:-len(u)].strip() in cr.no_value:
            return CellValue(notes=notes)
    # split off bracketed parts: a year (overrides the column's) or a second value (actual)
    year = None
    second = None
    main = text
    for m in list(re.finditer(r"\(([^()]*)\)", text)):
        inner = m.group(1).strip()
        ys = find_years(inner, rules)
        if ys and ys[0].start == 0:
            year = ys[0].fiscal_year
            main = main.replace(m.group(0), " ")
        elif main.strip().startswith(m.group(0)):
            continue
        else:
            sub = _one(inner, cr)
            if sub is not None or inner in cr.no_value:
                second = sub or CellValue()
                main = main.replace(m.group(0), " ")
    main = main.strip()
    if not main or main in cr.no_value:
        return CellValue(None, None, year, second, notes)
    first = _one(main, cr)
    if first is None:
        ys = find_years(main, rules)
        return CellValue(None, None, ys[0].fiscal_year if ys else year, second, notes, ok=False)
    first.fiscal_year, first.second, first.notes = year, second, notes
    return first
