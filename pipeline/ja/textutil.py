"""Small text helpers shared by the stages."""
from __future__ import annotations

import re
import unicodedata

_HAS_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u2e80-\u2fdf]")


def display_width(s: str) -> int:
    """Columns a monospace terminal gives the string (full-width = 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in s)


def has_cjk(s: str) -> bool:
    return bool(_HAS_CJK.search(s))


def join_wrapped(parts: list[str]) -> str:
    """Join pieces of text that a layout wrapped (cell lines, lines of a paragraph).

    Japanese needs no space at a wrap; Latin words keep one.
    """
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            # an acronym broken at the wrap (I / CT, L / AN) joins; words keep their space
            word = re.split(r"[^A-Za-z]", out)[-1]
            acronym = word.isupper() and part.split()[0][:2].isupper()
            out += part if acronym else " " + part
        else:
            out += part
    return out


def squash_spaces(s: str) -> str:
    return re.sub(r"[ \t\u3000]+", " ", s).strip()
