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
