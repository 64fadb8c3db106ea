"""The pdfium engine's chars: a page's text read through pdfium into pdfminer's char objects
(see pdf_pdfium.py for what gives pdfminer's numbers), and the document's font table."""
from __future__ import annotations

import ctypes
from typing import Any, cast

from .pdfium_api import apply as _apply, mul as _mul, obj_matrix as _obj_matrix


# Codes pdfium gives for a char it has no unicode for (left out, as pdfminer's (cid:n) never match).
_NO_TEXT = {"\ufffe", "\uffff", "\x00"}
# The chars read() looks at more closely (control marks, hyphens, no text, spaces).
_SPECIAL = _NO_TEXT | {"\x02", " "}


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


class GlyphMemo:
    """What a document's glyphs have shown so far, for all its pages: each font's advance widths
    and, per font and orientation, the glyphs whose loose box agreed with their width (their box,
    a call per char, is not asked again: the same glyph of the same font gives the same answer)."""

    def __init__(self) -> None:
        # (font handle, pdfminer's name) -> char -> advance per 1000 of the size
        self.widths: dict[tuple, dict[str, float]] = {}
        # (id of a font's widths, upright, size > 0) -> the chars whose box agreed
        self.agreed: dict[tuple, set[str]] = {}


class CharReader:
    """A page's chars, read from one or more text pages, put in content-stream order (pdfminer's:
    pdfium orders a line's objects by position) by their text object's place among the page's."""

    def __init__(self, api: Any, number: int, y_top: float, fonts: dict[str, tuple[float, str]],
                 order: dict[int, int], to_page: tuple, glyphs: GlyphMemo | None = None):
        self.api, self.number, self.y_top, self.fonts, self.order = api, number, y_top, fonts, order
        self.to_page = None if to_page == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0) else to_page
        self.out: list[dict] = []
        self.keys: list[int] = []  # per char: its text object's place in the content stream
        self.spaced: set[int] = set()  # text objects with a space char in a text page read
        self.used: set[int] = set()  # text objects with chars in a text page read
        self.named: dict[int, tuple[str, float, bool]] = {}  # font handle -> (pdfminer's name, descent, vertical)
        self.unmapped: set[int] = set()  # font handles with a glyph that has no Unicode
        glyphs = GlyphMemo() if glyphs is None else glyphs
        self.widths, self.agreed = glyphs.widths, glyphs.agreed
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
        used, to_page, agreed_of = self.used, self.to_page, self.agreed
        # per text object: font name, descent, font handle, size, matrix (every char of an object has them)
        objs: dict[int, tuple] = {}
        last, key, skip, info_of = 0, 0, False, 0
        # (set at each object's first char kept, before any use)
        name, descent, vertical, font, fs, ra, unmapped = "", 0.0, False, 0, 0.0, 0.0, False
        m: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 1.0)
        a, b, c, d, low, high, plain, upright = 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, True, True
        box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
        widths: dict[str, float] = {}
        agreed: set[str] = set()
        for i in range(n):
            obj = get_object(tp, i)
            if not obj:
                # pdfium infers spaces and line breaks (no text object); pdfminer has none. The spaces
                # of the content stream pdfium leaves out are blank text objects (TextObjects.blanks).
                continue
            if obj != last:
                last, key = obj, self.order.get(obj, 1 << 30)
                used.add(obj)
                skip = only is not None and obj not in only
            if skip:
                continue
            ch = text[i]
            if ch in _SPECIAL:
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
            elif "\ud800" <= ch <= "\udfff":
                continue
            if obj != info_of:  # read at the object's first char kept (its Unicode map is checked there)
                info_of = obj
                info = objs.get(obj)
                if info is None:
                    info = objs[obj] = self.object_info(tp, i, obj)
                name, descent, vertical, font, fs, ra, m, widths, unmapped = info
                # the glyphs whose loose box agreed with the font's width at this orientation
                agreed = agreed_of.setdefault((id(widths), ra > 0, fs > 0), set())
                a, b, c, d = m
                plain = not (vertical or b or c)  # neither turned nor skewed nor vertical
                if plain:  # _char's y arithmetic, the part every char of the object shares
                    low, high = d * (descent * fs), d * ((descent + 1.0) * fs)
                    if high < low:
                        low, high = high, low
                    upright = a * d > 0
            get_origin(tp, i, ox_at, oy_at)
            if vertical:
                # pdfium's origin is pdfminer's box's lower left: (0, fs + adv) - (fs, fs) from it
                adv = _glyph_width(api, font, ch, fs, -fs)
                box = (0.0, fs + adv, fs, fs)
            else:
                if ra:  # upright or mirrored: the loose box's width is the advance...
                    w = widths.get(ch)
                    if w is None:
                        w = widths[ch] = _glyph_width(api, font, ch, 1000.0, 0.0)
                    width = w * 0.001 * fs  # pdfminer's arithmetic, for the font's width
                    if ch in agreed:
                        adv = width  # this glyph's box agreed with the font before: no need to ask
                    else:
                        get_box(tp, i, rect_at)
                        adv = (rect[2] - rect[0]) / ra
                        # ...unless the glyph's ink reaches past it (the box takes the ink's right edge)
                        if DEFAULT_OVERHANG * adv <= width <= adv + DEFAULT_WIDTH_SLACK * fs:
                            adv = width
                            agreed.add(ch)
                else:
                    adv = _glyph_width(api, font, ch, fs)
                if not plain:
                    box = (0.0, descent * fs, adv, (descent + 1.0) * fs)
            e, f = ox.value, oy.value
            if to_page:
                e, f = _apply(to_page, e, f)
            if unmapped and api.Text_HasUnicodeMapError(tp, i):
                # the font has no Unicode for this glyph: pdfium gives its code as the char (Latin
                # garbage), pdfminer "(cid:N)", which normalize reports and drops
                ch = f"(cid:{ord(ch)})"
            if not plain:
                out.append(_char(ch, name, box, adv, m + (e, f), vertical, y_top, number))
            else:  # _char's arithmetic, inline for the common case
                x0, x1 = e, a * adv + e
                if x1 < x0:
                    x0, x1 = x1, x0
                # = d * box[1] + f, d * box[3] + f in order: adding f keeps the order (or makes them equal)
                y0, y1 = low + f, high + f
                out.append({
                    "text": ch, "fontname": name, "size": y1 - y0, "adv": adv, "upright": upright,
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
                value = float(cast(float, metrics[0].get("Descent", 0)))
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
