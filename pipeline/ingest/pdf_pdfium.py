"""The pdfium engine: a PDF's pages read through pypdfium2 (pdfium's Python binding) into the
objects pdfplumber builds from pdfminer, so that everything downstream is shared.

`PdfiumPage` is a `pdfplumber.page.Page` whose objects (chars, rects, lines, curves, images) come
from pdfium instead of pdfminer's interpreter (where ~80 % of the pdfplumber engine's time goes).
Its `filter` and `find_tables` (pdfplumber's own TableFinder: edges → intersections → cells →
tables) are pdfplumber's code, run on those objects; the dedupe, text lines and table cells go
through plumber_equivalents.py, pdfplumber's algorithms restated (for both engines).

What it takes to give pdfminer's chars (pdfplumber is the reference, `--pdf-engine pdfplumber`):
- pdfminer's page space: the page's /Rotate turns every point, x is measured from the MediaBox's
  left edge and top from its height (pdfplumber's quirk for a MediaBox not at 0);
- a char's x0/x1 are its origin and its advance (the font's width; pdfium's loose box is used,
  but it reaches to a glyph's ink where that passes the advance), through the matrix; its size
  is the Tf size × the matrix's vertical scale (pdfium's raw size can be 1.0); top/bottom come
  from the baseline with pdfminer's descent rule (the FontDescriptor's Descent, negated when
  positive; pdfium's own glyph boxes are off by 0.13–0.26 × size); a vertical-writing font's box
  is pdfminer's (a size-wide cell hanging from the origin); a font's name is pdfminer's (the
  descriptor's FontName, a byte string's repr when it is not UTF-8);
- chars come in content-stream order (pdfium sorts a line's objects by position);
- characters pdfium generates (spaces and line breaks it infers between objects, spaces it infers
  from TJ kerning inside one) are left out: pdfminer has none. The spaces pdfminer does have
  that pdfium drops are text objects without ink (`TextObjects.blanks`): they are put back, while the
  Japanese/Latin autospacing of LibreOffice and Word, which pdfium infers spaces for, has none;
- a glyph drawn over itself (fake bold) is one char in pdfium and several in pdfminer: the copies
  are read by taking the objects off the page in layers (`_overprint_layers`); copies inside
  one text object stay merged;
- paths are split into subpaths and classified as pdfminer does (line: `ml`/`mlh`, rect: a closed
  axis-aligned `mlllh`, everything else a curve), in page coordinates through every form's matrix.

Left as pdfium has it: positions are single-precision (pdfminer's are double, so a gap of exactly
the word tolerance can fall on either side), and pdfminer's dropping of the char spacing (Tc)
after a string's last char, which moves the later strings of a line left (no sign in pdfium
tells a string that continues the line from one moved there).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import pdfplumber.page as _plumber_page

from .pdfium_api import api as _api, handle as _handle, mul as _mul
from .pdfium_chars import CharReader, GlyphMemo, font_table
from .pdfium_paths import TextObjects, walk_objects


class PdfiumPage(_plumber_page.Page):
    """A pdfplumber Page built from a pdfium page (no pdfminer parsing)."""

    def __init__(self, page_number: int, box: tuple, rotation: int, objects: dict[str, list[dict]]):
        self.pdf = None  # type: ignore[assignment]  # no pdfplumber document, no pdfminer page behind it
        self.root_page = self
        self.page_obj = None  # type: ignore[assignment]
        self.page_number = page_number
        self.initial_doctop = 0
        self.rotation = rotation % 360
        self.mediabox = box  # pdfplumber's (x0, top, x1, bottom) of the MediaBox
        self.cropbox = self.mediabox
        self.bbox = self.mediabox
        self._objects = objects
        self.get_textmap = lru_cache()(self._get_textmap)

    @property
    def objects(self) -> dict[str, list[dict]]:
        return self._objects

    def close(self) -> None:
        self.flush_cache()
        self.get_textmap.cache_clear()


class PdfiumDocument:
    """An open PDF: `len()`, `page(i)` (a PdfiumPage, 0-based), `metadata`, `close()`."""

    def __init__(self, path: str, pages: range | None = None):
        """`pages`: the page indexes that will be read (their fonts are looked up)."""
        import pypdfium2 as pdfium

        self._pdf = pdfium.PdfDocument(path)
        self._path = path
        self._pages = pages
        self._fonts: dict[str, tuple[float, str]] | None = None
        self._glyphs = GlyphMemo()  # glyph widths and boxes seen, for every page

    def __len__(self) -> int:
        return len(self._pdf)

    def __enter__(self) -> "PdfiumDocument":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._pdf.close()

    @property
    def metadata(self) -> dict[str, str]:
        try:
            return dict(self._pdf.get_metadata_dict(skip_empty=True))
        except Exception:
            return {}

    def page(self, index: int) -> PdfiumPage:
        page = self._pdf[index]
        try:
            if self._fonts is None:
                self._fonts = font_table(self._path, self._pages)
            return read_page(page, index + 1, self._fonts, self._glyphs)
        finally:
            page.close()


# pdfium drops a char drawn again at (almost) the same place (fake bold: text drawn two to four
# times, shifted by a fraction of a point, in objects that need not split the text alike) from its
# text page, keeping one copy, where pdfminer gives every copy. On a page where that happened (an
# object with ink has no char), text objects whose ink boxes overlap, across and up, by this share
# of the lower one's height are read apart, one layer at a time, at most this many layers.
# Measured over both PDF corpora: copies of a whole object overlap by 0.8-1 (1813 pairs), objects
# that split the copied text differently by 0.25-0.8 (190 pairs; 0.5 instead lost 63 copies),
# neighbours on a line by less (60 pairs, which 0.1 would split for no further copy).
DEFAULT_OVERPRINT_SHARE = 0.25
DEFAULT_OVERPRINT_LAYERS = 8


def read_page(page: Any, number: int, fonts: dict[str, tuple[float, str]] | None = None,
              glyphs: GlyphMemo | None = None) -> PdfiumPage:
    """pdfplumber-style objects of one pypdfium2 page. `fonts`: font_table's (descent, pdfminer's
    font name) per font; `glyphs`: what the document's glyphs showed on the pages read so far."""
    api = _api()
    box, to_page, y_top = _page_space(page.get_mediabox(), page.get_rotation())
    objects: dict[str, list[dict]] = {"char": [], "rect": [], "line": [], "curve": [], "image": []}
    texts = TextObjects()
    page_handle = _handle(page.raw)
    walk_objects(api, page_handle, None, to_page, objects, number, 0.0, y_top, 0, texts)
    reader = CharReader(api, number, y_top, fonts or {}, texts.order, to_page, glyphs)
    textpage = page.get_textpage()
    try:
        reader.read(_handle(textpage.raw))
    finally:
        textpage.close()
    blanks, merged = texts.blanks(api, reader.used, reader.spaced)
    if merged:  # an object with ink but no char in the text page: pdfium merged copies drawn over one another
        layers = _overprint_layers(texts.stackable(api))
        if layers:
            _read_layers(api, page, page_handle, reader, layers, [t[1] for t in texts.objects if t[3]])
    if blanks:
        # pdfium reads a blank object whose spaces lie apart (its bounds have a width) as one space
        reader.drop({blank[1] for blank in blanks} & reader.used)
        for seq, obj, ctm, span in blanks:
            reader.blank(seq, obj, ctm, span)
    objects["char"] = reader.chars()
    for kind in [k for k, v in objects.items() if not v]:
        del objects[kind]
    return PdfiumPage(number, box, page.get_rotation(), objects)


def _page_space(mediabox: tuple, rotation: int) -> tuple[tuple, tuple, float]:
    """pdfplumber's page box (x0, top, x1, bottom), the matrix from PDF space to its x and y (pdfminer's
    for the page's /Rotate, then pdfplumber's shift by the box's left edge) and the y its tops are
    measured from (top = y_top - y)."""
    x0, y0, x1, y1 = (float(v) for v in mediabox)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    ctm = {90: (0.0, -1.0, 1.0, 0.0, -y0, x1), 180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
           270: (0.0, 1.0, -1.0, 0.0, y1, -x0)}.get(rotation % 360, (1.0, 0.0, 0.0, 1.0, -x0, -y0))
    nx0, ny0, nx1, ny1 = (y0, x0, y1, x1) if rotation % 180 == 90 else (x0, y0, x1, y1)
    height = ny1 - ny0
    box = (nx0, height - ny1, nx1, height - ny0)
    return box, _mul(ctm, (1.0, 0.0, 0.0, 1.0, box[0], 0.0)), height + box[1]


def _overprint_layers(boxes: list[tuple[int, float, float, float, float]]) -> list[list[int]]:
    """The text objects drawn over one another, in layers none of which holds two of them (a layer
    takes each object in content order that overlaps none of its objects). `boxes`: (object, left,
    bottom, right, top) in content order."""
    if len(boxes) < 2:
        return []
    place = {box[0]: k for k, box in enumerate(boxes)}
    over: dict[int, list[int]] = {}
    active: list[tuple[int, float, float, float, float]] = []
    share = DEFAULT_OVERPRINT_SHARE
    for box in sorted(boxes, key=lambda bx: bx[2]):  # sweep up the page
        obj, l, b, r, t = box
        active = [o for o in active if o[4] > b]
        for other in active:
            o_l, o_b, o_r, o_t = other[1], other[2], other[3], other[4]
            if o_r <= l or o_l >= r:
                continue
            least = share * (t - b if t - b < o_t - o_b else o_t - o_b)
            if (r if r < o_r else o_r) - (l if l > o_l else o_l) >= least and \
                    (t if t < o_t else o_t) - (b if b > o_b else o_b) >= least:
                over.setdefault(obj, []).append(other[0])
                over.setdefault(other[0], []).append(obj)
        active.append(box)
    if not over:
        return []
    layers: list[list[int]] = []
    layer_of: dict[int, int] = {}
    for obj in sorted(over, key=place.__getitem__):
        taken = {layer_of[o] for o in over[obj] if o in layer_of}
        k = next(k for k in range(len(taken) + 1) if k not in taken)
        k = min(k, DEFAULT_OVERPRINT_LAYERS - 1)  # beyond: pdfium's own merging decides
        layer_of[obj] = k
        while len(layers) <= k:
            layers.append([])
        layers[k].append(obj)
    return layers


def _read_layers(api: Any, page: Any, handle: int, reader: "CharReader", layers: list[list[int]],
                 texts: list[int]) -> None:
    """Read the chars of objects drawn over one another one layer at a time: the page's text
    objects (`texts`) are taken off the page, then each layer is put back, read and taken off
    again; at the end all go back (the page frees them)."""
    off: list[int] = []
    try:
        for obj in texts:
            if not api.Page_RemoveObject(handle, obj):
                return  # keep what the first read gave
            off.append(obj)
        reader.drop({obj for layer in layers for obj in layer})
        for layer in layers:
            for obj in layer:
                api.Page_InsertObject(handle, obj)
            now = set(layer)
            off = [obj for obj in off if obj not in now]
            textpage = page.get_textpage()
            try:
                reader.read(_handle(textpage.raw), now)
            finally:
                textpage.close()
            for obj in layer:
                if api.Page_RemoveObject(handle, obj):
                    off.append(obj)
    finally:
        for obj in off:
            api.Page_InsertObject(handle, obj)
