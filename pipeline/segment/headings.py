"""Recognize heading lines from the styles in rules/headings.toml."""
from __future__ import annotations

from dataclasses import dataclass

from ..rules import Rules, load_rules

KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)} | {chr(0x3251 + i): 21 + i for i in range(15)} | {
    chr(0x32B1 + i): 36 + i for i in range(15)}
KATAKANA_ORDER = "アイウエオカキクケコサシスセソタチツテト"
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = ROMAN[a]
        total += -v if b != " " and ROMAN.get(b, 0) > v else v
    return total


@dataclass(frozen=True)
class HeadingMatch:
    style: str
    level: int
    label: str
    number: int | None
    title: str


def parse_number(s: str | None) -> int | None:
    """The ordinal of a label's number: 3, 三, ③, ウ."""
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if s in CIRCLED:
        return CIRCLED[s]
    if s in KATAKANA_ORDER:
        return KATAKANA_ORDER.index(s) + 1
    if s and all(ch in ROMAN for ch in s.upper()):
        return _roman(s.upper())
    if all(ch in KANJI_DIGITS for ch in s):
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


def match_heading(text: str, rules: Rules | None = None, *, strict: bool = True) -> HeadingMatch | None:
    """The heading style a line matches, or None. `strict` applies the sentence limits."""
    rules = rules or load_rules()
    conf = rules.get("headings")
    limits = conf.get("limits", {})
    s = text.strip()
    if not s:
        return None
    for style in conf.get("style", []):
        m = rules.regex(style["pattern"]).match(s)
        if not m:
            continue
        groups = m.groupdict()
        title = (groups.get("title") or "").strip()
        if strict and _reads_as_sentence(title, limits):
            return None
        num = groups.get("num") or groups.get("num2")
        label = (groups.get("label") or "").replace(" ", "")
        if style["name"] == "roman" and not num:
            continue  # the pattern's optional parts matched nothing
        return HeadingMatch(style["name"], int(style["level"]), label, parse_number(num), title)
    return None


def _reads_as_sentence(title: str, limits: dict) -> bool:
    if len(title) > int(limits.get("max_title_chars", 45)):
        return True
    t = title.rstrip()
    if "。" in t[:-1]:
        return True
    return any(t.endswith(e) for e in limits.get("sentence_endings", []))
