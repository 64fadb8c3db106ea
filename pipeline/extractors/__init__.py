"""The extract stage: extractors add rows for their tables to a document's `Tables`.

The extractor contract: a module with `NAME` (the stage name its findings use), `WRITES`
(the tables it appends to) and `extract(doc, tables, rules)`. `EXTRACTORS` is the registry
the runner iterates, in order; a new extractor is a new module listed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model import Document, Tables
from ..rules import Rules
from . import glossary, initiatives, kpis


@dataclass(frozen=True)
class Extractor:
    name: str
    writes: tuple[str, ...]
    extract: Callable[[Document, Tables, Rules], None]


def _from_module(mod: object) -> Extractor:
    return Extractor(getattr(mod, "NAME"), tuple(getattr(mod, "WRITES")), getattr(mod, "extract"))


EXTRACTORS: tuple[Extractor, ...] = tuple(_from_module(m) for m in (initiatives, kpis, glossary))
