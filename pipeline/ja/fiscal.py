"""Fiscal years from Japanese date expressions, with the era table in rules/eras.toml.

令和3年度 -> 2021, 令和元年度 -> 2019, 平成32年度 -> 2020, R7 -> 2025, 2024年度 -> 2024,
2024(令和6)年度 -> 2024, and a month gives its fiscal year: 令和3年3月 -> 2020.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules import Rules, load_rules


@dataclass(frozen=True)
class YearRef:
    fiscal_year: int
    start: int
    end: int
    text: str


def _compiled(rules: Rules) -> tuple[re.Pattern[str], dict[str, int], int, int, int]:
    conf = rules.get("eras")
    starts: dict[str, int] = {}
    for era in conf.get("era", []):
        starts[era["name"]] = int(era["start"])
        for ab in era.get("abbrev", []):
            starts[ab] = int(era["start"])
    names = "|".join(re.escape(k) for k in sorted(starts, key=len, reverse=True))
    fiscal = conf.get("fiscal", {})
    pattern = re.compile(
        # 2024(令和6)年度 / 2024年度 / 2024年3月
        r"(?P<greg>(?<![0-9])(?:19|20)[0-9]{2})\s*(?:\((?:" + names + r")\s*(?:[0-9]{1,2}|元)\))?\s*(?:年度|年\s*(?P<gm>[0-9]{1,2})\s*月|年)"
        # 令和3年度 / 令和元年度 / 令和3年3月 / R3年度 / R7
        r"|(?P<era>" + names + r")\s*(?P<n>[0-9]{1,2}|元)\s*(?:年度|年\s*(?P<em>[0-9]{1,2})\s*月|年|(?![0-9A-Za-z]))"
    )
    return (pattern, starts, int(fiscal.get("first_month", 4)), int(fiscal.get("min_year", 1950)),
            int(fiscal.get("max_year", 2100)))


def find_years(text: str, rules: Rules | None = None) -> list[YearRef]:
    """Every fiscal-year expression in `text`, in order."""
    pattern, starts, first_month, lo, hi = (rules or load_rules()).memo("fiscal", _compiled)
    out = []
    for m in pattern.finditer(text):
        if m.group("greg"):
            year = int(m.group("greg"))
            month = m.group("gm")
        else:
            if m.group("era") in ("R", "H", "S", "Ｒ", "Ｈ", "Ｓ") and m.start() > 0 and text[m.start() - 1].isalpha() and text[m.start() - 1].isascii():
                continue  # inside a Latin word (KPI, QR7)
            n = m.group("n")
            year = starts[m.group("era")] + (1 if n == "元" else int(n)) - 1
            month = m.group("em")
        if month and int(month) < first_month:
            year -= 1
        if lo <= year <= hi:
            out.append(YearRef(year, m.start(), m.end(), m.group(0)))
    return out


def fiscal_year(text: str, rules: Rules | None = None) -> int | None:
    """The first fiscal year named in `text`, or None."""
    ys = find_years(text, rules)
    return ys[0].fiscal_year if ys else None
