"""Enumerators: the numbers plans put in front of headings, list items and contents entries.

`EnumeratorRules` is compiled once from rules/outline.toml; `parse_label` reads the label at the
start of a string, `ordinal` turns a number as written (3, 三, ③, ウ, III) into an int.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Label

KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)} | {chr(0x3251 + i): 21 + i for i in range(15)} | {
    chr(0x32B1 + i): 36 + i for i in range(15)}
KATAKANA_ORDER = "アイウエオカキクケコサシスセソタチツテト"
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
LATIN_ORDER = "abcdefgh"


def _roman(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = ROMAN[a]
        total += -v if b != " " and ROMAN.get(b, 0) > v else v
    return total


def ordinal(s: str | None) -> int | None:
    """The ordinal of a number as written: 3, 三, ③, ウ, III, b; the last part of 1-2-3."""
    if not s:
        return None
    s = re.split(r"\s*[-‐−.]\s*", s.strip())[-1]
    if s.isascii() and s.isdigit():
        return int(s)
    if s in CIRCLED:
        return CIRCLED[s]
    if len(s) == 1 and s in KATAKANA_ORDER:
        return KATAKANA_ORDER.index(s) + 1
    if len(s) == 1 and s in LATIN_ORDER:
        return LATIN_ORDER.index(s) + 1
    if s and all(ch in ROMAN for ch in s.upper()):
        return _roman(s.upper())
    if s and all(ch in KANJI_DIGITS for ch in s):
        if s == "十":
            return 10
        if s.startswith("十"):
            return 10 + KANJI_DIGITS[s[1]]
        if len(s) == 2 and s[1] == "十":
            return KANJI_DIGITS[s[0]] * 10
        if len(s) == 3 and s[1] == "十":
            return KANJI_DIGITS[s[0]] * 10 + KANJI_DIGITS[s[2]]
        return KANJI_DIGITS[s[0]]
    return None


@dataclass(frozen=True)
class Style:
    name: str
    rank: int
    pattern: re.Pattern[str]
    structural: bool = False
    kind: str | None = None


def parse_label(text: str, styles: list[Style], start: int = 0) -> Label | None:
    """The first style whose pattern matches at `start`."""
    for st in styles:
        m = st.pattern.match(text, start)
        if not m:
            continue
        g = m.groupdict()
        kind = g.get("kind") or st.kind
        label = re.sub(r"\s+", "", g.get("label") or m.group(0))
        return Label(st.name, label, ordinal(g.get("num")), kind, m.end(), st.structural)
    return None
