"""The normalize stage over a whole document.

Normalizes every block's text and table cells (keeping `raw`), joins lines that
a layout wrapped mid-sentence into paragraphs, splits footnote citations off the
words they are glued to (ＩＣＴ1の -> ICTの, linked to footnote 1), and reports
corrupt text and radicals that have no Japanese form.
"""
from __future__ import annotations

import re

from ..ingest.pdf import REF_CLOSE, REF_OPEN
from ..segment.headings import match_heading
from ..model import Block, Cell, Document
from .chars import find_corrupt, normalizer, rare_radicals
from ..rules import Rules, load_rules
from ..ja.textutil import join_wrapped

_BULLET = re.compile(r"^[\s\u3000]*[・●○◆◇■□▶▷►※\-*･•]")
_REF = re.compile(f"{REF_OPEN}(\\d+){REF_CLOSE}")


def _strip_refs(s: str) -> str:
    return s.replace(REF_OPEN, "").replace(REF_CLOSE, "")


def _can_join(prev: Block, nxt: Block, pdf: bool, norm) -> bool:
    """Does `nxt` continue the paragraph that `prev` ends (a line broken by the layout)?"""
    if not prev.full or nxt.kind != "line" or prev.kind not in ("line", "paragraph", "list_item"):
        return False
    if prev.hard_heading or nxt.hard_heading or _BULLET.match(nxt.raw):
        return False
    if pdf:
        if prev.size is None or nxt.size is None or abs(prev.size - nxt.size) > 0.6 or prev.bold != nxt.bold:
            return False
        if prev.x0 is None or nxt.x0 is None:
            return False
        start_x0 = getattr(prev, "_start_x0", prev.x0)
        hanging = bool(_BULLET.match(prev.raw)) or start_x0 < prev.x0
        limit = prev.x0 + (1.5 if hanging else 0.5) * prev.size
        return nxt.x0 <= limit and (prev.page is None or nxt.page is None or nxt.page - prev.page <= 1)
    # hard-wrapped text: a new paragraph starts indented; a heading line never continues one
    if match_heading(norm(nxt.raw)):
        return False
    return (nxt.x0 or 0) <= (prev.x0 or 0) or bool(_BULLET.match(prev.raw))


def join_lines(blocks: list[Block], pdf: bool, norm) -> list[Block]:
    """Merge wrapped lines into paragraph blocks; footnotes between them are stepped over."""
    out: list[Block] = []
    last_text: Block | None = None
    for b in blocks:
        if b.kind == "footnote":
            out.append(b)
            continue
        if b.kind == "line" and last_text is not None and _can_join(last_text, b, pdf, norm):
            last_text.raw = join_wrapped([last_text.raw, b.raw])
            last_text.full = b.full
            last_text.x0 = b.x0
            last_text.refs += b.refs
            continue
        if b.kind == "line":
            b.kind = "paragraph"
            setattr(b, "_start_x0", b.x0)
        out.append(b)
        last_text = b if b.kind in ("paragraph", "list_item") else None
    return out


def _norm_cell(cell: Cell, norm, pdf: bool) -> Cell:
    if cell is None:
        return None
    if pdf:
        return norm(join_wrapped(_strip_refs(cell).split("\n")))
    return "\n".join(norm(s) for s in _strip_refs(cell).split("\n"))


def is_citation(before: str, after: str, not_before: list[str], not_after: list[str]) -> bool:
    """Is a footnote's number between `before` and `after` its citation (ICT1の), not a count or a
    date (令和3年, 第1章, 3件)? The words around it are rules (rules/footnotes.toml)."""
    if not before or before[-1].isspace() or any(before.endswith(w) for w in not_after):
        return False
    return not any(after.startswith(w) for w in not_before)


def uncite_lines(doc: Document, rules: Rules) -> None:
    """The kept lines (what the outline parses) lose their footnote citations as the blocks did:
    marked superscripts (PDF) and the numbers of footnotes the blocks cite (plain text)."""
    conf = rules.get("footnotes")
    not_before = sorted(conf.get("not_before", []), key=len, reverse=True)
    not_after = sorted(conf.get("not_after", []), key=len, reverse=True)
    cited = sorted({n for b in doc.blocks for n in b.refs}, reverse=True)
    rxs = [(str(n), re.compile(f"(?<![0-9]){n}(?![0-9])")) for n in cited]
    for ln in doc.lines:
        s = _REF.sub("", ln.raw) if REF_OPEN in ln.raw else ln.raw
        for digits, rx in rxs:
            if digits in s:  # (a removal joins two non-digits: it never makes a number appear)
                s = "".join(_uncited(s, rx, not_before, not_after))
        ln.raw = s


def _uncited(s: str, rx: re.Pattern[str], not_before: list[str], not_after: list[str]):
    last = 0
    for m in rx.finditer(s):
        if is_citation(s[: m.start()], s[m.end():], not_before, not_after):
            yield s[last: m.start()]
            last = m.end()
    yield s[last:]


def link_dump_citations(blocks: list[Block], rules: Rules) -> None:
    """Find footnote citations in plain text by the footnote numbers (in order)."""
    conf = rules.get("footnotes")
    not_before = sorted(conf.get("not_before", []), key=len, reverse=True)
    not_after = sorted(conf.get("not_after", []), key=len, reverse=True)
    notes = [(i, b.number) for i, b in enumerate(blocks) if b.kind == "footnote" and b.number is not None]
    cursor_block, cursor_pos = 0, 0
    for def_index, num in notes:
        rx = re.compile(f"(?<![0-9]){num}(?![0-9])")
        found = False
        for bi in range(cursor_block, def_index):
            b = blocks[bi]
            if b.kind not in ("paragraph", "heading", "list_item") or not b.text:
                continue
            start = cursor_pos if bi == cursor_block else 0
            for m in rx.finditer(b.text, start):
                before = b.text[: m.start()]
                after = b.text[m.end():]
                if not is_citation(before, after, not_before, not_after):
                    continue
                b.text = before + after
                b.refs.append(num)
                cursor_block, cursor_pos, found = bi, m.start(), True
                break
            if found:
                break


def drop_unmapped_glyphs(doc: Document, rules: Rules) -> None:
    """`(cid:12)` codes stand for glyphs whose font has no Unicode map: they carry no text.
    They are dropped from every block and line and reported per page; a document made mostly
    of them has no readable text layer (an error: run OCR on it)."""
    conf = rules.get("normalization").get("unmapped_glyphs", {})
    rx = rules.regex(conf.get("pattern", r"\(cid:[0-9]+\)"))
    per_page: dict[int | None, int] = {}
    total = kept = 0

    def strip(s: str, page: int | None) -> str:
        nonlocal total, kept
        n = len(rx.findall(s))
        cleaned = rx.sub("", s) if n else s
        total += n
        kept += len(cleaned.strip())
        if n:
            per_page[page] = per_page.get(page, 0) + n
        return cleaned

    for b in doc.blocks:
        if b.kind == "table":
            b.rows_raw = [[None if c is None else strip(c, b.page) for c in row] for row in b.rows_raw]
        else:
            b.raw = strip(b.raw, b.page)
    for ln in doc.lines:
        ln.raw = rx.sub("", ln.raw)
    if not total:
        return
    for page, n in sorted(per_page.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        doc.find("normalize", f"{n} glyph(s) with no Unicode mapping ((cid:N) codes: a font without a ToUnicode map) "
                 "dropped; the text of this page is incomplete", page=page, snippet=f"(cid:…) ×{n}")
    if total > float(conf.get("unreadable_share", 0.5)) * (total + kept):
        doc.readable = False
        doc.find("normalize", "the text layer is not readable: most glyphs have no Unicode mapping; "
                 "run OCR on this PDF (or export it again with its fonts embedded)", severity="error")


def normalize_document(doc: Document, rules: Rules | None = None) -> Document:
    rules = rules or load_rules()
    norm = normalizer(rules)
    pdf = doc.source_format == "pdf"
    drop_unmapped_glyphs(doc, rules)
    doc.blocks = join_lines(doc.blocks, pdf, norm)
    any_marked = False
    for b in doc.blocks:
        if b.kind == "table":
            b.rows = [[_norm_cell(c, norm, pdf) for c in row] for row in b.rows_raw]
            b.rows_raw = [[None if c is None else _strip_refs(c) for c in row] for row in b.rows_raw]
            source = "\n".join(c or "" for row in b.rows_raw for c in row)
        else:
            marked = b.raw
            if REF_OPEN in marked:
                any_marked = True
                b.refs += [int(x) for x in _REF.findall(marked)]
                marked = _REF.sub("", marked)
            b.raw = _strip_refs(b.raw)
            b.text = norm(marked.strip()) if b.kind != "footnote" else "\n".join(norm(s) for s in marked.split("\n"))
            source = b.raw
        for run in find_corrupt(source, rules):
            doc.find("normalize", f"corrupt text: letters of another script inside a Japanese word ({run}); kept as written",
                     page=b.page, snippet=run)
        rare = rare_radicals(source, rules)
        if rare:
            doc.find("normalize", "radical with no Japanese kanji form mapped by its Unicode equivalent: " + " ".join(rare),
                     page=b.page, snippet=source[:80])
    if not any_marked and any(b.kind == "footnote" for b in doc.blocks):
        link_dump_citations(doc.blocks, rules)
    uncite_lines(doc, rules)
    return doc
