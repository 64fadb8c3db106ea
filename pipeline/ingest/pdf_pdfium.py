"""The pdfium engine: a PDF's pages read through pypdfium2 (pdfium's Python binding) into the
objects pdfplumber builds from pdfminer, so that everything downstream is shared.

`PdfiumPage` is a `pdfplumber.page.Page` whose objects (chars, rects, lines, curves, images) come
from pdfium instead of pdfminer's interpreter (where ~80 % of the pdfplumber engine's time goes).
Its `dedupe_chars`, `filter`, `find_tables` (pdfplumber's own TableFinder: edges → intersections
→ cells → tables) and `extract_text_lines` are pdfplumber's code, run on those objects.

What it takes to give pdfminer's numbers (pdfplumber is the reference, `--pdf-engine pdfplumber`):
- a char's x0/x1 are pdfium's loose box (origin + advance width × the matrix's horizontal scale);
- its size is the Tf size × the text matrix's vertical scale (pdfium's raw size can be 1.0), and
  top/bottom come from the baseline with pdfminer's descent rule (the FontDescriptor's Descent,
  negated when positive; pdfium's own glyph boxes are off by 0.13–0.26 × size);
- characters pdfium generates (spaces and line breaks it infers) are left out; pdfminer has none;
- paths are split into subpaths and classified as pdfminer does (line: `ml`/`mlh`, rect: a closed
  axis-aligned `mlllh`, everything else a curve), in page coordinates through every form's matrix.
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
        "FPDFText_GetCharOrigin": (ctypes.c_int, "V", ctypes.c_int, "V", "V"),
        "FPDFText_GetLooseCharBox": (ctypes.c_int, "V", ctypes.c_int, "V"),
        "FPDFText_GetMatrix": (ctypes.c_int, "V", ctypes.c_int, "V"),
        "FPDFText_GetFontSize": (ctypes.c_double, "V", ctypes.c_int),
        "FPDFText_GetFontInfo": (ctypes.c_ulong, "V", ctypes.c_int, "V", ctypes.c_ulong, "V"),
        "FPDFTextObj_GetFont": ("V", "V"),
        "FPDFFont_GetGlyphWidth": (ctypes.c_int, "V", ctypes.c_uint, ctypes.c_float, "V"),
        "FPDFPage_CountObjects": (ctypes.c_int, "V"),
        "FPDFPage_GetObject": ("V", "V", ctypes.c_int),
        "FPDFFormObj_CountObjects": (ctypes.c_int, "V"),
        "FPDFFormObj_GetObject": ("V", "V", ctypes.c_ulong),
        "FPDFPageObj_GetType": (ctypes.c_int, "V"),
        "FPDFPageObj_GetMatrix": (ctypes.c_int, "V", "V"),
        "FPDFPageObj_GetStrokeWidth": (ctypes.c_int, "V", "V"),
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

    def __init__(self, page_number: int, width: float, height: float, objects: dict[str, list[dict]]):
        self.pdf = None
        self.root_page = self
        self.page_obj = None
        self.page_number = page_number
        self.initial_doctop = 0
        self.rotation = 0
        self.mediabox = (0, 0, width, height)
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
        """`pages`: the page indexes that will be read (their fonts' descents are looked up)."""
        import pypdfium2 as pdfium

        self._pdf = pdfium.PdfDocument(path)
        self._path = path
        self._pages = pages
        self._descents: dict[str, float] | None = None

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
            if self._descents is None:
                self._descents = font_descents(self._path, self._pages)
            return read_page(page, index + 1, self._descents)
        finally:
            page.close()


def read_page(page: Any, number: int, descents: dict[str, float] | None = None) -> PdfiumPage:
    """pdfplumber-style objects of one pypdfium2 page."""
    api = _api()
    left, bottom, right, top = page.get_mediabox()
    width, height = right - left, top - bottom
    x_off, y_top = left, top  # pdfplumber measures from the mediabox's top-left corner
    objects: dict[str, list[dict]] = {"char": [], "rect": [], "line": [], "curve": [], "image": []}
    textpage = page.get_textpage()
    try:
        objects["char"] = _chars(api, _handle(textpage.raw), number, x_off, y_top, descents or {})
    finally:
        textpage.close()
    _walk(api, _handle(page.raw), None, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), objects, number, x_off, y_top, 0)
    for kind in [k for k, v in objects.items() if not v]:
        del objects[kind]
    return PdfiumPage(number, float(width), float(height), objects)


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


def _chars(api: Any, tp: int, number: int, x_off: float, y_top: float, descents: dict[str, float]) -> list[dict]:
    n = api.Text_CountChars(tp)
    text = _page_text(api, tp, n)
    out: list[dict] = []
    rect = (ctypes.c_float * 4)()  # FS_RECTF: left, top, right, bottom
    rect_at = ctypes.addressof(rect)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_at, oy_at = ctypes.addressof(ox), ctypes.addressof(oy)
    # per text object: font name, descent, font handle, size, matrix (every char of an object has
    # them, but for the spaces pdfium adds inside an object, which have their own)
    objs: dict[int, tuple] = {}
    object_info = _ObjectInfo(api, tp, descents)
    get_object, get_origin, get_box = api.Text_GetTextObject, api.Text_GetCharOrigin, api.Text_GetLooseCharBox
    prev: dict | None = None
    for i in range(n):
        obj = get_object(tp, i)
        ch = text[i]
        if not obj:
            # pdfium infers spaces and line breaks; pdfminer has none. But pdfium also reports some
            # real spaces (in the content stream) this way: those whose gap is the font's space width.
            if ch == " " and prev is not None and i + 1 < n and get_object(tp, i + 1):
                space = _real_space(api, tp, i, prev)
                if space is not None:
                    out.append(space)
            continue
        if ch == "\ufffe":  # GetText's mark for a control char; GetUnicode has the code
            ch = chr(api.Text_GetUnicode(tp, i))
        if ch in _NO_TEXT or "\ud800" <= ch <= "\udfff":
            continue
        if ch == " ":
            info = object_info(i, obj)
        else:
            info = objs.get(obj)
            if info is None:
                info = objs[obj] = object_info(i, obj)
        name, descent, font, fs, a, b, c, d, upright = info
        get_origin(tp, i, ox_at, oy_at)
        if abs(a) > 1e-9:
            get_box(tp, i, rect_at)
            adv = (rect[2] - rect[0]) / a
        else:
            adv = _glyph_width(api, font, ch, fs)
        e, f = ox.value, oy.value
        # pdfminer: the box (0, descent, adv, descent + size) in text space through the matrix
        y_lo = descent * fs
        y_hi = y_lo + fs
        if not b and not c:  # no rotation or skew: the corners are the extremes
            x0, x1 = e, a * adv + e
            if x1 < x0:
                x0, x1 = x1, x0
            y0, y1 = d * y_lo + f, d * y_hi + f
            if y1 < y0:
                y0, y1 = y1, y0
        else:
            xs = (c * y_lo + e, a * adv + c * y_lo + e, c * y_hi + e, a * adv + c * y_hi + e)
            ys = (d * y_lo + f, b * adv + d * y_lo + f, d * y_hi + f, b * adv + d * y_hi + f)
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        prev = {
            "text": ch, "fontname": name, "size": y1 - y0, "adv": adv, "upright": upright,
            "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": y_top - y1, "bottom": y_top - y0, "doctop": y_top - y1,
            "width": x1 - x0, "height": y1 - y0, "matrix": (a, b, c, d, e, f), "object_type": "char",
            "page_number": number,
        }
        out.append(prev)
    return out


class _ObjectInfo:
    """What every char of a text object shares: (font name, descent, font handle, size, a, b, c, d,
    upright), read at char i; font names are read once per font."""

    def __init__(self, api: Any, tp: int, descents: dict[str, float]):
        self.api, self.tp, self.descents = api, tp, descents
        self.fonts: dict[int, tuple[str, float]] = {}
        self.matrix = (ctypes.c_float * 6)()  # FS_MATRIX: a b c d e f
        self.matrix_at = ctypes.addressof(self.matrix)

    def __call__(self, i: int, obj: int) -> tuple:
        api, tp = self.api, self.tp
        font = api.TextObj_GetFont(obj)
        named = self.fonts.get(font)
        if named is None:
            buf = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            size_n = api.Text_GetFontInfo(tp, i, buf, 256, ctypes.addressof(flags))
            name = buf.value.decode("utf-8", "replace") if size_n else ""
            named = self.fonts[font] = (name, self.descents.get(name.split("+")[-1], 0.0))
        fs = float(api.Text_GetFontSize(tp, i))
        api.Text_GetMatrix(tp, i, self.matrix_at)
        a, b, c, d = self.matrix[0], self.matrix[1], self.matrix[2], self.matrix[3]
        return (named[0], named[1], font, fs, a, b, c, d, a * d > 0 and b * c <= 0)


def _glyph_width(api: Any, font: int | None, ch: str, fs: float) -> float:
    w = ctypes.c_float()
    if font and api.Font_GetGlyphWidth(font, ord(ch), fs, ctypes.addressof(w)):
        return float(w.value)
    return fs


# pdfium reports some real spaces of the content stream as inferred ones (a text object's
# trailing space, replaced by the space it infers from the gap). Only a gap narrower than
# pdfplumber's word tolerance decides anything (a wider one splits the words anyway); there a real
# space fills this share of the size (measured over both PDF corpora: 0.24–0.31; LibreOffice's
# Japanese/Latin autospacing, which is no character, mostly 0.19–0.23).
DEFAULT_SPACE_GAP = (0.235, 0.32)
DEFAULT_WORD_TOLERANCE = 3.0


def _real_space(api: Any, tp: int, i: int, prev: dict) -> dict | None:
    """The content stream's space at pdfium's inferred space `i`, or None when pdfium made it up."""
    a, b, c, d, _, f = prev["matrix"]
    if not prev["upright"] or b or c:
        return None
    size = prev["size"]
    ox, oy = ctypes.c_double(), ctypes.c_double()
    api.Text_GetCharOrigin(tp, i + 1, ctypes.addressof(ox), ctypes.addressof(oy))
    if abs(float(oy.value) - f) > 0.1 * size or size <= 0:
        return None  # the next char is on another line
    gap = float(ox.value) - prev["x1"]
    if gap >= DEFAULT_WORD_TOLERANCE or not DEFAULT_SPACE_GAP[0] <= gap / size <= DEFAULT_SPACE_GAP[1]:
        return None
    x0 = prev["x1"]
    return dict(prev, text=" ", adv=gap / a, x0=x0, x1=x0 + gap, width=gap, matrix=(a, b, c, d, x0, f))


def font_descents(path: str, pages: range | None = None) -> dict[str, float]:
    """Font name (subset prefix removed) -> pdfminer's descent per unit of size: the
    FontDescriptor's Descent / 1000, negated when positive; a standard font's from its AFM metrics.
    pdfium's own descent differs (it reads the font program when the descriptor says 0).
    `pages`: only the fonts of these page indexes (all pages when None)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    out: dict[str, float] = {}
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
        name = name_of(resolve1(spec.get("BaseFont"))).split("+")[-1]
        if not name or name in out:
            return
        sub = name_of(resolve1(spec.get("Subtype")))
        desc = resolve1(spec.get("FontDescriptor"))
        if sub == "Type0":
            kids = resolve1(spec.get("DescendantFonts")) or []
            kid = resolve1(kids[0]) if kids else {}
            desc = resolve1(kid.get("FontDescriptor")) if isinstance(kid, dict) else None
        value = 0.0
        if isinstance(desc, dict):
            try:
                value = float(resolve1(desc.get("Descent", 0)) or 0)
            except (TypeError, ValueError):
                value = 0.0
        elif sub in ("Type1", "MMType1", "TrueType"):
            from pdfminer.fontmetrics import FONT_METRICS

            metrics = FONT_METRICS.get(name)
            if metrics:
                value = float(metrics[0].get("Descent", 0))
        out[name] = (-value if value > 0 else value) * 0.001

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


def _walk(api: Any, page: int, form: int | None, ctm: tuple, objects: dict[str, list[dict]], number: int,
          x_off: float, y_top: float, depth: int) -> None:
    count = api.FormObj_CountObjects(form) if form is not None else api.Page_CountObjects(page)
    for k in range(count):
        obj = api.FormObj_GetObject(form, k) if form is not None else api.Page_GetObject(page, k)
        kind = api.PageObj_GetType(obj)
        if kind == _OBJ_PATH:
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
            _walk(api, page, obj, _mul(_obj_matrix(api, obj), ctm), objects, number, x_off, y_top, depth + 1)


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
