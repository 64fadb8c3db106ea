"""Ingest plain-text and markdown plans into blocks.

Handles UTF-8 (with or without BOM) and Shift_JIS/CP932, CRLF, markdown
headings, lists and pipe tables, HTML <table> (cells may hold <ul><li>),
tab-separated tables, markdown footnotes ([^1]) and hard-wrapped PDF text
dumps (footnote blocks after a line of spaces, lines wrapped at a fixed width).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from ..model import Block, Cell, Document
from ..ja.textutil import display_width, join_wrapped

DEFAULT_ENCODINGS = ("utf-8", "cp932", "euc_jp")
# a dump is hard-wrapped when this share of its lines reach the wrap width
DEFAULT_WRAPPED_SHARE = 0.25
# a line is "full" (continues on the next line) within this many columns of the wrap width
DEFAULT_WRAP_SLACK = 6
# more NUL characters than this share of the text: binary data (or UTF-16 without a BOM), not text
DEFAULT_NUL_SHARE = 0.05
DEFAULT_NUL_STRAY = 2  # this many NULs are stray characters in any text, however short

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^(\s*)[-*+]\s+(.*)$")
# a line that starts its own item: 1. / 1) / （１） / ① / 第2章 — never a soft-wrapped continuation
_ITEM_START = re.compile(r"^\s*(?:[0-9０-９]{1,3}\s*[.)．、]|[(（][0-9０-９]{1,3}[)）]|[①-⑳]|第\s*[0-9０-９一二三四五六七八九十]+\s*[章節部])")
_MD_FOOTNOTE_DEF = re.compile(r"^\[\^(\d+)\]:\s*(.*)$")
_MD_FOOTNOTE_REF = re.compile(r"\[\^(\d+)\]")
_PIPE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FOOTNOTE_RULE = re.compile(r"^[ \u3000]{10,}$|^[\s]*[_\-─━]{10,}\s*$")
_FOOTNOTE_LINE = re.compile(r"^([0-9]{1,3})[ \u3000]+(\S.*)$")
_TAGS = re.compile(r"<[^>]+>")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


class DecodeError(ValueError):
    pass


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes; returns (text, encoding). Raises DecodeError when nothing fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for enc in DEFAULT_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DecodeError("not UTF-8, Shift_JIS/CP932 or EUC-JP text")


class _HtmlTable(HTMLParser):
    """Collect the rows of an HTML table; rowspan/colspan positions become None."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, int, int]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            self._cell = []
            self._span = (int(a.get("rowspan") or 1), int(a.get("colspan") or 1))
        elif tag in ("li", "br", "p") and self._cell is not None and "".join(self._cell).strip():
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(("".join(self._cell).strip(), *self._span))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def grid(self) -> list[list[Cell]]:
        grid: dict[tuple[int, int], Cell] = {}
        for r, row in enumerate(self.rows):
            c = 0
            for text, rs, cs in row:
                while (r, c) in grid:
                    c += 1
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = text if dr == dc == 0 else None
                c += cs
        if not grid:
            return []
        nrows = max(r for r, _ in grid) + 1
        ncols = max(c for _, c in grid) + 1
        return [[grid.get((r, c), "") for c in range(ncols)] for r in range(nrows)]


def html_cell_text(cell: str) -> str:
    """Text of a cell that may hold inline HTML such as <ul><li>…</li></ul> or <p>."""
    if "<" not in cell:
        return cell
    cell = re.sub(r"(?i)<\s*(li|br|p)\b[^>]*>", "\n", cell)
    text = _TAGS.sub("", cell)
    return "\n".join(s.strip() for s in text.split("\n") if s.strip())


def _split_pipe_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [html_cell_text(c.strip()) for c in s.split("|")]


def _strip_md(s: str) -> str:
    return _BOLD.sub(lambda m: m.group(1) or m.group(2), s)


def _wrap_width(lines: list[str]) -> int | None:
    """The fixed width a hard-wrapped dump was wrapped at, or None for ordinary text."""
    widths = sorted(display_width(l.rstrip()) for l in lines if l.strip() and "\t" not in l)
    if len(widths) < 20:
        return None
    top = widths[int(len(widths) * 0.9)]
    if top < 40:
        return None
    near = sum(1 for w in widths if w >= top - DEFAULT_WRAP_SLACK)
    return top if near / len(widths) >= DEFAULT_WRAPPED_SHARE else None


def text_blocks(text: str, markdown: bool) -> list[Block]:
    """Split a decoded text into blocks (lines, tables, footnotes, list items, headings)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = text.split("\n")
    wrap = _wrap_width(lines)
    blocks: list[Block] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped and not _FOOTNOTE_RULE.match(line):
            i += 1
            continue
        low = stripped.lower()
        if low.startswith("<table"):
            j = i
            chunk = []
            while j < n:
                chunk.append(lines[j])
                if "</table>" in lines[j].lower():
                    break
                j += 1
            parser = _HtmlTable()
            parser.feed("\n".join(chunk))
            rows = parser.grid()
            blocks.append(Block("table", raw="\n".join(chunk), rows_raw=rows))
            i = j + 1
            continue
        if stripped.startswith("|") and stripped.count("|") >= 2:
            pipe_rows: list[list[str]] = []
            pipe_raw: list[str] = []
            while i < n and lines[i].strip().startswith("|"):
                pipe_raw.append(lines[i])
                if not _PIPE_SEP.match(lines[i].strip()):
                    pipe_rows.append(_split_pipe_row(lines[i]))
                i += 1
            blocks.append(Block("table", raw="\n".join(pipe_raw), rows_raw=_rectangular(pipe_rows)))
            continue
        if "\t" in line:
            tsv_rows: list[list[str]] = []
            tsv_raw: list[str] = []
            while i < n and "\t" in lines[i]:
                tsv_raw.append(lines[i])
                tsv_rows.append([html_cell_text(c.strip()) for c in lines[i].rstrip().split("\t")])
                i += 1
            blocks.append(Block("table", raw="\n".join(tsv_raw), rows_raw=_rectangular(tsv_rows)))
            continue
        if _FOOTNOTE_RULE.match(line) and i + 1 < n and _FOOTNOTE_LINE.match(lines[i + 1]):
            # dump footnote block: numbered lines (with wrapped continuations) until a blank
            # line or an indented line (the next page's first line)
            i += 1
            while i < n and lines[i].strip() and not lines[i].startswith((" ", "\u3000")):
                m = _FOOTNOTE_LINE.match(lines[i])
                expected = (blocks[-1].number or 0) + 1 if blocks and blocks[-1].kind == "footnote" else None
                if m and (expected is None or int(m.group(1)) == expected or int(m.group(1)) > (expected or 0)):
                    blocks.append(Block("footnote", raw=lines[i].rstrip(), number=int(m.group(1))))
                elif blocks and blocks[-1].kind == "footnote":
                    blocks[-1].raw += "\n" + lines[i].rstrip()
                i += 1
            continue
        if markdown:
            m = _MD_FOOTNOTE_DEF.match(stripped)
            if m:
                blocks.append(Block("footnote", raw=stripped, number=int(m.group(1))))
                i += 1
                continue
            m = _MD_HEADING.match(stripped)
            if m:
                blocks.append(Block("line", raw=_strip_md(m.group(2)), hard_heading=len(m.group(1))))
                i += 1
                continue
            m = _MD_LIST.match(line)
            if m:
                blocks.append(Block("list_item", raw=_strip_md(m.group(2)).strip(), x0=float(len(m.group(1)))))
                i += 1
                continue
        text_line = _strip_md(line.rstrip()) if markdown else line.rstrip()
        prev_line = lines[i - 1] if i > 0 else ""
        if (markdown and blocks and blocks[-1].kind == "line" and not blocks[-1].hard_heading and prev_line.strip()
                and not prev_line.rstrip().endswith("  ") and not _MD_FOOTNOTE_DEF.match(stripped)
                and not _ITEM_START.match(line)):
            # markdown: a line right under another (no blank line) continues its paragraph
            blocks[-1].raw = join_wrapped([blocks[-1].raw, text_line])
            i += 1
            continue
        blk = Block("line", raw=text_line)
        if wrap:
            blk.full = display_width(text_line.rstrip()) >= wrap - DEFAULT_WRAP_SLACK
            blk.x0 = float(len(text_line) - len(text_line.lstrip(" \u3000")))
        blocks.append(blk)
        i += 1
    return blocks


def _rectangular(rows: list[list[str]]) -> list[list[Cell]]:
    width = max((len(r) for r in rows), default=0)
    return [[*r, *([""] * (width - len(r)))] for r in rows]


def ingest_text(doc: Document, data: bytes) -> Document:
    try:
        text, _enc = decode(data)
    except DecodeError as exc:
        doc.readable = False
        doc.find("ingest", f"cannot read the file: {exc}; save it as UTF-8 and run again", severity="error")
        return doc
    if not text.strip():
        doc.readable = False
        doc.find("ingest", "empty file: nothing to extract", severity="error")
        return doc
    nuls = text.count("\x00")
    if nuls > max(DEFAULT_NUL_STRAY, DEFAULT_NUL_SHARE * len(text)):
        doc.readable = False
        doc.find("ingest", "binary data in a text file (NUL bytes throughout): not a plan document; "
                           "if it is UTF-16 text, save it as UTF-8", severity="error")
        return doc
    if nuls:  # a stray NUL (a copy error, a bad editor) costs that character, not the document
        first = text.index("\x00")
        doc.find("ingest", f"{nuls} NUL byte(s) in the text removed (first on line {text.count(chr(10), 0, first) + 1})",
                 snippet=text[max(0, first - 20):first + 20].replace("\x00", "\\0"))
        text = text.replace("\x00", "")
    # a file whose last line has no line break may have been cut mid-line (a page copied in part)
    doc.ends_mid_line = not text.endswith(("\n", "\r"))
    doc.blocks = text_blocks(text, markdown=doc.source_format == "md")
    for b in doc.blocks:
        if b.kind != "table":
            refs = [int(x) for x in _MD_FOOTNOTE_REF.findall(b.raw)]
            if refs:
                b.refs = refs
                b.raw = _MD_FOOTNOTE_REF.sub("", b.raw)
    return doc
