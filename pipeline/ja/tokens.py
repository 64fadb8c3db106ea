"""Sudachi tokenization, loaded once per process.

Sudachi refuses inputs over 49,149 bytes, so callers pass paragraphs; longer
text is cut at sentence ends here. Radicals must be normalized first (Sudachi
leaves them alone and they come out as unknown words).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Sudachi's input limit is 49,149 bytes; stay well under it.
DEFAULT_MAX_BYTES = 40_000


@dataclass(frozen=True)
class Token:
    surface: str
    pos: tuple[str, ...]
    normalized: str
    begin: int
    end: int


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core")


@lru_cache(maxsize=3)
def _tokenizer(mode: str = "C") -> Any:
    from sudachipy import SplitMode

    return _dictionary().tokenizer(mode=getattr(SplitMode, mode))


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text.encode("utf-8")) <= DEFAULT_MAX_BYTES:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = start
        size = 0
        while end < len(text) and size + len(text[end].encode("utf-8")) <= DEFAULT_MAX_BYTES:
            size += len(text[end].encode("utf-8"))
            end += 1
        cut = text.rfind("。", start, end)
        if cut > start and end < len(text):
            end = cut + 1
        out.append((start, text[start:end]))
        start = end
    return out


@lru_cache(maxsize=8192)
def tokenize(text: str, mode: str = "C") -> tuple[Token, ...]:
    """Morphemes of `text` with character offsets into `text`. Mode C keeps compounds
    whole (統合型GIS); mode A gives the shortest words (情報|セキュリティ|対策)."""
    if not text:
        return ()
    out: list[Token] = []
    tok = _tokenizer(mode)
    for offset, chunk in _chunks(text):
        for m in tok.tokenize(chunk):
            out.append(Token(m.surface(), tuple(m.part_of_speech()), m.normalized_form(),
                             offset + m.begin(), offset + m.end()))
    return tuple(out)


def ends_like_sentence(text: str) -> bool:
    """True when the text ends with an auxiliary verb (です, ます, た …): a sentence, not a title."""
    toks = [t for t in tokenize(text.strip()) if t.pos[0] not in ("補助記号", "空白")]
    return bool(toks) and toks[-1].pos[0] == "助動詞"


# Context taken on each side of a space when deciding whether it lies inside a word.
SPACE_CONTEXT_CHARS = 12


def space_inside_word(left: str, right: str, *, bound_after: tuple[str, ...] = ("接頭辞",),
                      bound_before: tuple[str, ...] = ("助詞", "助動詞", "接尾辞")) -> bool:
    """Is a space between `left` and `right` (the space-free text on each side) inside a word?

    Yes when the joined text tokenizes (Sudachi, shortest units) into a word that crosses
    the space (令 和 -> 令和, 生活応 援 -> 生活|応援), or when one side cannot stand on its
    own: the left side ends with a prefix (`bound_after`: 第 |1) or the right side starts
    with a word that only ever follows another (`bound_before`: particles, auxiliaries,
    suffixes: 解消 される, 情報 化). Otherwise the space separates two words that are each
    whole (所属 氏名: two cells, 情報化推進 職員研修: two items) and stays.
    """
    left, right = left[-SPACE_CONTEXT_CHARS:], right[:SPACE_CONTEXT_CHARS]
    if not left or not right:
        return False
    cut = len(left)
    for t in tokenize(left + right, "A"):
        # a person's name across the space is Sudachi guessing (課長 加茂 -> 長加|茂): not evidence
        if t.begin < cut < t.end and not (len(t.pos) > 2 and t.pos[2] == "人名"):
            return True
        if t.begin >= cut:
            break
    last = tokenize(left, "A")
    first = tokenize(right, "A")
    if last and _pos_in(last[-1].pos, bound_after):
        return True
    return bool(first) and _pos_in(first[0].pos, bound_before)


def _pos_in(pos: tuple[str, ...], specs: tuple[str, ...]) -> bool:
    """Does a part of speech match one of `specs` ("助詞", or a longer prefix "動詞,非自立可能")?"""
    return any(tuple(spec.split(",")) == pos[: spec.count(",") + 1] for spec in specs)
