"""Recognize heading lines from the styles in rules/headings.toml."""
from __future__ import annotations

from dataclasses import dataclass

from ..rules import Rules, load_rules
from .enumerators import ordinal

# the ordinal of a label's number (3, 三, ③, ウ, III): one reader for every stage
parse_number = ordinal


@dataclass(frozen=True)
class HeadingMatch:
    style: str
    level: int
    label: str
    number: int | None
    title: str


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
