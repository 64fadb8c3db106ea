"""The pdfium engine: a PDF's pages read through pypdfium2 (pdfium's Python binding) into the
objects pdfplumber builds from pdfminer, so that everything downstream is shared.

`PdfiumPage` is a `pdfplumber.page.Page` whose objects (chars, rects, lines, curves, images) come
from pdfium instead of pdfminer's interpreter (where ~80 % of the pdfplumber engine's time goes).
Its `dedupe_chars`, `filter`, `find_tables` (pdfplumber's own TableFinder: edges → intersections
→ cells → tables) and `extract_text_lines` are pdfplumber's code, run on those objects.

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
  that pdfium drops are text objects without ink (`_Texts.blanks`): they are put back, while the
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

import ctypes
from functools import lru_cache
from typing import Any

import pdfplumber.page as _plumber_page

_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE, _OBJ_SHADING, _OBJ_FORM = 1, 2, 3, 4, 5
_SEG_LINETO, _SEG_BEZIERTO, _SEG_MOVETO = 0, 1, 2


class _Api:
    """pdfium's C functions with handles as plain ints (restype/argtypes c_void_p). pypdfium2's
    bindings return a typed pointer object from every call, and building it costs more than the
    call itself: a page makes a few calls per character and per path segment."""

    _SIGNATURES: dict[str, tuple[Any, ...]] = {
        # name: (restype, *argtypes); V = a handle or an out-parameter's address
        "FPDFText_CountChars": (ctypes.c_int, "V"),
        "FPDFText_GetText": (ctypes.c_int, "V", ctypes.c_int, ctypes.c_int, "V"),
        "FPDFText_GetUnicode": (ctypes.c_uint, "V", ctypes.c_int),
        "FPDFText_GetTextObject": ("V", "V", ctypes.c_int),
        "FPDFText_IsGenerated": (ctypes.c_int, "V", ctypes.c_int),
        "FPDFText_IsHyphen": (ctypes.c_int, "V", ctypes.c_int),
        "FPDFText_HasUnicodeMapError": (ctypes.c_int, "V", ctypes.c_int),
        "FPDFText_GetCharOrigin": (ctypes.c_int, "V", ctypes.c_int, "V", "V"),
        "FPDFText_GetLooseCharBox": (ctypes.c_int, "V", ctypes.c_int, "V"),
        "FPDFText_GetMatrix": (ctypes.c_int, "V", ctypes.c_int, "V"),
        "FPDFText_GetFontSize": (ctypes.c_double, "V", ctypes.c_int),
        "FPDFText_GetFontInfo": (ctypes.c_ulong, "V", ctypes.c_int, "V", ctypes.c_ulong, "V"),
        "FPDFTextObj_GetFont": ("V", "V"),
        "FPDFTextObj_GetFontSize": (ctypes.c_int, "V", "V"),
        "FPDFFont_GetGlyphWidth": (ctypes.c_int, "V", ctypes.c_uint, ctypes.c_float, "V"),
        "FPDFFont_GetBaseFontName": (ctypes.c_size_t, "V", "V", ctypes.c_size_t),
        "FPDFPage_RemoveObject": (ctypes.c_int, "V", "V"),
        "FPDFPage_InsertObject": (ctypes.c_int, "V", "V"),
        "FPDFPage_CountObjects": (ctypes.c_int, "V"),
        "FPDFPage_GetObject": ("V", "V", ctypes.c_int),
        "FPDFFormObj_CountObjects": (ctypes.c_int, "V"),
        "FPDFFormObj_GetObject": ("V", "V", ctypes.c_ulong),
        "FPDFPageObj_GetType": (ctypes.c_int, "V"),
        "FPDFPageObj_GetMatrix": (ctypes.c_int, "V", "V"),
        "FPDFPageObj_GetStrokeWidth": (ctypes.c_int, "V", "V"),
        "FPDFPageObj_GetBounds": (ctypes.c_int, "V", "V", "V", "V", "V"),
        "FPDFPath_GetDrawMode": (ctypes.c_int, "V", "V", "V"),
        "FPDFPath_CountSegments": (ctypes.c_int, "V"),
        "FPDFPath_GetPathSegment": ("V", "V", ctypes.c_int),
        "FPDFPathSegment_GetPoint": (ctypes.c_int, "V", "V", "V"),
        "FPDFPathSegment_GetType": (ctypes.c_int, "V"),
        "FPDFPathSegment_GetClose": (ctypes.c_int, "V"),
    }

    def __init__(self) -> None:
        from pypdfium2_raw import bindings

        lib = bindings._libs["pdfium"]
        for name, (restype, *argtypes) in self._SIGNATURES.items():
            fn = lib[name]  # a new function object: pypdfium2's own keep their types
            fn.restype = ctypes.c_void_p if restype == "V" else restype
            fn.argtypes = [ctypes.c_void_p if a == "V" else a for a in argtypes]
            setattr(self, name.replace("FPDF", "", 1), fn)


@lru_cache(maxsize=1)
def _api() -> Any:
    return _Api()


def _handle(obj: Any) -> int:
    """A pypdfium2 handle (typed pointer) as the int _Api takes."""
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


def _mul(m: tuple, n: tuple) -> tuple:
    """m then n (PDF row-vector convention: p' = p × m × n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


class PdfiumPage(_plumber_page.Page):
    """A pdfplumber Page built from a pdfium page (no pdfminer parsing)."""

    def __init__(self, page_number: int, box: tuple, rotation: int, objects: dict[str, list[dict]]):
        self.pdf = None
        self.root_page = self
        self.page_obj = None
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
        self._widths: dict = {}  # glyph widths by font and char, for every page

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
            return read_page(page, index + 1, self._fonts, self._widths)
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
              widths: dict | None = None) -> PdfiumPage:
    """pdfplumber-style objects of one pypdfium2 page. `fonts`: font_table's (descent, pdfminer's
    font name) per font; `widths`: the document's glyph widths read so far."""
    api = _api()
    box, to_page, y_top = _page_space(page.get_mediabox(), page.get_rotation())
    objects: dict[str, list[dict]] = {"char": [], "rect": [], "line": [], "curve": [], "image": []}
    texts = _Texts()
    page_handle = _handle(page.raw)
    _walk(api, page_handle, None, to_page, objects, number, 0.0, y_top, 0, texts)
    reader = _CharReader(api, number, y_top, fonts or {}, texts.order, to_page, widths)
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


def _read_layers(api: Any, page: Any, handle: int, reader: "_CharReader", layers: list[list[int]],
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


# Codes pdfium gives for a char it has no unicode for (left out, as pdfminer's (cid:n) never match).
_NO_TEXT = {"\ufffe", "\uffff", "\x00"}


def _page_text(api: Any, tp: int, n: int) -> str:
    """All n chars' unicode in one call (UTF-16: one unit per char index; a char outside the BMP
    takes two, and then each char is asked for alone)."""
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = api.Text_GetText(tp, 0, n, buf)
    text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", "surrogatepass")
    if len(text) != n:
        text = "".join(chr(api.Text_GetUnicode(tp, i)) for i in range(n))
    return text


def _char(ch: str, name: str, box: tuple, adv: float, m: tuple, vertical: bool, y_top: float, number: int) -> dict:
    """pdfminer's char: `box` (x0, y0, x1, y1 in text space around the origin) through the matrix."""
    a, b, c, d, e, f = m
    tx0, ty0, tx1, ty1 = box
    if not b and not c:  # no rotation or skew: the corners are the extremes
        x0, x1 = a * tx0 + e, a * tx1 + e
        if x1 < x0:
            x0, x1 = x1, x0
        y0, y1 = d * ty0 + f, d * ty1 + f
        if y1 < y0:
            y0, y1 = y1, y0
    else:
        xs = (a * tx0 + c * ty0 + e, a * tx1 + c * ty0 + e, a * tx0 + c * ty1 + e, a * tx1 + c * ty1 + e)
        ys = (b * tx0 + d * ty0 + f, b * tx1 + d * ty0 + f, b * tx0 + d * ty1 + f, b * tx1 + d * ty1 + f)
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    return {
        "text": ch, "fontname": name, "size": x1 - x0 if vertical else y1 - y0, "adv": adv,
        "upright": a * d > 0 and b * c <= 0,
        "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": y_top - y1, "bottom": y_top - y0, "doctop": y_top - y1,
        "width": x1 - x0, "height": y1 - y0, "matrix": m, "object_type": "char", "page_number": number,
    }


# pdfium's loose char box reaches to the glyph's ink where that passes the advance ('f', 'j', 'r' in
# some fonts: 0.3 % of the chars of both PDF corpora, by up to 0.28 × the advance); pdfminer's box
# ends at the advance, the font's width for the char. That width replaces the box's when it is
# not larger (but for float error), nor smaller by more than this share (a char the font maps to
# no code gets a default width). Float error: this share of the size (measured: under 2e-5).
DEFAULT_OVERHANG = 0.7
DEFAULT_WIDTH_SLACK = 1e-3


class _CharReader:
    """A page's chars, read from one or more text pages, put in content-stream order (pdfminer's:
    pdfium orders a line's objects by position) by their text object's place among the page's."""

    def __init__(self, api: Any, number: int, y_top: float, fonts: dict[str, tuple[float, str]],
                 order: dict[int, int], to_page: tuple, widths: dict | None = None):
        self.api, self.number, self.y_top, self.fonts, self.order = api, number, y_top, fonts, order
        self.to_page = None if to_page == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0) else to_page
        self.out: list[dict] = []
        self.keys: list[int] = []  # per char: its text object's place in the content stream
        self.spaced: set[int] = set()  # text objects with a space char in a text page read
        self.used: set[int] = set()  # text objects with chars in a text page read
        self.named: dict[int, tuple[str, float, bool]] = {}  # font handle -> (pdfminer's name, descent, vertical)
        self.unmapped: set[int] = set()  # font handles with a glyph that has no Unicode
        # (font handle, pdfminer's name) -> char -> advance per 1000 of the size (the document's)
        self.widths: dict[tuple, dict[str, float]] = {} if widths is None else widths
        self.matrix = (ctypes.c_float * 6)()  # FS_MATRIX: a b c d e f
        self.matrix_at = ctypes.addressof(self.matrix)

    def drop(self, objs: set[int]) -> None:
        """Forget the chars of these text objects."""
        places = {self.order[obj] for obj in objs}
        picked = [k for k, key in enumerate(self.keys) if key not in places]
        self.out = [self.out[k] for k in picked]
        self.keys = [self.keys[k] for k in picked]

    def chars(self) -> list[dict]:
        """The chars in content-stream order."""
        keys, out = self.keys, self.out
        if keys != sorted(keys):
            out = [out[k] for k in sorted(range(len(out)), key=keys.__getitem__)]
        return out

    def font(self, font: int, raw: bytes) -> tuple[str, float, bool]:
        """(pdfminer's name, descent, vertical writing) of a font, from its name in pdfium (`raw`).
        A font that writes vertically (its CMap's WMode; one name may serve both ways) is one whose
        advance pdfium gives as the vertical one, which is negative."""
        named = self.named.get(font)
        if named is None:
            key = raw.decode("latin-1")
            descent, name = self.fonts.get(key) or self.fonts.get(key.split("+")[-1], (0.0, ""))
            if "+" not in key and "+" in name:
                # pdfium named the font without its subset prefix, which tells one subset from
                # another: the name is given without one rather than with another subset's
                head = name[:2] if name[:2] in ("b'", 'b"') else ""  # a byte string's repr
                name = head + name.split("+", 1)[1]
            vertical = _glyph_width(self.api, font, " ", 1000.0, 0.0) < 0
            named = self.named[font] = (name or _literal_name(raw), descent, vertical)
        return named

    def read(self, tp: int, only: set[int] | None = None) -> None:
        """Read a text page's chars (of the text objects `only`, when given)."""
        api, number, y_top = self.api, self.number, self.y_top
        n = api.Text_CountChars(tp)
        text = _page_text(api, tp, n)
        out, keys, spaced = self.out, self.keys, self.spaced
        rect = (ctypes.c_float * 4)()  # FS_RECTF: left, top, right, bottom
        rect_at = ctypes.addressof(rect)
        ox, oy = ctypes.c_double(), ctypes.c_double()
        ox_at, oy_at = ctypes.addressof(ox), ctypes.addressof(oy)
        get_object, get_origin, get_box = api.Text_GetTextObject, api.Text_GetCharOrigin, api.Text_GetLooseCharBox
        used, to_page = self.used, self.to_page
        # per text object: font name, descent, font handle, size, matrix (every char of an object has them)
        objs: dict[int, tuple] = {}
        last, key = 0, 0
        for i in range(n):
            obj = get_object(tp, i)
            if not obj:
                # pdfium infers spaces and line breaks (no text object); pdfminer has none. The spaces
                # of the content stream pdfium leaves out are blank text objects (_Texts.blanks).
                continue
            if obj != last:
                last, key = obj, self.order.get(obj, 1 << 30)
                used.add(obj)
            if only is not None and obj not in only:
                continue
            ch = text[i]
            if ch == "\ufffe":  # GetText's mark for a control char; GetUnicode has the code
                ch = chr(api.Text_GetUnicode(tp, i))
            if ch == "\x02" and api.Text_IsHyphen(tp, i):
                ch = "-"  # pdfium's code for a hyphen that ends a line (the char was - or its soft form)
            if ch in _NO_TEXT or "\ud800" <= ch <= "\udfff":
                continue
            if ch == " ":
                if api.Text_IsGenerated(tp, i):
                    continue  # a space pdfium infers inside a text object (from a TJ kerning gap): no char
                spaced.add(obj)
            info = objs.get(obj)
            if info is None:
                info = objs[obj] = self.object_info(tp, i, obj)
            name, descent, vertical, font, fs, ra, m, widths, unmapped = info
            get_origin(tp, i, ox_at, oy_at)
            if vertical:
                # pdfium's origin is pdfminer's box's lower left: (0, fs + adv) - (fs, fs) from it
                adv = _glyph_width(api, font, ch, fs, -fs)
                box = (0.0, fs + adv, fs, fs)
            else:
                if ra:  # upright or mirrored: the loose box's width is the advance...
                    get_box(tp, i, rect_at)
                    adv = (rect[2] - rect[0]) / ra
                    # ...unless the glyph's ink reaches past it (the box takes the ink's right edge)
                    w = widths.get(ch)
                    if w is None:
                        w = widths[ch] = _glyph_width(api, font, ch, 1000.0, 0.0)
                    width = w * 0.001 * fs  # pdfminer's arithmetic, for the font's width
                    if DEFAULT_OVERHANG * adv <= width <= adv + DEFAULT_WIDTH_SLACK * fs:
                        adv = width
                else:
                    adv = _glyph_width(api, font, ch, fs)
                box = (0.0, descent * fs, adv, (descent + 1.0) * fs)
            e, f = ox.value, oy.value
            if to_page:
                e, f = _apply(to_page, e, f)
            if unmapped and api.Text_HasUnicodeMapError(tp, i):
                # the font has no Unicode for this glyph: pdfium gives its code as the char (Latin
                # garbage), pdfminer "(cid:N)", which normalize reports and drops
                ch = f"(cid:{ord(ch)})"
            a, b, c, d = m
            if vertical or b or c:
                out.append(_char(ch, name, box, adv, m + (e, f), vertical, y_top, number))
            else:  # _char's arithmetic, inline for the common case
                x0, x1 = e, a * adv + e
                if x1 < x0:
                    x0, x1 = x1, x0
                y0, y1 = d * box[1] + f, d * box[3] + f
                if y1 < y0:
                    y0, y1 = y1, y0
                out.append({
                    "text": ch, "fontname": name, "size": y1 - y0, "adv": adv, "upright": a * d > 0,
                    "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": y_top - y1, "bottom": y_top - y0,
                    "doctop": y_top - y1, "width": x1 - x0, "height": y1 - y0, "matrix": (a, b, c, d, e, f),
                    "object_type": "char", "page_number": number,
                })
            keys.append(key)

    def object_info(self, tp: int, i: int, obj: int) -> tuple:
        """What every char of a text object shares: (font name, descent, vertical, font handle, size,
        a when the matrix neither turns nor skews else 0, (a, b, c, d) in page space, the font's
        widths read so far, whether its glyphs may lack Unicode), read at char i; font names are
        read once per font. A font with a glyph without Unicode has each of its chars checked."""
        api = self.api
        font = api.TextObj_GetFont(obj)
        named = self.named.get(font)
        if named is None:
            buf = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            size_n = api.Text_GetFontInfo(tp, i, buf, 256, ctypes.addressof(flags))
            named = self.font(font, buf.value if size_n else b"")
        fs = float(api.Text_GetFontSize(tp, i))
        api.Text_GetMatrix(tp, i, self.matrix_at)
        a, b, c, d = self.matrix[0], self.matrix[1], self.matrix[2], self.matrix[3]
        turned = b or c or abs(a) <= 1e-9
        if self.to_page:
            a, b, c, d = _mul((a, b, c, d, 0.0, 0.0), self.to_page)[:4]
        # a font's widths are kept for the document by handle and name (a name that says nothing,
        # a Type3 font's "unknown", only for the page: a handle may be reused by another font)
        key = (font, named[0]) if named[0] not in ("", "unknown") else (font, named[0], self.number)
        widths = self.widths.setdefault(key, {})
        if font not in self.unmapped and api.Text_HasUnicodeMapError(tp, i):
            self.unmapped.add(font)
        return (named[0], named[1], named[2], font, fs, 0.0 if turned else self.matrix[0], (a, b, c, d), widths,
                font in self.unmapped)

    def blank(self, seq: int, obj: int, ctm: tuple, span: float) -> None:
        """The spaces pdfminer gives for a blank text object, in its own font and size: at its
        origin, and at its last space's when the spaces lie `span` apart (the ones between are
        not known; spaces only split words)."""
        api = self.api
        font = api.TextObj_GetFont(obj)
        named = self.named.get(font)
        if named is None:
            buf = ctypes.create_string_buffer(256)
            size_n = api.Font_GetBaseFontName(font, buf, 256)
            named = self.font(font, buf.value if size_n else b"")
        size = ctypes.c_float()
        if not font or not api.TextObj_GetFontSize(obj, ctypes.addressof(size)):
            return
        fs = float(size.value)
        m = _mul(_obj_matrix(api, obj), ctm)
        name, descent, vertical = named
        adv = _glyph_width(api, font, " ", fs)
        box = (0.0, fs + adv, fs, fs) if vertical else (0.0, descent * fs, adv, (descent + 1.0) * fs)
        for dx in (0.0, span) if span else (0.0,):
            mx = _mul((1.0, 0.0, 0.0, 1.0, dx, 0.0), m) if dx else m
            self.out.append(_char(" ", name, box, adv, mx, vertical, self.y_top, self.number))
            self.keys.append(seq)


def _literal_name(raw: bytes) -> str:
    """pdfminer's text for a name: UTF-8, else the bytes' repr."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return str(raw)


def _glyph_width(api: Any, font: int | None, ch: str, fs: float, default: float | None = None) -> float:
    """The advance of `ch` at size fs in text space (a vertical font's: its vertical advance, < 0)."""
    w = ctypes.c_float()
    if font and api.Font_GetGlyphWidth(font, ord(ch), fs, ctypes.addressof(w)):
        return float(w.value)
    return fs if default is None else default


def font_table(path: str, pages: range | None = None) -> dict[str, tuple[float, str]]:
    """Font name (BaseFont or FontName, with and without the subset prefix) -> (pdfminer's descent per unit of
    size, pdfminer's font name). The descent is the FontDescriptor's Descent / 1000, negated when
    positive; a standard font's from its AFM metrics. pdfium's own descent differs (it reads the
    font program when the descriptor says 0); its font name is the BaseFont or the FontName,
    pdfminer's the descriptor's FontName.
    `pages`: only the fonts of these page indexes (all pages when None)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSLiteral, literal_name
    from pdfminer.pdftypes import resolve1

    out: dict[str, tuple[float, str]] = {}
    seen: set[int] = set()

    def name_of(v: Any) -> str:
        v = getattr(v, "name", v)
        if isinstance(v, bytes):
            v = v.decode("latin-1")
        return str(v or "")

    def font(spec: Any) -> None:
        spec = resolve1(spec)
        if not isinstance(spec, dict):
            return
        full = name_of(resolve1(spec.get("BaseFont")))
        if not full or full in out:
            return
        sub = name_of(resolve1(spec.get("Subtype")))
        desc = resolve1(spec.get("FontDescriptor"))
        if sub == "Type0":
            kids = resolve1(spec.get("DescendantFonts")) or []
            kid = resolve1(kids[0]) if kids else {}
            desc = resolve1(kid.get("FontDescriptor")) if isinstance(kid, dict) else None
        value = 0.0
        fontname: Any = "unknown"
        if isinstance(desc, dict):
            try:
                value = float(resolve1(desc.get("Descent", 0)) or 0)
            except (TypeError, ValueError):
                value = 0.0
            fontname = resolve1(desc.get("FontName", "unknown"))
        elif sub in ("Type1", "MMType1", "TrueType"):
            from pdfminer.fontmetrics import FONT_METRICS

            metrics = FONT_METRICS.get(full.split("+")[-1])
            if metrics:
                value = float(metrics[0].get("Descent", 0))
                fontname = metrics[0].get("FontName", "unknown")
        entry = ((-value if value > 0 else value) * 0.001,
                 str(literal_name(fontname) if isinstance(fontname, PSLiteral) else fontname))
        # pdfium names a font by its BaseFont or by its descriptor's FontName (a Type0 font's
        # BaseFont may add the CMap: ...-WinCharSetFFFF-H), with or without the subset prefix
        # (which tells apart subsets of one font): all are keys, the first font a key's
        out[full] = entry
        for key in (full.split("+")[-1], name_of(fontname), name_of(fontname).split("+")[-1]):
            out.setdefault(key, entry)

    def resources(res: Any, depth: int = 0) -> None:
        res = resolve1(res)
        if not isinstance(res, dict) or id(res) in seen or depth > 8:
            return
        seen.add(id(res))
        fonts = resolve1(res.get("Font"))
        if isinstance(fonts, dict):
            for spec in fonts.values():
                font(spec)
        xobjects = resolve1(res.get("XObject"))
        if isinstance(xobjects, dict):
            for x in xobjects.values():
                attrs = getattr(resolve1(x), "attrs", None)
                if isinstance(attrs, dict) and name_of(resolve1(attrs.get("Subtype"))) == "Form":
                    resources(attrs.get("Resources"), depth + 1)

    try:
        with open(path, "rb") as fh:
            for index, page in enumerate(PDFPage.create_pages(PDFDocument(PDFParser(fh)))):
                if pages is not None and index >= pages.stop:
                    break
                if pages is None or index in pages:
                    resources(page.resources)
    except Exception:
        pass
    return out


def _obj_matrix(api: Any, obj: int) -> tuple:
    fm = (ctypes.c_float * 6)()  # FS_MATRIX: a b c d e f
    if not api.PageObj_GetMatrix(obj, ctypes.addressof(fm)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return tuple(float(v) for v in fm)


class _Texts:
    """A page's text objects in content-stream order: `order` (object -> place), `objects` (place,
    object, the matrix of its forms, top-level or in a form)."""

    def __init__(self) -> None:
        self.order: dict[int, int] = {}
        self.objects: list[tuple[int, int, tuple, bool]] = []
        self.box = (ctypes.c_float * 4)()  # left, bottom, right, top
        at, step = ctypes.addressof(self.box), ctypes.sizeof(ctypes.c_float)
        self.box_at = (at, at + step, at + 2 * step, at + 3 * step)

    def bounds(self, api: Any, obj: int) -> tuple[float, float, float, float] | None:
        """pdfium's bounds of an object (left, bottom, right, top: in its form's space)."""
        if not api.PageObj_GetBounds(obj, *self.box_at):
            return None
        return (self.box[0], self.box[1], self.box[2], self.box[3])

    def blanks(self, api: Any, used: set[int], spaced: set[int]) -> tuple[list[tuple[int, int, tuple, float]], bool]:
        """The blank objects: (place, object, the matrix of its forms, span of its spaces); and
        whether a top-level object with ink has no char in the text page read (`used`).

        A text object that draws only spaces has no ink: its bounds have no area (their width is
        the span of its spaces' origins). pdfium leaves it out of its text page, or reads one
        space of it; pdfminer gives its spaces as chars. Measured over both PDF corpora: every
        space pdfplumber has between two chars of a line that pdfium only infers is such an
        object; the Japanese/Latin autospacing of LibreOffice and Word (gaps of 0.19-0.27 × the
        size, also inferred spaces in pdfium) has none. Only objects pdfium did not read, or read
        spaces of (`spaced`), are looked at."""
        out: list[tuple[int, int, tuple, float]] = []
        merged = False
        for seq, obj, ctm, top in self.objects:
            if obj in used and obj not in spaced:
                continue
            box = self.bounds(api, obj)
            if box is None:
                continue
            width, height = box[2] - box[0], box[3] - box[1]
            if width < 1e-4 or height < 1e-4:
                out.append((seq, obj, ctm, width if height < 1e-4 else 0.0))
            elif top and obj not in used:
                merged = True
        return out, merged

    def stackable(self, api: Any) -> list[tuple[int, float, float, float, float]]:
        """(object, left, bottom, right, top) of the page's own text objects with ink (_overprint_layers)."""
        out = []
        for _, obj, _, top in self.objects:
            box = self.bounds(api, obj) if top else None
            if box is not None and box[2] - box[0] >= 1e-4 and box[3] - box[1] >= 1e-4:
                out.append((obj,) + box)
        return out


def _walk(api: Any, page: int, form: int | None, ctm: tuple, objects: dict[str, list[dict]], number: int,
          x_off: float, y_top: float, depth: int, texts: _Texts) -> None:
    count = api.FormObj_CountObjects(form) if form is not None else api.Page_CountObjects(page)
    for k in range(count):
        obj = api.FormObj_GetObject(form, k) if form is not None else api.Page_GetObject(page, k)
        kind = api.PageObj_GetType(obj)
        if kind == _OBJ_TEXT:
            seq = texts.order[obj] = len(texts.order)
            texts.objects.append((seq, obj, ctm, form is None))
        elif kind == _OBJ_PATH:
            _path(api, obj, _mul(_obj_matrix(api, obj), ctm), objects, number, y_top)
        elif kind == _OBJ_IMAGE:
            m = _mul(_obj_matrix(api, obj), ctm)
            pts = [_apply(m, 0, 0), _apply(m, 1, 0), _apply(m, 0, 1), _apply(m, 1, 1)]
            x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
            y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
            objects["image"].append({"x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": y_top - y1, "bottom": y_top - y0,
                                     "doctop": y_top - y1, "width": x1 - x0, "height": y1 - y0,
                                     "object_type": "image", "page_number": number})
        elif kind == _OBJ_FORM and depth < 12:
            _walk(api, page, obj, _mul(_obj_matrix(api, obj), ctm), objects, number, x_off, y_top, depth + 1, texts)


def _path(api: Any, obj: int, m: tuple, objects: dict[str, list[dict]], number: int, y_top: float) -> None:
    modes = (ctypes.c_int * 2)()  # fill mode, stroke
    api.Path_GetDrawMode(obj, ctypes.addressof(modes), ctypes.addressof(modes) + ctypes.sizeof(ctypes.c_int))
    fill, stroke = modes[0], modes[1]
    if not fill and not stroke:
        return
    width = ctypes.c_float()
    lw = float(width.value) if api.PageObj_GetStrokeWidth(obj, ctypes.addressof(width)) else 1.0
    n = api.Path_CountSegments(obj)
    xy = (ctypes.c_float * 2)()
    x_at, y_at = ctypes.addressof(xy), ctypes.addressof(xy) + ctypes.sizeof(ctypes.c_float)
    get_segment, get_point = api.Path_GetPathSegment, api.PathSegment_GetPoint
    get_type, get_close = api.PathSegment_GetType, api.PathSegment_GetClose
    a, b, c, d, e, f = m
    # pdfminer's shape string: m / l / c (three points) / h, with the points through the matrix
    subpaths: list[list[tuple[str, list[tuple[float, float]]]]] = []
    pending_bezier: list[tuple[float, float]] = []
    for i in range(n):
        seg = get_segment(obj, i)
        get_point(seg, x_at, y_at)
        x, y = xy[0], xy[1]
        pt = (a * x + c * y + e, b * x + d * y + f)
        t = get_type(seg)
        if t == _SEG_MOVETO:
            subpaths.append([("m", [pt])])
        elif not subpaths:
            continue
        elif t == _SEG_LINETO:
            subpaths[-1].append(("l", [pt]))
        elif t == _SEG_BEZIERTO:
            pending_bezier.append(pt)
            if len(pending_bezier) == 3:
                subpaths[-1].append(("c", pending_bezier))
                pending_bezier = []
            else:
                continue
        if subpaths and get_close(seg):
            subpaths[-1].append(("h", [subpaths[-1][0][1][0]]))
    for sub in subpaths:
        _classify(sub, bool(stroke), bool(fill), lw, objects, number, y_top)


def _classify(path: list[tuple[str, list[tuple[float, float]]]], stroke: bool, fill: bool, lw: float,
              objects: dict[str, list[dict]], number: int, y_top: float) -> None:
    shape = "".join(op for op, _ in path)
    pts = [p[-1] for _, p in path]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    kind = "curve"
    if shape in ("mlh", "ml"):
        kind = "line"
        pts = pts[:2]
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                 or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            kind = "rect"
            (ax, ay), (bx, by) = pts[0], pts[2]
            pts = [(ax, ay), (bx, ay), (bx, by), (ax, by)]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    objects[kind].append({
        "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": y_top - y1, "bottom": y_top - y0, "doctop": y_top - y1,
        "width": x1 - x0, "height": y1 - y0, "stroke": stroke, "fill": fill, "linewidth": lw,
        "pts": [(px, y_top - py) for px, py in pts], "object_type": kind, "page_number": number,
    })
