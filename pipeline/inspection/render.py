"""Page PNGs of a PDF with what the tool saw drawn over them (pdfplumber's own `to_image`).

Boxes: body lines (grey), outline nodes (a colour per level, the label printed), headings the
layout found (teal), tables (blue) and their cells, the footnote zone (magenta), running
header/footer and page numbers (grey fill), figure text (yellow), overprinted characters (red),
lines a finding names (red frame). Beside each box, in a gutter on the right, the row it became.
"""
from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .analysis import Analysis, fold

DEFAULT_RESOLUTION = 100        # dpi of the page renders
DEFAULT_GUTTER = 340            # px on the right for the labels
DEFAULT_FONT_PX = 13

LEVEL_COLOURS = [(220, 38, 38), (234, 128, 0), (22, 150, 60), (37, 99, 235), (147, 51, 234), (190, 24, 93)]
COLOURS = {
    "line": (150, 150, 150),
    "layout_heading": (13, 148, 136),
    "table": (29, 78, 216),
    "cell": (147, 197, 253),
    "footnote": (200, 0, 160),
    "furniture": (120, 120, 120),
    "figure": (202, 160, 0),
    "overprint": (255, 0, 0),
    "finding": (255, 0, 0),
    "contents": (100, 116, 139),
}
LEGEND = [
    ("line", "body line"), ("layout_heading", "heading by layout (font, size)"),
    ("table", "table / cells"), ("footnote", "footnote zone"), ("furniture", "running header, footer, page number"),
    ("figure", "text of a figure"), ("overprint", "overprinted characters, lines a finding names"),
    ("contents", "contents entry"),
]


def level_colour(level: int) -> tuple[int, int, int]:
    return LEVEL_COLOURS[(max(level, 1) - 1) % len(LEVEL_COLOURS)]


def hexc(c: tuple[int, int, int]) -> str:
    return "#%02x%02x%02x" % c


@dataclass
class Mark:
    """A box on a page and the words beside it."""

    bbox: tuple[float, float, float, float]
    role: str
    colour: tuple[int, int, int]
    label: str = ""
    width: int = 1
    fill: int = 0   # alpha of a fill, 0 = none


@dataclass
class PageMarks:
    number: int
    marks: list[Mark] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font that draws Japanese (fontconfig first, then the usual places)."""
    if shutil.which("fc-match"):
        try:
            p = subprocess.run(["fc-match", "-f", "%{file}", ":lang=ja"], capture_output=True, text=True, timeout=10)
            if p.returncode == 0 and p.stdout and Path(p.stdout).exists() and _has_kanji(p.stdout):
                return p.stdout
        except (OSError, subprocess.SubprocessError):
            pass
    for cand in ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                 "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc", "C:/Windows/Fonts/meiryo.ttc"):
        if Path(cand).exists():
            return cand
    return None


def _has_kanji(path: str) -> bool:
    try:
        from PIL import ImageFont

        f = ImageFont.truetype(path, 12)
        return f.getmask("施").getbbox() is not None
    except Exception:
        return False


def font(size: int = DEFAULT_FONT_PX):
    from PIL import ImageFont

    path = cjk_font_path()
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def _bbox(ln) -> tuple[float, float, float, float]:
    return (float(ln.x0), float(ln.top), float(ln.x1), float(ln.bottom))


def page_marks(a: Analysis, number: int, plumber_page) -> PageMarks:
    """Every mark of one page: from the ingested lines (kept by the analysis) and the pdfplumber page."""
    from ..ingest.pdf import DEFAULT_DEDUPE_TOLERANCE, _Line

    pm = PageMarks(number)
    page = next((p for p in a.pdf_pages if p.number == number), None)
    if page is None:
        return pm
    line_of = {id(g): i for i, g in a.line_geometry.items()}
    nodes_at = {n.line: n for n in a.nodes if n.page == number and n.tree == "body"}
    contents_at = {n.line: n for n in a.nodes if n.page == number and n.tree == "contents"}
    layout_heads = _layout_headings(a)
    finding_snippets = [fold(f.snippet)[:20] for f in a.doc.findings if f.page == number and len(fold(f.snippet)) >= 4]
    body = [it for _, it in page.items if isinstance(it, _Line)]
    for ln in body + list(page.footnotes):
        i = line_of.get(id(ln))
        box = _bbox(ln)
        if ln in page.footnotes:
            pm.marks.append(Mark(box, "footnote", COLOURS["footnote"], _row_labels(a, number, ln.text, "footnote"), 1, 40))
            pm.counts["footnote"] += 1
        elif ln.figure:
            pm.marks.append(Mark(box, "figure", COLOURS["figure"], "", 1, 60))
            pm.counts["figure"] += 1
        elif i is None:
            pm.marks.append(Mark(box, "furniture", COLOURS["furniture"], "", 1, 70))
            pm.counts["furniture"] += 1
        elif i in nodes_at:
            n = nodes_at[i]
            words = f"{n.label} L{n.node.level}" + (f" → {', '.join(n.rows)}" if n.rows else "")
            kp = [f"KPI: {k['indicator']}" for k in a.tables.kpis if k["kpi_id"] in n.kpis]
            pm.marks.append(Mark(box, "outline", level_colour(n.node.level), words, 3, 30))
            pm.counts["outline"] += 1
            if kp:
                pm.marks.append(Mark(box, "row", level_colour(n.node.level), "; ".join(kp[:2]), 0))
        elif i in contents_at:
            n = contents_at[i]
            pm.marks.append(Mark(box, "contents", COLOURS["contents"],
                                 f"目次 {n.label}" + (f" → {', '.join(n.rows)}" if n.rows else ""), 2))
            pm.counts["contents"] += 1
        else:
            head = i in layout_heads
            label = _row_labels(a, number, ln.text, "line")
            pm.marks.append(Mark(box, "layout_heading" if head else "line",
                                 COLOURS["layout_heading" if head else "line"], label, 2 if head else 1))
            pm.counts["layout_heading" if head else "line"] += 1
        if finding_snippets and any(s and s in fold(ln.text) for s in finding_snippets):
            pm.marks.append(Mark(_grow(box, 2), "finding", COLOURS["finding"], "finding", 2))
            pm.counts["finding"] += 1
    # tables and cells, as ingest finds them (after merging overprinted copies)
    deduped = plumber_page.dedupe_chars(tolerance=DEFAULT_DEDUPE_TOLERANCE, extra_attrs=())
    for t in deduped.find_tables():
        if not t.bbox:
            continue
        rows = t.extract()
        if not rows or len(rows[0]) < 2:
            continue
        for cell in t.cells:
            pm.marks.append(Mark(_box(cell), "cell", COLOURS["cell"], "", 1))
        labelled = False
        for row_obj, cells in zip(t.rows, rows):
            words = _table_labels(a, number, [cells], "")
            if words and row_obj.bbox:
                pm.marks.append(Mark(_box(row_obj.bbox), "row", COLOURS["table"], words, 0))
                labelled = True
        pm.marks.append(Mark(_box(t.bbox), "table", COLOURS["table"], "" if labelled else "table", 3))
        pm.counts["table"] += 1
    # overprint: characters drawn more than once at one place
    key = lambda c: (c["text"], round(c["x0"]), round(c["top"]))  # noqa: E731
    seen = Counter(key(c) for c in plumber_page.chars if not c["text"].isspace())
    for c in deduped.chars:
        if not c["text"].isspace() and seen.get(key(c), 0) > 1:
            pm.marks.append(Mark((c["x0"], c["top"], c["x1"], c["bottom"]), "overprint", COLOURS["overprint"], "", 1))
            pm.counts["overprint"] += 1
    return pm


def _box(b) -> tuple[float, float, float, float]:
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _grow(b, d):
    return (b[0] - d, b[1] - d, b[2] + d, b[3] + d)


def _layout_headings(a: Analysis) -> set[int]:
    """doc.lines indices the layout judged headings (segment/pdf_headings.py, as ingest does)."""
    from ..segment.pdf_headings import PdfLine, detect

    idx = [i for i, g in sorted(a.line_geometry.items()) if not getattr(g, "figure", False)]
    geo: dict[int, Any] = a.line_geometry
    lines = [PdfLine(geo[i].text, a.doc.lines[i].page or 0, geo[i].x0, geo[i].size, geo[i].font) for i in idx]
    try:
        heads, _ = detect(lines, a.rules)
    except Exception:
        return set()
    return {idx[k] for k in heads}


def _row_labels(a: Analysis, page: int, text: str, role: str) -> str:
    t = fold(text)
    out = []
    for g in a.tables.glossary:
        if g["page"] == page and g["term"] and fold(g["term"]) in t and (
                role == "footnote" or g["source"] != "footnote"):
            out.append(f"term: {g['term']}")
    for r in a.tables.initiatives:
        if r["page"] == page and r["source"] not in ("outline", "contents") and r["title_raw"] and \
                fold(r["title_raw"])[:16] and fold(r["title_raw"])[:16] in t:
            out.append(r["initiative_id"])
    return "; ".join(dict.fromkeys(out))


def _table_labels(a: Analysis, page: int, rows, empty: str = "table") -> str:
    cells = [fold(c) for r in rows for c in r if c]
    out = [f"KPI: {k['indicator']}" for k in a.tables.kpis
           if k["page"] == page and fold(k["indicator_raw"]) and fold(k["indicator_raw"]) in cells]
    out += [r["initiative_id"] for r in a.tables.initiatives
            if r["page"] == page and r["source"] not in ("outline", "contents") and fold(r["title"])[:12]
            and any(fold(r["title"])[:12] in c for c in cells)]
    if not out:
        return empty
    return "; ".join(dict.fromkeys(out[:3])) + (f" +{len(out) - 3}" if len(out) > 3 else "")


def render_page(a: Analysis, plumber_page, number: int, target: Path, resolution: int = DEFAULT_RESOLUTION) -> PageMarks:
    """One page PNG: pdfplumber's render with the marks drawn, the labels in a gutter."""
    from PIL import Image, ImageDraw

    pm = page_marks(a, number, plumber_page)
    im = plumber_page.to_image(resolution=resolution)
    order = {"cell": 0, "furniture": 1, "figure": 1, "footnote": 1, "line": 2, "contents": 3,
             "layout_heading": 3, "table": 4, "outline": 5, "overprint": 6, "finding": 7, "row": 8}
    for m in sorted(pm.marks, key=lambda m: order.get(m.role, 9)):
        if m.role == "row":
            continue
        fill = (*m.colour, m.fill) if m.fill else None
        im.draw_rect(m.bbox, fill=fill, stroke=m.colour, stroke_width=m.width)
    page_img = im.annotated.convert("RGB")
    scale = page_img.width / float(plumber_page.width)
    canvas = Image.new("RGB", (page_img.width + DEFAULT_GUTTER, page_img.height), "white")
    canvas.paste(page_img, (0, 0))
    draw = ImageDraw.Draw(canvas)
    f = font()
    x_text = page_img.width + 12
    next_y = 0.0
    step = DEFAULT_FONT_PX + 3
    top0 = float(plumber_page.bbox[1])
    x00 = float(plumber_page.bbox[0])
    labelled = sorted((m for m in pm.marks if m.label), key=lambda m: m.bbox[1])
    for m in labelled:
        y_box = (m.bbox[1] - top0) * scale
        y = max(y_box, next_y)
        if y > canvas.height - step:
            break
        x_box = (m.bbox[2] - x00) * scale
        draw.line([(min(x_box, page_img.width - 1), y_box + 2), (x_text - 4, y + step / 2)], fill=m.colour, width=1)
        draw.text((x_text, y), _fit(m.label, f, DEFAULT_GUTTER - 20), fill=m.colour, font=f)
        next_y = y + step
    target.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(target, optimize=True)
    return pm


def _fit(text: str, f, width: int) -> str:
    if f.getlength(text) <= width:
        return text
    while text and f.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def render_pages(a: Analysis, pages: list[int], out: Path, resolution: int = DEFAULT_RESOLUTION) -> dict[int, PageMarks]:
    """Render the chosen pages to out/page-NNN.png; each page is closed after use."""
    import pdfplumber

    done: dict[int, PageMarks] = {}
    with pdfplumber.open(str(a.path)) as pdf:
        for number in pages:
            if not 1 <= number <= len(pdf.pages):
                continue
            pg = pdf.pages[number - 1]
            try:
                done[number] = render_page(a, pg, number, out / page_png(number), resolution)
            finally:
                pg.close()
    return done


def page_png(number: int) -> str:
    return f"page-{number:03d}.png"
