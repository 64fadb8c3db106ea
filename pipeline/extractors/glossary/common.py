"""Helpers the glossary readers share: term and gloss shapes, the row, and the running text
of a document (paragraphs joined per page, headings, table cells) with the compound noun
that ends at a position."""
from __future__ import annotations

import re
from typing import Iterator

from ...model import Block, Document
from ...ja.tokens import tokenize

_ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9&.\-]*[A-Za-z]$")
_LATIN_WORDS = re.compile(r"^[A-Za-z][A-Za-z&.,\-]*(?: [A-Za-z&.,\-]+)+$|^[A-Za-z]{4,}$")
_KATAKANA = re.compile(r"^[ァ-ヺー・]+$")
_KATAKANA_WORDS = re.compile(r"[ァ-ヺー]{2,}")
_LATIN_TAIL = re.compile(r"[A-Za-z][A-Za-z0-9\-]*$")
_KANA_LATIN = re.compile(r"^[ァ-ヺー・]*[A-Za-z][A-Za-z0-9\-]*$")
_LATIN_KATAKANA = re.compile(r"^[A-Za-z]+ ?[ァ-ヺー・]+$")
_JA = re.compile(r"[ぁ-ゖァ-ヺー一-龥々]")


def _is_acronym(s: str) -> bool:
    return bool(_ACRONYM.match(s)) and sum(c.isupper() for c in s) >= 2 and " " not in s


def _termlike(s: str) -> bool:
    """An abbreviation or a loanword written with Latin letters: ICT, iCD, ウォーターPPP."""
    s = s.strip()
    return _is_acronym(s) or (bool(_KANA_LATIN.match(s)) and bool(re.search(r"[A-Z]{2}", s)))


def _split_gloss(gloss: str) -> tuple[str | None, str | None]:
    """(expansion, definition) of a bracket's text: English or katakana spelled out, else Japanese."""
    m = re.match(r"^([A-Za-z][A-Za-z&.,\- ]*[A-Za-z])\s+(\S.*)$", gloss)
    if m and not m.group(2).isascii():
        return m.group(1), m.group(2)
    if _LATIN_WORDS.match(gloss) or _KATAKANA.match(gloss) or _LATIN_KATAKANA.match(gloss):
        return gloss, None
    return None, gloss


def _spelled_out(full: str) -> tuple[str | None, str | None]:
    """A Japanese full form: katakana (with Latin letters) is a spelled-out form, else a gloss."""
    if _KATAKANA.match(full) or _LATIN_KATAKANA.match(full):
        return full, None
    return None, full


def _row(term: str, expansion: str | None, definition: str | None, source: str, b: Block) -> dict:
    return {"term": term.strip(), "expansion": expansion or None, "definition": definition or None,
            "source": source, "page": b.page, "raw": (b.raw or "")[:300]}


# --- running text --------------------------------------------------------------------------

def _streams(doc: Document) -> Iterator[tuple[Block, str]]:
    """Running text to read brackets and notes in: consecutive paragraphs and list items of a
    page joined with newlines (a PDF line is a paragraph of its own), headings, table cells."""
    run: list[Block] = []
    pdf = doc.source_format == "pdf"

    def flush() -> Iterator[tuple[Block, str]]:
        if run:
            yield run[0], "\n".join(b.text for b in run)
        run.clear()

    for b in doc.blocks:
        if b.kind in ("paragraph", "list_item") and b.text:
            if run and (run[-1].page != b.page or not pdf):
                yield from flush()
            run.append(b)
            continue
        yield from flush()
        if b.kind == "heading" and b.text:
            yield b, b.text
        elif b.kind == "table":
            for row in b.rows:
                for cell in row:
                    if cell:
                        for line in cell.split("\n"):
                            yield b, line
    yield from flush()


def _compound_before(text: str, end: int, pos_ok: tuple[str, ...]) -> str:
    """The compound noun that ends at `end` (Sudachi): 統合型GIS, 最高情報統括責任者, ID・パスワード."""
    start = max(0, end - 40)
    seg = text[start:end]
    cut = max(seg.rfind("\n"), seg.rfind(" ") if not re.search(r"[A-Za-z] [ァ-ヺ]", seg[-20:]) else -1)
    seg = seg[cut + 1:]
    toks = tokenize(seg)
    words: list[str] = []
    for t in reversed(toks):
        katakana_dot = t.surface == "・" and words and _KATAKANA.match(words[-1][:1])
        if (t.pos[0] in pos_ok and t.surface not in ("等", "など")) or katakana_dot:
            if words and words[-1] == "・" and not _JA.search(t.surface):
                break  # ID・パスワード(PWD): a Latin word before ・ is another item of a list
            words.append(t.surface)
        elif t.pos[0] == "空白" and words and _KATAKANA.match(words[-1][:1] or "x") and re.match(r"^[A-Za-z]", seg[:t.begin][-1:] or ""):
            continue  # AI スペシャリスト: a Latin word set apart from the katakana it qualifies
        else:
            break
    while words and words[-1] == "・":
        words.pop()
    term = "".join(reversed(words))
    # AI スペシャリスト: the Latin word before a spaced katakana word belongs to it
    m = re.search(r"([A-Za-z]+) " + re.escape(term) + "$", seg) if term and _KATAKANA.match(term[:1]) else None
    if m:
        term = m.group(1) + term
    return term
