"""Heading lines of a PDF, from the whole document's layout, and their levels.

A PDF's headings are found per document, not per line:
1. the body style is the char-weighted most common font and size;
2. the table of contents (pages with several leader + page-number lines) gives titles; each
   title marks the first body line that reads the same (this recovers unnumbered headings and
   headings whose number the text layer lacks); contents lines are never headings;
3. the styles (font, size) of those anchored lines are learned: another numbered line set in a
   learned style that is not the body style is a heading too;
4. without a contents page, a numbered line is a heading when it is set apart from the body (other
   font, larger size) or carries a strong label (第N章, (N), `N␣`) and is short.
Lines that read as sentences, bracket block labels (［…］ ＜…＞ ◎), captions (図N), page tags,
numbers alone and lines set smaller than body text are never headings.

Levels come from the document's own nesting: the order in which numbering styles first appear.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ..rules import Rules

# A heading is at most this many characters (spaces removed).
DEFAULT_MAX_HEADING_CHARS = 45
# Without any style cue, a strong label (第N章, (N), `N␣`) heads a line at most this long.
DEFAULT_MAX_PLAIN_HEADING_CHARS = 30
# A line set this much larger than body text is set apart.
DEFAULT_LARGER_PT = 0.9
# A line set more than this much smaller than body text is a footnote or chart label.
DEFAULT_SMALLER_PT = 0.5
# A contents title matches a body line at this similarity (difflib ratio).
DEFAULT_TOC_MATCH = 0.85
# A page with at least this many leader + page-number lines is a contents page.
DEFAULT_TOC_MIN_LINES = 3
# A document with at least this many numbered lines set apart from the body marks its headings by
# style: strong labels in body type are then running text, not headings.
DEFAULT_MIN_STYLED_HEADINGS = 3
# x0 bucket width (pt) for the position of learned unnumbered headings.
DEFAULT_X_BUCKET = 4.0

_UNITS = "年月日号条%人件円回名歳時分秒万億千百倍割位点度ヶか箇"
_LABEL = re.compile(
    r"^\s*(?:"
    r"(?P<chapter>第\s*[0-9一二三四五六七八九十]+\s*[章節部編])"
    r"|(?P<appendix>(?:参考|資料|付録|別紙)\s*[0-9]{1,2})(?![0-9])"
    r"|(?P<dotted>[0-9]{1,2}(?:\s*[.．]\s*[0-9]{1,2})+)(?![0-9])"
    r"|(?P<paren>\(\s*[0-9]{1,2}\s*\))"
    r"|(?P<rparen>[0-9]{1,2}\))"
    r"|(?P<latin>[a-z]\))"
    r"|(?P<circled>[①-⑳])"
    r"|(?P<roman>(?:IX|IV|VI{0,3}|I{1,3}|X))(?=\s*[.、]\s*[^A-Za-z\s]|\s+[^A-Za-z\s])"
    r"|(?P<kata>[アイウエオカキクケコ])(?=\s+|[.、)])"
    rf"|(?P<number>[0-9]{{1,2}})(?=\s*[.、](?![0-9])|\s+(?![{_UNITS}])|[^\s0-9{_UNITS}.,〜~\-:/])"
    r")\s*[.、:]?\s*")
_NUMERIC = re.compile(r"^[0-9,.\s%()\-~〜/:]*$")
_LEADER = re.compile(r"\.{4,}|・{4,}|…{2,}|─{3,}|-{4,}")
_TOC_TAIL = re.compile(r"[\s.・…]*[0-9ivxIVX\-]+\s*$")
# 要 旨: a two-kanji title spread with spaces (longer spread lines are chart and table titles)
_LETTERSPACED = re.compile(r"^\s*[\u4e00-\u9fff][ \u3000]+[\u4e00-\u9fff]\s*$")


@dataclass(frozen=True)
class _Cues:
    """What a heading-like PDF line may still be (rules/headings.toml [pdf_layout])."""

    sentence_end: re.Pattern[str]
    block_label: re.Pattern[str]
    caption: re.Pattern[str]
    page_tag: re.Pattern[str]
    contents_words: frozenset[str]


def _compile_cues(rules: Rules) -> _Cues:
    c = rules.get("headings").get("pdf_layout", {})
    return _Cues(rules.regex(c["sentence_end_pattern"]), rules.regex(c["block_label_pattern"]),
                 rules.regex(c["caption_pattern"]), rules.regex(c["page_tag_pattern"]),
                 frozenset(w.lower() for w in c.get("contents_words", [])))


def _cues(rules: Rules) -> _Cues:
    return rules.memo("pdf_heading_cues", _compile_cues)


@dataclass
class PdfLine:
    """What heading detection needs of a PDF line."""

    text: str
    page: int
    x0: float
    size: float
    font: str = ""


@dataclass(frozen=True)
class HeadLabel:
    style: str   # style key: chapter, dotted2, paren, number, matter …; "" when unnumbered
    label: str   # as the document writes it, NFKC, spaces and a trailing dot removed
    title: str


# Line texts whose NFKC and folded forms are remembered (running headers and labels repeat; each
# line is folded several times while headings are judged).
DEFAULT_MEMO_TEXTS = 8192
_CIRCLED = re.compile(r"([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")


@lru_cache(maxsize=DEFAULT_MEMO_TEXTS)
def nfkc(s: str) -> str:
    """NFKC, circled numbers kept (they are labels: ① is not 1)."""
    parts = _CIRCLED.split(s)
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


@lru_cache(maxsize=DEFAULT_MEMO_TEXTS)
def fold(s: str) -> str:
    return re.sub(r"\s+", "", nfkc(s))


def split_label(text: str) -> HeadLabel:
    """The label at the start of a (NFKC) line, its style key and the title after it."""
    t = nfkc(text).strip()
    m = _LABEL.match(t)
    if not m:
        return HeadLabel("", "", t)
    style = next(k for k, v in m.groupdict().items() if v is not None)
    label = re.sub(r"\s+", "", m.group(style)).rstrip(".、")
    if style == "dotted":
        style = f"dotted{label.count('.') + 1}"
    elif style == "chapter":
        style = "chapter" if label.endswith("章") else f"part_{label[-1]}"
    elif style == "appendix":
        style = f"appendix_{label[:2]}"
    return HeadLabel(style, label, t[m.end():].strip())


def head_label(text: str, rules: Rules | None = None) -> HeadLabel:
    """split_label, with front/back matter titles (はじめに, 資料編) as the style `matter`."""
    h = split_label(text)
    return HeadLabel("matter", "", h.title) if not h.style and _is_matter(h.title, rules) else h


def _sim(a: str, b: str) -> float:
    if not a or not b or min(len(a), len(b)) / max(len(a), len(b)) < 0.6:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def contents_lines(lines: list[PdfLine], rules: Rules) -> tuple[set[int], list[str]]:
    """Indices of the lines on contents pages, and the folded titles they list."""
    contents_words = _cues(rules).contents_words
    per_page: Counter[int] = Counter()
    for ln in lines:
        t = nfkc(ln.text)
        if _LEADER.search(t) and _TOC_TAIL.search(t):
            per_page[ln.page] += 1
    pages = {p for p, n in per_page.items() if n >= DEFAULT_TOC_MIN_LINES}
    rows, titles = set(), []
    for i, ln in enumerate(lines):
        if ln.page not in pages:
            continue
        rows.add(i)
        t = nfkc(ln.text)
        head = _LEADER.split(t)[0]
        head = _TOC_TAIL.sub("", head) if _LEADER.search(t) else head
        title = fold(split_label(head).title)
        if title and title.lower() not in contents_words and not _NUMERIC.match(title):
            titles.append(title)
    return rows, titles


def body_style(lines: list[PdfLine]) -> tuple[str, float]:
    fonts: Counter[str] = Counter()
    sizes: Counter[float] = Counter()
    for ln in lines:
        n = len(fold(ln.text))
        fonts[ln.font] += n
        sizes[ln.size] += n
    return (fonts.most_common(1)[0][0] if fonts else "", sizes.most_common(1)[0][0] if sizes else 0.0)


def _sig(ln: PdfLine) -> tuple[str, float]:
    return ln.font, round(ln.size * 2) / 2


def _is_matter(title: str, rules: Rules | None = None) -> bool:
    """Front and back matter titles (はじめに, 資料編 …: the `matter` style of rules/headings.toml)."""
    from .headings import match_heading

    m = match_heading(title, rules)
    return m is not None and m.style == "matter"


def _candidate(ln: PdfLine, body_size: float, cues: _Cues) -> HeadLabel | None:
    t = nfkc(ln.text).strip()
    f = fold(t)
    if not f or len(f) > DEFAULT_MAX_HEADING_CHARS or "。" in t or cues.sentence_end.search(t):
        return None
    if cues.block_label.match(t) or cues.caption.match(t) or cues.page_tag.match(f) or _NUMERIC.match(f):
        return None
    if body_size and ln.size < body_size - DEFAULT_SMALLER_PT:
        return None
    h = split_label(t)
    if not fold(h.title) or _NUMERIC.match(fold(h.title)):
        return None
    return h


_STRUCTURAL = re.compile(r"^(chapter|part_)")
_STRONG = re.compile(r"^(chapter|part_|paren$|number$|dotted)")


def detect(lines: list[PdfLine], rules: Rules) -> tuple[dict[int, HeadLabel], set[int]]:
    """Heading lines (index -> label) and contents lines of a document."""
    cues = _cues(rules)
    toc_rows, titles = contents_lines(lines, rules)
    body_lines = [ln for i, ln in enumerate(lines) if i not in toc_rows]
    body_font, body_size = body_style(body_lines)
    body_sig = (body_font, round(body_size * 2) / 2)
    cands: list[tuple[int, PdfLine, HeadLabel]] = []
    for i, ln in enumerate(lines):
        if i in toc_rows:
            continue
        h = _candidate(ln, body_size, cues)
        if h is not None:
            cands.append((i, ln, h))
    heads: dict[int, HeadLabel] = {}
    used: set[int] = set()
    for i, ln, h in cands:  # contents titles anchor their first body line
        ft = fold(h.title)
        for k, title in enumerate(titles):
            if k not in used and _sim(ft, title) >= DEFAULT_TOC_MATCH:
                heads[i] = h
                used.add(k)
                break
    anchors = set(heads)
    learned = {_sig(lines[i]) for i in heads}
    learned_unnum = {(_sig(lines[i]), round(lines[i].x0 / DEFAULT_X_BUCKET)) for i, h in heads.items() if not h.style}
    has_toc = bool(titles)

    def styled(ln: PdfLine) -> bool:
        return ln.font != body_font or ln.size >= body_size + DEFAULT_LARGER_PT

    plain_doc = sum(1 for _, ln, h in cands if h.style and styled(ln)) < DEFAULT_MIN_STYLED_HEADINGS
    for i, ln, h in cands:
        if i in heads:
            continue
        if h.style:
            if has_toc:
                ok = _sig(ln) in learned and _sig(ln) != body_sig
            else:
                ok = styled(ln) or (plain_doc and bool(_STRONG.match(h.style))
                                    and len(fold(ln.text)) <= DEFAULT_MAX_PLAIN_HEADING_CHARS)
            if ok:
                heads[i] = h
        elif styled(ln) and _is_matter(h.title):
            heads[i] = HeadLabel("matter", "", h.title)
        elif (_sig(ln), round(ln.x0 / DEFAULT_X_BUCKET)) in learned_unnum:
            heads[i] = h
        elif has_toc and _LETTERSPACED.match(nfkc(ln.text)) and ln.size >= body_size:
            heads[i] = h
    return _plausible(heads, anchors), toc_rows


# A numbered heading restarts at 1 or continues its series with at most this gap (13 after 3 is
# a number in running text); the first of a style may start at most at DEFAULT_FIRST_NUMBER.
DEFAULT_NUMBER_GAP = 2
DEFAULT_FIRST_NUMBER = 3


def continues_series(n: int, prev: int | None) -> bool:
    """A number restarts its series (1), opens it (at most DEFAULT_FIRST_NUMBER) or continues it
    from `prev` (at most DEFAULT_NUMBER_GAP on): 13 after 3 is a number in running text."""
    return n == 1 or (prev is None and n <= DEFAULT_FIRST_NUMBER) or (prev is not None and n <= prev + DEFAULT_NUMBER_GAP)


def _plausible(heads: dict[int, HeadLabel], keep: set[int]) -> dict[int, HeadLabel]:
    """Drop numbered headings out of their series (lines listed in the contents are kept)."""
    from .enumerators import ordinal

    last: dict[str, int] = {}
    out: dict[int, HeadLabel] = {}
    for i in sorted(heads):
        h = heads[i]
        n = ordinal(re.sub(r"[()]", "", h.label)) if h.style in _SERIES else None
        if n is not None and i not in keep and not continues_series(n, last.get(h.style)):
            continue
        if n is not None:
            last[h.style] = n
        out[i] = h
    return out


_SERIES = {"number", "paren", "rparen", "circled", "latin", "kata"}


def assign_levels(heads: list[tuple[HeadLabel, tuple[str, float]]]) -> list[int]:
    """Levels from the document's own nesting. `heads`: (label, style signature) in order.

    A numbering style seen before sits at the level it first had (deeper styles close); a new
    style nests under the current one. An unnumbered heading is a sibling of an unnumbered heading
    just before it, a child of the numbered heading before it, and at the top when the document
    opens with it (then a style of the same look stays at the top, and dotted numbers 1.1 nest
    under it: their `1` is missing from the text).
    """
    levels: list[int] = []
    stack: list[str] = []
    top_unnum: set[tuple[str, float]] = set()
    above: dict[str, set[str]] = {}   # style -> the styles it has been nested under
    offset = 0
    seen_numbered = False
    for k, (h, sig) in enumerate(heads):
        if h.style == "matter":
            stack, offset = [], 0   # はじめに / 資料編: front and back matter, at the top, holding no numbers
            levels.append(1)
            continue
        if not h.style:
            if sig in top_unnum or all(x.style == "matter" for x, _ in heads[:k]):
                top_unnum.add(sig)
                level = 1
            elif heads[k - 1][0].style in ("", "matter"):
                level = levels[k - 1]
            else:
                level = levels[k - 1] + 1
            levels.append(level)
            continue
        if not seen_numbered:
            seen_numbered = True
            if top_unnum and h.style.startswith("dotted"):
                offset = 1
        if h.style.startswith("appendix_"):
            stack, offset = [h.style], 0   # 参考N / 資料N: back matter at the top level
        elif h.style in stack:
            del stack[stack.index(h.style) + 1:]
        elif h.style in above:
            # a style met before: it closes the styles it was once above (① … then (2) closes ①)
            while stack and h.style in above.get(stack[-1], set()):
                stack.pop()
            stack.append(h.style)
        elif _STRUCTURAL.match(h.style) and not any(_STRUCTURAL.match(st) for st in stack):
            stack, offset = [h.style], 0   # 第N章 first seen below other numbers: chapters are the top
        else:
            stack.append(h.style)
        above.setdefault(h.style, set()).update(stack[:-1])
        levels.append(len(stack) + offset)
    return levels


def missing_numbers(heads: list[HeadLabel], levels: list[int]) -> dict[int, str]:
    """Numbers the text layer lacks (word processor auto-numbering): an unnumbered heading whose
    first child is numbered N.1 is heading N. Returns index -> inferred label."""
    out: dict[int, str] = {}
    for k, (h, lv) in enumerate(zip(heads, levels)):
        if h.style or k + 1 >= len(heads) or levels[k + 1] != lv + 1:
            continue
        m = re.fullmatch(r"([0-9]{1,2})\.1", heads[k + 1].label)
        if m and heads[k + 1].style == "dotted2":
            out[k] = m.group(1)
    return out


_SUBTITLE = re.compile(r"\s+[:：]\s+.*$")


def clean_title(title: str) -> str:
    """A heading's title without a subtitle set off by a spaced colon (`計画 : 別紙のとおり`)."""
    return _SUBTITLE.sub("", title).strip() or title
