"""The segment stage: find headings and build the chapter/section tree.

A block is a heading when it matches a style of rules/headings.toml, is short
and does not read as a sentence (rules first, Sudachi for the ending). A heading closes
every open section of the same or deeper level. Chapter headings that repeat
(slide navigation) are not new sections; a bare 第N章 takes the next short
line as its title; sections before the first chapter when that chapter is
a chapter that is not the first of its series (第2章) go under the chapter before it, inferred
(reported).

PDFs take another path (segment_pdf): ingest marks the heading lines from the whole document's
layout (pdf_headings.detect: contents titles, learned heading styles, tables excluded) and the
levels come from the document's own order of numbering styles, not from headings.toml's levels.
"""
from __future__ import annotations

import re

from .headings import HeadingMatch, match_heading
from .pdf_headings import HeadLabel, assign_levels, clean_title, continues_series, head_label, missing_numbers
from .enumerators import ordinal
from ..model import Block, Document, Section
from ..rules import Rules, load_rules
from ..ja.tokens import ends_like_sentence


def heading_of(b: Block, rules: Rules) -> HeadingMatch | None:
    if b.kind not in ("paragraph", "line") or not b.text or b.full:
        return None
    m = match_heading(b.text, rules)
    if m is None:
        return None
    if b.hard_heading:
        return m
    if m.title and ends_like_sentence(m.title):
        return None
    return m


# Section styles as headings.toml names them, for the PDF label styles of pdf_headings.
_PDF_STYLE_NAMES = {"chapter": "chapter", "matter": "matter", "paren": "paren_number", "number": "number", "circled": "circled",
                    "roman": "roman", "kata": "katakana", "dotted2": "dotted2", "dotted3": "dotted3"}


def segment_pdf(doc: Document, rules: Rules | None = None) -> Document:
    """Sections of a PDF from the heading lines ingest marked (pdf_headings), nested by the
    document's own order of numbering styles."""
    heads = [(i, head_label(b.text, rules)) for i, b in enumerate(doc.blocks)
             if b.hard_heading and b.kind in ("paragraph", "line") and b.text]
    sigs = [(str(doc.blocks[i].bold), round((doc.blocks[i].size or 0) * 2) / 2) for i, _ in heads]
    levels = assign_levels([(h, sig) for (_, h), sig in zip(heads, sigs)])
    first = next((k for k, (_, h) in enumerate(heads) if h.style == "chapter"), None)
    if first and previous_label(heads[first][1].label):   # they go under the inferred chapter before it
        levels[:first] = [lv + (h.style != "matter") for lv, (_, h) in zip(levels[:first], heads[:first])]
    inferred = missing_numbers([h for _, h in heads], levels)
    for k, label in inferred.items():
        i, h = heads[k]
        heads[k] = (i, HeadLabel("inferred", label, h.title))
    if inferred:
        k0 = min(inferred)
        doc.find("segment", f"{len(inferred)} heading(s) have no number in the text layer (word processor "
                 "auto-numbering); the number is inferred from their first subsection (N.1)",
                 page=doc.blocks[heads[k0][0]].page, snippet=heads[k0][1].title)
    heads = [(i, HeadLabel(h.style, h.label, clean_title(h.title))) for i, h in heads]
    level_of = {i: (h, lv) for (i, h), lv in zip(heads, levels)}
    sections: list[Section] = []
    stack: list[Section] = []
    used_ids: set[str] = set()
    current: Section | None = None
    for i, b in enumerate(doc.blocks):
        if i not in level_of:
            if current is not None and b.kind != "footnote":
                current.text_parts.append(_block_text(b))
            b.section_id = current.section_id if current else None
            continue
        h, level = level_of[i]
        # front/back matter (はじめに, 資料編) never holds numbered sections
        while stack and (stack[-1].level >= level or (stack[-1].style == "matter" and h.style != "matter")):
            stack.pop()
        parent = stack[-1] if stack else None
        style = _PDF_STYLE_NAMES.get(h.style, h.style or "unnumbered")
        m = HeadingMatch(style, level, h.label, None, h.title)
        sid = _section_id(parent, m, used_ids)
        sec = Section(sid, parent.section_id if parent else None, level, h.label, h.title, b.page, style,
                      number=label_number(h.label))
        sections.append(sec)
        stack.append(sec)
        current = sec
        b.kind = "heading"
        b.label, b.title, b.level, b.style, b.section_id = h.label, h.title, level, style, sid
    doc.sections = _infer_first_chapter(doc, sections)
    if not sections and any(b.text for b in doc.blocks if b.kind in ("paragraph", "line")):
        doc.find("segment", "no section headings found: no line is numbered and set apart like a heading, "
                 "and no table of contents lists one; sections.parquet has no rows for this document")
    return doc


def segment_document(doc: Document, rules: Rules | None = None) -> Document:
    rules = rules or load_rules()
    if doc.source_format == "pdf":
        return segment_pdf(doc, rules)
    sections: list[Section] = []
    stack: list[Section] = []
    seen_chapters: set[tuple[str, str]] = set()
    used_ids: set[str] = set()
    pending_title: Section | None = None
    last_number: dict[str, tuple[int, int]] = {}
    current: Section | None = None
    blocks = doc.blocks
    for i, b in enumerate(blocks):
        if pending_title is not None and b.kind in ("paragraph", "line") and b.text and not b.full:
            if match_heading(b.text, rules) is None and len(b.text) <= 45:
                pending_title.title = b.text
                b.kind = "heading"
                b.section_id = pending_title.section_id
                key = (pending_title.label, pending_title.title)
                if key in seen_chapters:
                    _drop(sections, stack, pending_title)
                    current = stack[-1] if stack else None
                    b.kind = "paragraph"
                    b.section_id = current.section_id if current else None
                else:
                    seen_chapters.add(key)
                pending_title = None
                continue
        pending_title = None
        m = heading_of(b, rules)
        if m is None:
            if current is not None and b.kind != "footnote":
                current.text_parts.append(_block_text(b))
            b.section_id = current.section_id if current else None
            continue
        if m.style == "chapter" and m.title and (m.label, m.title) in seen_chapters:
            b.section_id = current.section_id if current else None
            continue  # navigation repeated on every slide
        level = m.level
        if not _plausible_number(m, last_number):
            b.section_id = current.section_id if current else None
            if current is not None:
                current.text_parts.append(b.text)
            continue
        # front/back matter (はじめに, 資料編) never holds numbered sections
        while stack and (stack[-1].level >= level or (stack[-1].style == "matter" and m.style != "matter")):
            stack.pop()
        for style in [k for k, (lv, _) in last_number.items() if lv > level]:
            del last_number[style]
        if m.number is not None:
            last_number[m.style] = (level, m.number)
        parent = stack[-1] if stack else None
        sid = _section_id(parent, m, used_ids)
        sec = Section(sid, parent.section_id if parent else None, level, m.label, m.title, b.page, m.style,
                      number=m.number)
        sections.append(sec)
        stack.append(sec)
        current = sec
        b.kind = "heading"
        b.label, b.title, b.level, b.style, b.section_id = m.label, m.title, level, m.style, sid
        if m.style == "chapter":
            if m.title:
                seen_chapters.add((m.label, m.title))
            else:
                pending_title = sec
    doc.sections = _infer_first_chapter(doc, _document_levels(sections))
    return doc


def _document_levels(sections: list[Section]) -> list[Section]:
    """Levels and parents from the document's own nesting of numbering styles (a plan may put
    ① above (1)), not from the global order of the style table."""
    heads = [(HeadLabel(s.style if s.label or s.style == "matter" else "", s.label, s.title), ("", 0.0))
             for s in sections]
    levels = assign_levels(heads)
    stack: list[Section] = []
    for s, level in zip(sections, levels):
        while stack and stack[-1].level >= level:
            stack.pop()
        s.level = level
        s.parent_id = stack[-1].section_id if stack else None
        stack.append(s)
    return sections


def _plausible_number(m: HeadingMatch, last_number: dict[str, tuple[int, int]]) -> bool:
    """A numbered heading restarts at 1 or continues its series (a jump of one missing
    number is tolerated); 13 after 3 is a number in running text, not a heading."""
    if m.number is None or m.style in ("chapter", "matter"):
        return True
    prev = last_number.get(m.style)
    return continues_series(m.number, prev[1] if prev else None)


def _drop(sections: list[Section], stack: list[Section], sec: Section) -> None:
    sections.remove(sec)
    if sec in stack:
        stack.remove(sec)


def _block_text(b: Block) -> str:
    if b.kind == "table":
        return "\n".join("\t".join(c or "" for c in row) for row in b.rows)
    return b.text


def _section_id(parent: Section | None, m: HeadingMatch, used: set[str]) -> str:
    own = m.label or m.title[:12]
    base = f"{parent.section_id}/{own}" if parent else own
    sid, k = base, 2
    while sid in used:
        sid, k = f"{base}~{k}", k + 1
    used.add(sid)
    return sid


def previous_label(label: str) -> str | None:
    """The first chapter's label when this one is the second, in the same form: 第2章 -> 第1章,
    2章 -> 1章, 第二章 -> 第一章; None otherwise."""
    m = re.search(r"[0-9]+|[一二三四五六七八九十]+", label)
    n = ordinal(m.group(0)) if m else None
    if m is None or n != 2:
        return None  # only the series' first chapter is inferred: an excerpt may open at any later one
    return label[: m.start()] + ("1" if m.group(0).isdigit() else "一") + label[m.end():]


def label_number(label: str) -> int | None:
    """The ordinal a label carries: 第3章 -> 3, (2) -> 2, ① -> 1, 2.1 -> 1, 参考1 -> 1."""
    m = re.search(r"[0-9]+(?:[-.][0-9]+)*|[一二三四五六七八九十]+|[①-⑳]|(?<![A-Za-z])[IVX]+(?![A-Za-z])", label or "")
    return ordinal(m.group(0)) if m else None


def _infer_first_chapter(doc: Document, sections: list[Section]) -> list[Section]:
    """Numbered sections before a document's first chapter heading, when that chapter is not
    the first of its series (第2章), belong to the chapter before it, whose heading the source
    lacks (a cover page set the first chapter's title as an image, say). Reported."""
    chapters = [s for s in sections if s.style == "chapter"]
    label = previous_label(chapters[0].label) if chapters else None
    if label is None:
        return sections
    first = sections.index(chapters[0])
    orphans = [s for s in sections[:first] if s.parent_id is None and s.style != "matter"]
    if not orphans:
        return sections
    inferred = Section(label, None, 1, label, "", orphans[0].page, "chapter", inferred=True, number=label_number(label))
    for s in orphans:
        s.parent_id = inferred.section_id
    doc.find("segment", f"{chapters[0].label} is the first chapter heading; the sections before it are placed under an inferred {label}",
             page=orphans[0].page, snippet=orphans[0].title)
    at = sections.index(orphans[0])
    return sections[:at] + [inferred] + sections[at:]
