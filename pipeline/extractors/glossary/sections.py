"""Glossary sections (用語集, 用語解説 …): entries as lists, two-line entries or tables."""
from __future__ import annotations

import re

from ...model import Block, Document
from .common import _row, _split_gloss
from .conf import _Conf


def section_entries(doc: Document, conf: _Conf) -> list[dict]:
    """Entries of a glossary section (用語集 …): `term:explanation`, `term explanation`, a term
    line then its explanation, or a table of term and explanation."""
    out: list[dict] = []
    inside = False
    pending: tuple[str, str | None, Block] | None = None
    for b in doc.blocks:
        text = (b.text or "").strip()
        if b.kind == "heading" or (b.kind == "paragraph" and conf.section_heading.match(text)):
            if pending:
                pending = None
            inside = bool(conf.section_heading.match(text.replace(" ", "")))
            continue
        if not inside:
            continue
        if b.kind == "table":
            for row in b.rows:
                cells = [c for c in row if c]
                if len(cells) >= 2 and len(cells[0]) <= 30:
                    out.append(_section_row(cells[0], None, " ".join(cells[1:]), b, conf))
            continue
        if b.kind not in ("paragraph", "list_item", "footnote") or not text:
            continue
        if any(r.search(text) for r in conf.section_skip):
            continue
        m = conf.section_entry.match(text)
        short = len(text) <= 30 and not re.search(r"[。、:]", text)
        if pending and not (short and not m):
            term, exp, pb = pending
            out.append(_section_row(term, exp, text, pb, conf))
            pending = None
            continue
        if short:
            tm = re.match(r"^(?:[・●○◆■※*\-]|[0-9]{1,3}[.)]?)?\s*(?P<t>[^()]+?)\s*(?:\((?P<e>[^()]+)\))?$", text)
            if tm:
                pending = (tm.group("t"), tm.group("e"), b)
                continue
        if m:
            out.append(_section_row(m.group("term"), m.group("exp"), m.group("def"), b, conf))
    return out


def _section_row(term: str, exp: str | None, definition: str, b: Block, conf: _Conf) -> dict:
    definition = definition.strip()
    am = conf.abbreviation_of.match(definition)
    if am and not exp:
        exp, definition = am.group("exp").strip(), am.group("rest").strip()
    elif exp:
        e, d = _split_gloss(exp)
        exp = e or exp
    return _row(term, exp, conf.clean_definition(definition) or None, "note", b)
