"""Ingest PDFs through pdfplumber into blocks.

Per page: text lines with font size, heading font and position; tables through
`find_tables` (cut out of the text stream); the footnote zone below a short
separator rule at the page bottom; superscript footnote markers. After the
last page: running headers, footers and page numbers (lines that repeat on
most pages) dropped, and table parts stitched across page breaks; the heading lines,
judged over the whole document (segment/pdf_headings.py), become hard headings.
Each page is closed after use so memory stays flat on long documents.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from ..rules import Rules
from ..model import Block, Cell, Document
from . import pdf_layout as layout

# Marks a superscript footnote citation inside a line's raw text; normalize removes them.
REF_OPEN, REF_CLOSE = "\ue000", "\ue001"
# A char is a superscript when its size is at most this share of the line's main size.
DEFAULT_SUPERSCRIPT_RATIO = 0.75
# Header / footer zones, as a share of the page height from the top / bottom edge.
DEFAULT_MARGIN_ZONE = 0.09
# A line repeated (digits ignored) on at least this share of pages is running furniture.
DEFAULT_REPEAT_SHARE = 0.5
# Chars of the same text drawn within this distance (pt) of each other are one char (overprint).
DEFAULT_DEDUPE_TOLERANCE = 1
# A page with at most this many characters whose images cover at least this share of it shows
# content the text layer lacks (a scanned or pasted-in page inside a text PDF).
DEFAULT_IMAGE_PAGE_MAX_CHARS = 20
DEFAULT_IMAGE_PAGE_COVER = 0.25
# Metadata keys carried to the document (title and author are evidence for its facts).
DEFAULT_META_KEYS = ("Title", "Author", "Subject")
# The PDF engines: pdfium (pypdfium2, about twenty times faster at reading; ingest/pdf_pdfium.py
# builds pdfminer's page objects from it) and pdfplumber (pdfminer's interpreter: the reference the
# pdfium engine is tested against, tests/test_pdf_engines.py).
PDF_ENGINES = ("pdfium", "pdfplumber")
DEFAULT_PDF_ENGINE = "pdfium"
_engine = DEFAULT_PDF_ENGINE


def set_pdf_engine(name: str | None) -> str:
    """The engine read_pages uses when none is given (a run sets it in each worker). Returns it."""
    global _engine
    if name is not None:
        if name not in PDF_ENGINES:
            raise ValueError(f"unknown PDF engine {name!r}: one of {', '.join(PDF_ENGINES)}")
        _engine = name
    return _engine


def pdf_engine() -> str:
    return _engine


_PAGE_NUMBER = re.compile(r"^[-–—\s]*(p\.?\s*)?\d{1,4}(\s*/\s*\d{1,4})?[-–—\s]*$|^[-–—]\s*\d{1,4}\s*[-–—]$")
_DIGITS = re.compile(r"\d+")


@dataclass
class _Line:
    text: str
    marked: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    font: str = ""  # the font most of the line's chars are set in (subset prefix removed)
    figure: bool = False  # text of a chart or diagram (pdf_layout.figure_regions)


@dataclass
class _Page:
    number: int
    width: float
    height: float
    items: list[tuple[float, Any]] = field(default_factory=list)  # (top, _Line | table rows)
    footnotes: list[_Line] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # the file's metadata (first page only)
    drawn: int = 0  # chars drawn on the page, overprinted copies included
    kept: int = 0   # chars after overprinted copies were merged
    image_share: float = 0.0  # share of the page area covered by images
    stacks: int = 0  # stacked vertical labels joined
    pua_bullets: int = 0  # Private Use Area glyphs opening a line, read as bullets
    garbled: list[str] = field(default_factory=list)  # runs that read as two texts drawn into each other
    ruby: list[tuple[str, str]] = field(default_factory=list)  # (furigana, the line it annotates)
    empty_tables: int = 0  # ruled tables none of whose cells holds text


class PdfError(Exception):
    """The PDF cannot be read; the message says what to do."""


def _main_size(chars: list[dict]) -> float:
    """The size most non-space chars are set in (rounded to 0.1; the first seen wins a tie)."""
    by_size: dict[float, int] = {}
    for c in chars:
        if not c["text"].isspace():
            by_size[c["size"]] = by_size.get(c["size"], 0) + 1
    return _most_used(by_size, lambda s: round(s, 1)) or 0.0


def _most_used(counts: dict, key: Callable[[Any], Any]) -> Any:
    """The key most counts fall under once folded by `key` (the first used wins a tie), or its
    empty value: a size rounded to 0.1, a font name without its subset prefix."""
    folded: dict = {}
    for k, n in counts.items():
        k = key(k)
        folded[k] = folded.get(k, 0) + n
    return max(folded, key=folded.__getitem__) if folded else None


def heading_font(rules: Rules) -> re.Pattern[str]:
    """Font names that set headings (rules/headings.toml heading_fonts), one pattern."""
    words = rules.get("headings").get("heading_fonts", [])
    return re.compile("(?i)" + "|".join(words)) if words else re.compile(r"(?!x)x")


def _line_from(raw: dict, heading_font: re.Pattern[str]) -> _Line:
    chars = raw["chars"]
    # one pass: the line's main size (_main_size) and the font most of its chars are set in
    by_size: dict[float, int] = {}
    by_name: dict[str, int] = {}
    for c in chars:
        if not c["text"].isspace():
            by_size[c["size"]] = by_size.get(c["size"], 0) + 1
            by_name[c["fontname"]] = by_name.get(c["fontname"], 0) + 1
    size = _most_used(by_size, lambda s: round(s, 1)) or 0.0
    font = _most_used(by_name, lambda name: name.rpartition("+")[2]) or ""
    # superscript digits: much smaller than the line's main size, raised
    limit = size * DEFAULT_SUPERSCRIPT_RATIO
    if size and min(by_size) <= limit and any(c["size"] <= limit and c["text"].isdigit() for c in chars):
        marked = []
        in_ref = False
        for c in chars:
            small = c["size"] <= limit and c["text"].isdigit()
            if small and not in_ref:
                marked.append(REF_OPEN)
                in_ref = True
            elif not small and in_ref:
                marked.append(REF_CLOSE)
                in_ref = False
            marked.append(c["text"])
        if in_ref:
            marked.append(REF_CLOSE)
        marked_text = "".join(marked)
    else:
        marked_text = "".join(c["text"] for c in chars)
    text = raw["text"]
    if marked_text.replace(REF_OPEN, "").replace(REF_CLOSE, "") != text:
        marked_text = _reinsert_spaces(text, marked_text)
    return _Line(text, marked_text, raw["top"], raw["bottom"], raw["x0"], raw["x1"], size,
                 bool(heading_font.search(font)), font)


def _reinsert_spaces(text: str, marked: str) -> str:
    """extract_text_lines adds spaces between words; carry them into the marked copy."""
    out = []
    j = 0
    for ch in marked:
        if ch in (REF_OPEN, REF_CLOSE):
            out.append(ch)
            continue
        while j < len(text) and text[j] != ch and text[j].isspace():
            out.append(text[j])
            j += 1
        out.append(ch)
        j += 1
    return "".join(out)


def _separator_top(page: Any) -> float | None:
    """Top of a short horizontal rule in the lower half of the page (footnote separator)."""
    best = None
    w = page.width
    for obj in list(page.lines) + list(page.rects):
        height = abs(obj["bottom"] - obj["top"])
        width = obj["x1"] - obj["x0"]
        if height <= 1.5 and 0.08 * w <= width <= 0.6 * w and obj["top"] > page.height * 0.5 and obj["x0"] < w * 0.25:
            if best is None or obj["top"] < best:
                best = obj["top"]
    return best


def _footnote_zone(lines: list[_Line], sep: float | None) -> float | None:
    """The separator's top when the lines below it are footnotes: set smaller than the page's body
    text. A rule with body-size lines (headings, paragraphs) below it underlines or boxes text."""
    if sep is None or not lines:
        return sep
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.text)
    body = sizes.most_common(1)[0][0]
    return None if any(ln.top > sep and ln.size >= body for ln in lines) else sep


# _drawn packs a grid cell (x, y) into one int, x * _ROW + y: neighbours are fixed offsets.
# Coordinates beyond ±_ROW/2 may alias, which only makes the look answer "maybe" (dedupe then runs).
_ROW = 1 << 20
_NEIGHBOURS = tuple(dx * _ROW + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def _drawn(chars: list[dict]) -> tuple[int, bool]:
    """(chars drawn, not spaces; could the page hold a glyph drawn twice at (almost) the same
    place?) The second is a cheap look on a grid of the dedupe tolerance (only chars of the same
    text are compared) before the dedupe, which compares every char."""
    step = DEFAULT_DEDUPE_TOLERANCE
    seen: dict[str, set[int]] = {}
    drawn = 0
    maybe = False
    for c in chars:
        text = c["text"]
        if text.isspace():
            continue
        drawn += 1
        if maybe:
            continue
        cell = int(c["x0"] // step) * _ROW + int(c["top"] // step)
        cells = seen.get(text)
        if cells is None:
            seen[text] = {cell}
            continue
        for off in _NEIGHBOURS:
            if cell + off in cells:
                maybe = True
                break
        cells.add(cell)
    return drawn, maybe


def _read_page(page: Any, heading_font: re.Pattern[str]) -> _Page:
    from . import plumber_equivalents as plumber  # pdfplumber is imported in the workers only

    out = _Page(page.page_number, float(page.width), float(page.height))
    out.drawn, overprinted = _drawn(page.chars)
    out.image_share = _image_share(page)
    # fake bold: the same char drawn several times a fraction of a point apart. The copies'
    # sizes differ by float noise, so font and size must not keep them apart (extra_attrs=()).
    if overprinted:
        page = plumber.dedupe_chars(page, DEFAULT_DEDUPE_TOLERANCE)
        out.kept = sum(1 for c in page.chars if not c["text"].isspace())
    else:
        out.kept = out.drawn
    tables = [t for t in plumber.find_tables(page) if t.bbox]
    boxes = []
    grids: list[tuple[float, float, float, float]] = []
    for t in tables:
        rows = plumber.cell_texts(t)
        if not rows or len(rows[0]) < 2:
            continue  # a 1-column "table" is a ruled box (shaded heading), not data
        if not any((c or "").strip() for r in rows for c in r):
            out.empty_tables += 1  # a grid with no text in it: a chart's axes or an empty form
            grids.append(t.bbox)
            continue
        boxes.append(t.bbox)
        out.items.append((float(t.bbox[1]), rows))

    def outside(obj: dict) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_chars = [c for c in page.chars if outside(c)] if boxes else page.chars  # a table's text is in its rows
    sep = _separator_top(page)
    raw_lines = [raw for raw in plumber.text_lines(text_chars) if raw["text"].strip()]
    raw_lines, out.stacks = layout.restack(raw_lines)
    raw_lines, out.garbled = layout.unweave(raw_lines)
    mapped = [layout.map_pua_bullets(raw) for raw in raw_lines]
    raw_lines = [raw for raw, _ in mapped]
    out.pua_bullets = sum(n for _, n in mapped)
    out.garbled += [g for g in (layout.garbled(raw) for raw in raw_lines) if g]
    lines = [_line_from(layout.join_letter_spaced(raw), heading_font) for raw in raw_lines]
    lines, ruby = layout.split_ruby(lines)
    out.ruby = [(r.text, b.text) for r, b in ruby]
    regions = layout.figure_regions(page, boxes) + grids
    if regions:
        body = _main_size([c for ln in raw_lines for c in ln.get("chars", [])])
        for line in lines:
            line.figure = layout.in_figure(line, regions, body)
    sep = _footnote_zone(lines, sep)
    for line in lines:
        if sep is not None and line.top > sep:
            out.footnotes.append(line)
        else:
            out.items.append((line.top, line))
    out.items.sort(key=lambda it: it[0])
    if sep is None:
        _bottom_notes(out)
    return out


def _image_share(page: Any) -> float:
    """Share of the page area the page's images cover (overlaps counted once per row of a grid)."""
    area = float(page.width) * float(page.height)
    if not area:
        return 0.0
    covered = 0.0
    for im in page.images:
        x0, x1 = max(0.0, float(im["x0"])), min(float(page.width), float(im["x1"]))
        top, bottom = max(0.0, float(im["top"])), min(float(page.height), float(im["bottom"]))
        if x1 > x0 and bottom > top:
            covered += (x1 - x0) * (bottom - top)
    return min(1.0, covered / area)


_NOTE_START = re.compile(r"^\s*(?:[0-9]{1,3}\s*\S|\*\s*[0-9]|※\s*[0-9]|注\s*[0-9])")


def _bottom_notes(page: _Page) -> None:
    """No separator rule: the run of small-font lines at the page bottom is the footnote zone,
    when one of them starts like a numbered note (1 ICT（…）：…)."""
    lines = [(top, it) for top, it in page.items if isinstance(it, _Line)]
    if len(lines) < 3:
        return
    sizes: Counter[float] = Counter()
    for _, it in lines:
        sizes[round(it.size, 1)] += len(it.text)
    body = sizes.most_common(1)[0][0]
    run: list[tuple[float, _Line]] = []
    for top, it in reversed(lines):
        if it.size <= body - 1.0 and top > page.height * 0.6:
            run.append((top, it))
        else:
            break
    notes = [it for _, it in reversed(run) if not _PAGE_NUMBER.match(it.text.strip())]
    if not notes or not _NOTE_START.match(notes[0].text):
        return
    tops = {top for top, _ in run}
    page.items = [(top, it) for top, it in page.items if top not in tops or not isinstance(it, _Line)]
    page.footnotes.extend(notes)


def _furniture(pages: list[_Page]) -> set[str]:
    """Texts (digits folded) of lines that repeat in the header/footer zones of most pages."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for p in pages:
        keys = set()
        for top, item in p.items:
            if isinstance(item, _Line) and (top < p.height * DEFAULT_MARGIN_ZONE or top > p.height * (1 - DEFAULT_MARGIN_ZONE)):
                keys.add(_DIGITS.sub("#", item.text.strip()))
        seen.update(keys)
    return {k for k, c in seen.items() if c >= DEFAULT_REPEAT_SHARE * len(pages)}


def _is_furniture(p: _Page, top: float, line: _Line, repeated: set[str]) -> bool:
    in_zone = top < p.height * DEFAULT_MARGIN_ZONE or top > p.height * (1 - DEFAULT_MARGIN_ZONE)
    if not in_zone:
        return False
    return _DIGITS.sub("#", line.text.strip()) in repeated or (
        top > p.height * (1 - DEFAULT_MARGIN_ZONE) and bool(_PAGE_NUMBER.match(line.text.strip())))


def _footnote_blocks(p: _Page, body_size: float, repeated: set[str], prev: Block | None = None) -> list[Block]:
    """Footnotes of one page; a first line without a number continues the previous page's last note."""
    blocks: list[Block] = []
    for line in p.footnotes:
        if _is_furniture(p, line.top, line, repeated):
            continue
        m = re.match(r"^\s*(\d{1,3})\s*(\S.*)$", line.text)
        if m and (not blocks or int(m.group(1)) > (blocks[-1].number or 0)):
            blocks.append(Block("footnote", raw=line.text, page=p.number, size=line.size, number=int(m.group(1))))
        elif blocks:
            blocks[-1].raw += "\n" + line.text
        elif prev is not None:
            prev.raw += "\n" + line.text  # a footnote continued from the previous page
        else:
            blocks.append(Block("line", raw=line.marked, page=p.number, size=line.size, x0=line.x0))
    return blocks


def _same_header(a: list[Cell], b: list[Cell]) -> bool:
    norm = lambda row: [re.sub(r"\s+", "", c or "") for c in row]  # noqa: E731
    return norm(a) == norm(b)


def _stitch(prev: Block, rows: list[list[Cell]]) -> bool:
    """Append a table part that continues `prev` on the next page. True when it did."""
    if not prev.rows_raw or len(rows[0]) != len(prev.rows_raw[0]):
        return False
    body = rows
    header_len = 0
    for k in range(1, min(3, len(prev.rows_raw), len(rows)) + 1):
        if all(_same_header(prev.rows_raw[i], rows[i]) for i in range(k)):
            header_len = k
    if header_len:
        body = rows[header_len:]
    elif not rows[0] or rows[0][0] not in ("", None):
        return False
    if body and body[0] and body[0][0] == "" and prev.rows_raw and any(c in ("", None) for c in body[0][1:]):
        # a row cut by the page break continues in the first row of the next part (some of its
        # cells ended on the previous page); a full row under a '' is a new row whose rowspan
        # crossed the page
        cont = body[0]
        last = prev.rows_raw[-1]
        merged = []
        for a, b in zip(last, cont):
            if b in ("", None):
                merged.append(a)
            elif a in ("", None):
                merged.append(b)
            else:
                merged.append(f"{a}\n{b}")
        prev.rows_raw[-1] = merged
        body = body[1:]
    prev.rows_raw.extend(body)
    return True


def _declares_encryption(path: str) -> bool:
    """The trailer names an /Encrypt dictionary (checked when pdfminer's error is vague)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            return b"/Encrypt" in fh.read()
    except OSError:
        return False


def _open_errors():
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    return PDFPasswordIncorrect, PDFSyntaxError


def _pdf_error(exc: Exception, path: str) -> PdfError:
    password_error, syntax_error = _open_errors()
    if isinstance(exc, password_error):
        return PdfError("encrypted PDF: it needs a password; save an unencrypted copy and run again")
    if isinstance(exc, syntax_error):
        return PdfError(f"not a readable PDF ({exc}); the file is corrupt, truncated or not a PDF")
    # pdfplumber wraps pdfminer's errors: look at the cause too
    inner = exc.__cause__ or exc.__context__ or (exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc)
    name = f"{type(exc).__name__} {type(inner).__name__}"
    if "Password" in name or "Encrypt" in name or "encrypt" in str(inner).lower() or _declares_encryption(path):
        return PdfError("encrypted PDF: it needs a password; save an unencrypted copy and run again")
    return PdfError(f"not a readable PDF ({type(exc).__name__}: {exc}); the file is corrupt, truncated or not a PDF")


def read_pages(path: str, rules: Rules, start: int = 0, end: int | None = None,
               engine: str | None = None) -> tuple[int, list[_Page], list[tuple[int, str]]]:
    """Read pages [start, end) of a PDF: (page count, pages, (page, error) for pages that failed).

    Each page is closed after use, so memory stays flat however long the document is.
    `engine`: pdfplumber or pdfium (default: set_pdf_engine's).
    """
    if (engine or _engine) == "pdfium":
        return _read_pages_pdfium(path, rules, start, end)
    import pdfplumber

    pages: list[_Page] = []
    failed: list[tuple[int, str]] = []
    font = heading_font(rules)
    try:
        with pdfplumber.open(path) as pdf:
            total = len(pdf.pages)
            meta = _metadata(pdf) if start == 0 else {}
            for page in pdf.pages[start:end]:
                try:
                    pages.append(_read_page(page, font))
                    if meta:
                        pages[-1].meta, meta = meta, {}
                except Exception as exc:  # one broken page must not lose the document
                    failed.append((page.page_number, str(exc)))
                finally:
                    page.close()
    except PdfError:
        raise
    except Exception as exc:
        raise _pdf_error(exc, path) from None
    return total, pages, failed


def _read_pages_pdfium(path: str, rules: Rules, start: int, end: int | None) -> tuple[int, list[_Page], list[tuple[int, str]]]:
    from .pdf_pdfium import PdfiumDocument

    pages: list[_Page] = []
    failed: list[tuple[int, str]] = []
    font = heading_font(rules)
    try:
        doc = PdfiumDocument(path, range(start, end if end is not None else 1 << 30))
    except Exception as exc:
        raise _pdfium_error(exc, path) from None
    try:
        total = len(doc)
        meta = _metadata(doc) if start == 0 else {}
        for index in range(start, total if end is None else min(end, total)):
            try:
                page = doc.page(index)
                try:
                    pages.append(_read_page(page, font))
                finally:
                    page.close()
                if meta:
                    pages[-1].meta, meta = meta, {}
            except Exception as exc:  # one broken page must not lose the document
                failed.append((index + 1, str(exc)))
    finally:
        doc.close()
    return total, pages, failed


def _pdfium_error(exc: Exception, path: str) -> PdfError:
    text = str(exc)
    if "password" in text.lower() or "security" in text.lower() or _declares_encryption(path):
        return PdfError("encrypted PDF: it needs a password; save an unencrypted copy and run again")
    return PdfError(f"not a readable PDF ({type(exc).__name__}: {text}); the file is corrupt, truncated or not a PDF")


def _metadata(pdf: Any) -> dict[str, str]:
    """The document information entries that are evidence for its facts, as text."""
    out: dict[str, str] = {}
    for key in DEFAULT_META_KEYS:
        value = (pdf.metadata or {}).get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    return out


def ingest_pdf(doc: Document, path: str, rules: Rules, engine: str | None = None) -> Document:
    total, pages, failed = read_pages(path, rules, engine=engine)
    doc.pages = total
    return assemble_pdf(doc, pages, rules, failed)


def assemble_pdf(doc: Document, pages: list[_Page], rules: Rules,
                 failed: list[tuple[int, str]] | None = None) -> Document:
    """Blocks from the pages read: furniture dropped, tables stitched, footnotes placed. Raises PdfError."""
    for number, error in failed or []:
        doc.find("ingest", f"page {number} could not be read: {error}", page=number)
    if not any(isinstance(it, _Line) or isinstance(it, list) for p in pages for _, it in p.items) and not any(p.footnotes for p in pages):
        raise PdfError("no text layer: a scanned PDF (images only); run OCR first")
    sizes: Counter[float] = Counter()
    for p in pages:
        for _, it in p.items:
            if isinstance(it, _Line):
                sizes[it.size] += len(it.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    repeated = _furniture(pages)
    right_edge = max((it.x1 for p in pages for _, it in p.items if isinstance(it, _Line) and it.size == body_size), default=0.0)
    blocks: list[Block] = []
    kept: list[tuple[_Line, Block]] = []
    for p in pages:
        first_on_page = True
        for top, it in p.items:
            if isinstance(it, _Line):
                if _is_furniture(p, top, it, repeated):
                    continue
                if it.figure:
                    last = blocks[-1] if blocks else None
                    if last is not None and last.kind == "figure" and last.page == p.number:
                        last.raw += "\n" + it.marked
                    else:
                        blocks.append(Block("figure", raw=it.marked, page=p.number, size=it.size, x0=it.x0))
                    first_on_page = False
                    continue
                blocks.append(Block("line", raw=it.marked, page=p.number, size=it.size, bold=it.bold, x0=it.x0,
                                    full=it.x1 >= right_edge - 1.5 * max(it.size, 1.0)))
                kept.append((it, blocks[-1]))
            else:
                rows = [[c for c in r] for r in it]
                last = blocks[-1] if blocks else None
                if first_on_page and last is not None and last.kind == "table" and _stitch(last, rows):
                    first_on_page = False
                    continue
                blocks.append(Block("table", raw="\n".join("\t".join(c or "" for c in r) for r in rows),
                                    page=p.number, rows_raw=rows))
            first_on_page = False
        last_note = next((b for b in reversed(blocks) if b.kind == "footnote"), None)
        blocks.extend(_footnote_blocks(p, body_size, repeated, last_note))
    _mark_headings(kept, rules)
    doc.blocks = blocks
    doc.running_header = _running_header(pages, repeated)
    doc.meta = next((p.meta for p in pages if p.meta), {})
    cover = pages[0] if pages and pages[0].number == 1 else None
    if cover is not None:
        doc.cover_lines = [(it.text.replace(REF_OPEN, "").replace(REF_CLOSE, ""), it.size, top)
                           for top, it in cover.items if isinstance(it, _Line)]
    _page_findings(doc, pages)
    return doc


def _page_findings(doc: Document, pages: list[_Page]) -> None:
    """What the reader could not make sense of, or had to repair: overprinted characters (fake
    bold, counted per document), pages whose content is only images, tables with no text."""
    drawn = sum(p.drawn for p in pages)
    merged = drawn - sum(p.kept for p in pages)
    if merged > 0:
        worst = max(pages, key=lambda p: p.drawn - p.kept)
        hit = [p.number for p in pages if p.drawn > p.kept]
        doc.find("ingest", f"overprinted characters (fake bold drawn several times over itself): {merged} of {drawn} "
                           f"characters ({100.0 * merged / drawn:.1f} %) were extra copies, merged; on {len(hit)} page(s)",
                 page=worst.number, snippet="pages " + ", ".join(map(str, hit))[:190])
    ruby = [(p.number, r, b) for p in pages for r, b in p.ruby]
    if ruby:
        doc.find("ingest", f"{len(ruby)} furigana line(s) (small kana over a word) taken out of the reading text",
                 page=ruby[0][0], snippet="; ".join(f"{r} (p.{n}: {b[:20]})" for n, r, b in ruby)[:200])
    for p in pages:
        if p.garbled:
            doc.find("ingest", f"{len(p.garbled)} garbled run(s) on page {p.number}: characters of two texts drawn into "
                               "each other (a diagram, or text wrapped beside a table); interleaved lines were split by height",
                     page=p.number, snippet=" / ".join(p.garbled))
    pua = sum(p.pua_bullets for p in pages)
    if pua:
        doc.find("ingest", f"{pua} line(s) open with a Private Use Area glyph (a symbol font's bullet): read as ・",
                 page=next(p.number for p in pages if p.pua_bullets))
    stacks = sum(p.stacks for p in pages)
    if stacks:
        doc.find("ingest", f"{stacks} stacked vertical label(s) (one character per line) joined into one line each",
                 page=next(p.number for p in pages if p.stacks))
    with_text = [p for p in pages if p.kept > DEFAULT_IMAGE_PAGE_MAX_CHARS]
    for p in pages:
        if with_text and p.kept <= DEFAULT_IMAGE_PAGE_MAX_CHARS and p.image_share >= DEFAULT_IMAGE_PAGE_COVER:
            text = " ".join(it.text for _, it in p.items if isinstance(it, _Line))
            doc.find("ingest", f"page {p.number} is images with (almost) no text layer ({p.kept} characters, images cover "
                               f"{100 * p.image_share:.0f} % of the page): its content cannot be read without OCR",
                     page=p.number, snippet=text)
        if p.empty_tables:
            doc.find("ingest", f"{p.empty_tables} ruled table(s) on page {p.number} have no text in any cell "
                               "(an empty form, a chart's grid, or text drawn as an image)", page=p.number)


def _mark_headings(kept: list[tuple[_Line, Block]], rules: Rules) -> None:
    """Heading lines, judged over the whole document's layout, become hard headings (their own
    block, never joined to a paragraph); segment reads their labels and nests them."""
    from ..segment.pdf_headings import PdfLine, detect

    lines = [PdfLine(ln.text.replace(REF_OPEN, "").replace(REF_CLOSE, ""), b.page or 0, ln.x0, ln.size, ln.font)
             for ln, b in kept]
    heads, _ = detect(lines, rules)
    for i in heads:
        kept[i][1].hard_heading = 1


def _running_header(pages: list[_Page], repeated: set[str]) -> str:
    """The text of the repeated line at the top of the pages (real plans print their title there)."""
    for p in pages:
        for top, it in p.items:
            if isinstance(it, _Line) and top < p.height * DEFAULT_MARGIN_ZONE and _DIGITS.sub("#", it.text.strip()) in repeated:
                if not _PAGE_NUMBER.match(it.text.strip()):
                    return it.text.strip()
    return ""
