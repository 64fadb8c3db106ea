"""A bounded memo of a pure function of one text: per-document texts (running headers, table
headings, labels) come back on every page, and several stages normalize or search them again."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

T = TypeVar("T")

# Texts remembered before the memo starts afresh (a long run's memory stays flat).
DEFAULT_MEMO_TEXTS = 20_000


class TextMemo(Generic[T]):
    """`memo(text, compute)`: compute(text) once per text, until DEFAULT_MEMO_TEXTS are held."""

    def __init__(self, size: int = DEFAULT_MEMO_TEXTS) -> None:
        self.size = size
        self.known: dict[str, T] = {}

    def __call__(self, text: str, compute: Callable[[str], T]) -> T:
        known = self.known
        if text in known:
            return known[text]
        if len(known) >= self.size:
            known.clear()
        value = known[text] = compute(text)
        return value
