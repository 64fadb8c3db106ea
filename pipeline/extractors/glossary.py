"""Extract glossary.parquet rows: footnotes and inline definitions.

Footnotes: `N TERM(EXPANSION):DEFINITION`. Inline: ABBR(Expansion), ABBR(日本語),
ABBR(Expansion 日本語), 日本語(ABBR), カタカナ語(日本語) in running text; Sudachi
finds where a Japanese term starts (the compound noun before the bracket). One row
per term per document: a footnote and an inline definition of the same term merge,
the footnote's definition kept.
"""
from __future__ import annotations

import re

from ..model import Document, Tables
from ..rules import Rules
from ..ja.tokens import tokenize

NAME = "glossary"
WRITES = ("glossary",)

_ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9&.\-]*[A-Za-z]$")
_LATIN_WORDS = re.compile(r"^[A-Za-z][A-Za-z&.\-]*(?: [A-Za-z&.\-]+)+$|^[A-Za-z]{4,}$")
_KATAKANA = re.compile(r"^[ァ-ヺー・]+$")
_LATIN_TAIL = re.compile(r"[A-Za-z][A-Za-z0-9\-]*$")


def _is_acronym(s: str) -> bool:
    return bool(_ACRONYM.match(s)) and sum(c.isupper() for c in s) >= 2 and " " not in s


def _split_gloss(gloss: str) -> tuple[str | None, str | None]:
    """(expansion, definition) of a bracket's text: English or katakana spelled out, else Japanese."""
    m = re.match(r"^([A-Za-z][A-Za-z&.\- ]*[A-Za-z])\s+(\S.*)$", gloss)
    if m and not m.group(2).isascii():
        return m.group(1), m.group(2)
    if _LATIN_WORDS.match(gloss) or _KATAKANA.match(gloss):
        return gloss, None
    return None, gloss


def footnote_entries(doc: Document) -> list[dict]:
    out = []
    for b in doc.blocks:
        if b.kind != "footnote" or not b.text:
            continue
        text = "".join(line.strip() for line in b.text.split("\n"))
        text = re.sub(r"^[0-9]{1,3}\s*", "", text)
        m = re.match(r"^(?P<head>[^:]+?)\s*:(?!//)\s*(?P<def>.+)$", text)
        if not m:
            continue
        head, definition = m.group("head").strip(), m.group("def").strip()
        term, expansion = head, None
        bm = re.match(r"^(?P<term>[^()]+?)\s*\((?P<g>[^()]+)\)", head)
        if bm:
            term = bm.group("term").strip()
            if _LATIN_TAIL.search(term) or _is_acronym(term.replace("-", "")):
                expansion = bm.group("g").strip() if bm.group("g").isascii() or _KATAKANA.match(bm.group("g")) else None
        out.append({"term": term, "expansion": expansion, "definition": definition, "source": "footnote",
                    "page": b.page, "raw": b.raw})
    return out


def _term_before(text: str, end: int, pos_ok: list[str]) -> str:
    """The compound noun that ends at `end` (Sudachi): 統合型GIS, 最高情報統括責任者."""
    start = max(0, end - 40)
    toks = tokenize(text[start:end])
    words: list[str] = []
    for t in reversed(toks):
        katakana_dot = t.surface == "・" and words and _KATAKANA.match(words[-1])
        if t.pos[0] in pos_ok and t.surface not in ("等", "など") or katakana_dot:
            words.append(t.surface)
        else:
            break
    while words and words[-1] == "・":
        words.pop()
    return "".join(reversed(words))


def inline_entries(doc: Document, rules: Rules) -> list[dict]:
    conf = rules.get("glossary")
    rejects = [re.compile(p) for p in conf.get("reject_gloss", [])]
    max_gloss = int(conf.get("max_gloss_chars", 40))
    pos_ok = conf.get("term_pos", ["名詞"])
    out = []
    # a glossary line giving a term, its reading and its expansion (rules/glossary.toml)
    reading_line = rules.regex(conf["reading_line_pattern"])
    for b in doc.blocks:
        if b.kind not in ("paragraph", "list_item") or not b.text:
            continue
        m = reading_line.match(b.text)
        if m:
            out.append(_row(m.group("t"), m.group("e").strip(), None, b))
    for b, text in _running_texts(doc):
        if reading_line.match(text):
            continue
        for m in re.finditer(r"\(([^()]{1,60})\)", text):
            gloss = m.group(1).strip()
            before = text[: m.start()]
            after = text[m.end():]
            if not gloss or not before:
                continue
            if _is_acronym(gloss) and not gloss.isdigit():
                # 日本語(ABBR): the spelled-out form comes first
                if after[:1] and re.match(r"[一-龥ァ-ヺ]", after[:1]) and not after.startswith(("の", "を", "に", "が", "は", "と", "で", "や")):
                    continue  # (IT)総合戦略室: the bracket is inside a longer name
                full = _term_before(text, m.start(), pos_ok)
                if not full or full.isascii() or len(full) < 3:
                    continue
                exp, definition = (full, None) if _KATAKANA.match(full) else (None, full)
                out.append(_row(gloss, exp, definition, b))
                continue
            if len(gloss) > max_gloss or any(r.search(gloss) for r in rejects):
                continue
            latin = _LATIN_TAIL.search(before)
            prev = before[latin.start() - 1] if latin and latin.start() > 0 else ""
            if latin and not (prev.isascii() and prev.isalnum()):
                term = latin.group(0)
                if not _is_acronym(term) and not re.search(r"[A-Z]", term[1:]) and "-" not in term:
                    continue
                # a Japanese-written prefix glued to the acronym (WEBアクセシビリティ) is handled below
                exp, definition = _split_gloss(gloss)
                out.append(_row(term, exp, definition, b))
                continue
            term = _term_before(text, m.start(), pos_ok)
            if not term or len(term) < 2 or term.isascii():
                continue
            if _KATAKANA.match(gloss) or gloss.isascii():
                continue  # カタカナ(reading) or 日本語(English) in running text: not a definition here
            if not re.search(r"[ァ-ヺ]", term) and not re.search(r"[0-9]", term):
                continue  # a kanji-only term glossed in kanji is usually a remark, not a definition
            out.append(_row(term, None, gloss, b))
    return out


def _running_texts(doc: Document):
    """(block, text) for paragraphs, headings, list items and table cells."""
    for b in doc.blocks:
        if b.kind in ("paragraph", "heading", "list_item") and b.text:
            yield b, b.text
        elif b.kind == "table":
            for row in b.rows:
                for cell in row:
                    if cell:
                        for line in cell.split("\n"):
                            yield b, line


def _row(term: str, expansion: str | None, definition: str | None, b) -> dict:
    return {"term": term, "expansion": expansion, "definition": definition, "source": "inline", "page": b.page,
            "raw": b.raw[:300]}


def extract(doc: Document, out: Tables, rules: Rules) -> None:
    rows: dict[str, dict] = {}
    bad_term = [re.compile(p) for p in rules.get("glossary").get("reject_term", [])]
    for e in footnote_entries(doc) + inline_entries(doc, rules):
        key = e["term"]
        if e["source"] == "inline" and any(r.search(key) for r in bad_term):
            continue
        first = rows.get(key)
        if first is None:
            rows[key] = e
            continue
        # same term twice: the footnote's definition is kept; an inline one fills what is missing
        for col in ("expansion", "definition"):
            if not first.get(col) and e.get(col):
                first[col] = e[col]
    for e in rows.values():
        out.glossary.append({"doc_id": doc.doc_id, **e})
