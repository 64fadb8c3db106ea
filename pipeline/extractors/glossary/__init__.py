"""Extract glossary.parquet rows: footnotes, notes, glossary sections and inline definitions.

Sources, each shape's accept/reject reasons being rules in rules/glossary.toml:
- footnotes `N TERM(EXPANSION):DEFINITION`, marked notes `※X:…`, `(※)X:…`, and page-bottom
  notes `*N …` whose mark sits on a word of the body (資産の有効活用等(*2));
- notes `Xとは、…` (inline or boxed) and a line `Xとは` followed by its explanation;
- glossary sections (用語集, 用語解説 …) as lists, two-line entries or tables;
- inline brackets, where one side defines or spells out the other: 略語(正式名),
  正式名(略語), 日本語(カタカナ語), `X(Y)` with Y explaining X. Sudachi finds where the
  term starts (the compound noun before the bracket).
One row per term per document: a footnote or note and an inline definition of the same term
merge (the footnote's definition kept, source footnote).
Modules: inline.py (brackets), notes.py (notes and footnotes), sections.py (glossary sections),
common.py (shared helpers, the row), conf.py (the rules); this module merges their rows.
"""
from __future__ import annotations

from ...model import Document, Tables
from ...rules import Rules
from .conf import _Conf
from .inline import inline_entries
from .notes import footnote_entries, note_entries
from .sections import section_entries

__all__ = ["NAME", "WRITES", "extract", "footnote_entries", "inline_entries", "note_entries",
           "section_entries"]

NAME = "glossary"
WRITES = ("glossary",)

_SOURCE_RANK = {"footnote": 0, "note": 1, "inline": 2}


def extract(doc: Document, out: Tables, rules: Rules) -> None:
    conf: _Conf = rules.memo("glossary_conf", _Conf)
    rows: dict[str, dict] = {}
    entries = footnote_entries(doc, conf) + section_entries(doc, conf) + note_entries(doc, conf) \
        + inline_entries(doc, conf)
    for e in entries:
        key = e["term"]
        if not key or conf.label_term.search(key) or (e["source"] == "inline" and conf.term_rejected(key)):
            continue
        first = rows.get(key)
        if first is None or (first.get("weak") and not e.get("weak") and first["source"] == e["source"]):
            rows[key] = e
            continue
        # same term twice: the footnote's (or note's) definition is kept; the other fills what is missing
        if _SOURCE_RANK[e["source"]] < _SOURCE_RANK[first["source"]]:
            first, e = e, first
            rows[key] = first
        for col in ("expansion", "definition"):
            if not first.get(col) and e.get(col):
                first[col] = e[col]
    for e in rows.values():
        e.pop("weak", None)
        out.glossary.append({"doc_id": doc.doc_id, **e})
