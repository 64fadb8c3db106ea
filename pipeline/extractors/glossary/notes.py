"""Notes: `Xとは、…` (inline or boxed), a line `Xとは` followed by its explanation, footnotes
`N TERM(EXPANSION):DEFINITION`, marked notes `※X:…`, `(※)X:…`, and page-bottom notes `*N …`
whose mark sits on a word of the body (資産の有効活用等(*2))."""
from __future__ import annotations

import re

from ...model import Block, Document
from ...ja.tokens import tokenize
from .common import _KATAKANA, _LATIN_TAIL, _compound_before, _is_acronym, _row, _split_gloss, _streams
from .conf import _Conf


def _first_sentence(s: str) -> str:
    s = s.replace("\n", "")
    i = s.find("。")
    return s[: i + 1] if i >= 0 else s


def _note_term(raw: str, conf: _Conf) -> str | None:
    """The term of `Xとは`: the compound noun before とは, when とは is the particle (not 〜ことは)."""
    raw = raw.strip().strip("「」『』")
    if not raw:
        return None
    toks = tokenize(raw + "とは")
    if not any(t.begin == len(raw) and t.pos[0] == "助詞" for t in toks):
        return None
    if _is_acronym(raw) or _KATAKANA.match(raw):
        return raw
    term = _compound_before(raw, len(raw), conf.pos_ok)
    return term or None


def note_entries(doc: Document, conf: _Conf) -> list[dict]:
    """`Xとは、…` in running text or a box, and a line `Xとは` followed by its explanation."""
    out: list[dict] = []
    streams = list(_streams(doc))
    for si, (b, text) in enumerate(streams):
        lines = text.split("\n")
        for li, line in enumerate(lines):
            m = conf.note_cue.match(line)
            if not m:
                continue
            term = _note_term(m.group("term"), conf)
            if not term:
                continue
            exp = m.group("exp")
            rest = m.group("def").strip()
            if not rest:
                # a heading `Xとは`: the explanation is the next paragraph, for abbreviations and loanwords
                if not conf.note_heading_term.match(term):
                    continue
                nxt = "\n".join(lines[li + 1:]).strip()
                if not nxt and si + 1 < len(streams):
                    nxt = streams[si + 1][1]
                if not nxt or conf.note_cue.match(nxt.split("\n", 1)[0]):
                    continue  # the next line is itself a note on the term
                rest = nxt
            else:
                rest = rest + "\n" + "\n".join(lines[li + 1:])
            if conf.term_rejected(term) or len(term) < 2 or re.search(r"[をにがでへ]$", term):
                continue
            definition = conf.clean_definition(_first_sentence(rest))
            if not definition:
                continue
            e, d = (None, None)
            if exp:
                e, d = _split_gloss(exp.strip())
            out.append(_row(term, e, definition, "note", b))
    return out


def _marked_term(streams: list[tuple[Block, str]], n: int, conf: _Conf) -> str | None:
    """The word a page-bottom note `*n` annotates: the text before its mark in the body."""
    rx = re.compile(conf.body_mark.replace("{n}", str(n)))
    for b, text in streams:
        for line in text.split("\n"):
            m = rx.search(line)
            if not m or m.start() == 0:
                continue
            before = line[: m.start()]
            if b.kind == "table" and not re.search(r"[、。]", before):
                return before.strip()
            term = _compound_before(before, len(before), conf.pos_ok)
            return term or None
    return None


def footnote_entries(doc: Document, conf: _Conf) -> list[dict]:
    out: list[dict] = []
    for b in doc.blocks:
        if b.kind != "footnote" or not b.text:
            continue
        text = "".join(line.strip() for line in b.text.split("\n"))
        text = re.sub(r"^[0-9]{1,3}\s*", "", text)
        row = _cue_row(text, conf, b)
        if row:
            out.append(row)
            continue
        m = re.match(r"^(?P<head>[^:]+?)\s*:(?!//)\s*(?P<def>.+)$", text)
        if not m:
            continue
        out.append(_head_row(m.group("head").strip(), m.group("def").strip(), "footnote", b))
    # notes set as paragraphs: ※X:…, (※)X:…, *N X:…, and *N … with the mark on a body word
    blocks = doc.blocks
    streams: list[tuple[Block, str]] | None = None  # the running text, read once when a mark is looked up
    for i, b in enumerate(blocks):
        if b.kind not in ("paragraph", "list_item") or not b.text:
            continue
        m = conf.note_line.match(b.text)
        rl = conf.reading_line.match(b.text)
        if rl:
            continue  # ※ABC(エービーシー):Alpha …: read by the inline pass as term and expansion
        if m:
            out.append(_head_row(m.group("head").strip(), m.group("def").strip(), "footnote", b))
            continue
        mm = conf.mark_note.match(b.text)
        if not mm:
            continue
        body = mm.group("body")
        for nb in blocks[i + 1: i + 8]:  # the note goes on over the following lines of the page
            if nb.kind != "paragraph" or nb.page != b.page or conf.mark_note.match(nb.text or "") or not nb.text:
                break
            body += nb.text
        row = _cue_row(body, conf, b)
        if row:
            out.append(row)
            continue
        if streams is None:
            streams = list(_streams(doc))
        term = _marked_term(streams, int(mm.group("n")), conf)
        if term:
            out.append(_row(term, None, conf.clean_definition(body), "footnote", b))
    return out


def _cue_row(text: str, conf: _Conf, b: Block) -> dict | None:
    """A footnote written as a note `Xとは、…`: its term and definition, or None."""
    nm = conf.note_cue.match(text)
    term = _note_term(nm.group("term"), conf) if nm and nm.group("def") else None
    return _row(term, None, conf.clean_definition(nm.group("def")), "footnote", b) if nm and term else None


def _head_row(head: str, definition: str, source: str, b: Block) -> dict:
    term, expansion = head, None
    bm = re.match(r"^(?P<term>[^()]+?)\s*\((?P<g>[^()]+)\)", head)
    if bm:
        term = bm.group("term").strip()
        if _LATIN_TAIL.search(term) or _is_acronym(term.replace("-", "")):
            g = bm.group("g")
            expansion = g.strip() if g.isascii() or _KATAKANA.match(g) else None
    return _row(term, expansion, definition, source, b)
