"""The pdfium engine's page objects: the content walked through every form's matrix, paths split
and classified as pdfminer does (lines, rects, curves), images, and the text objects' order and
bounds (for chars in content-stream order, blank objects and overprinted copies)."""
from __future__ import annotations

import ctypes
import struct
from typing import Any

from .pdfium_api import apply as _apply, mul as _mul, obj_matrix as _obj_matrix

_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE, _OBJ_SHADING, _OBJ_FORM = 1, 2, 3, 4, 5
_SEG_LINETO, _SEG_BEZIERTO, _SEG_MOVETO = 0, 1, 2

class TextObjects:
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


def walk_objects(api: Any, page: int, form: int | None, ctm: tuple, objects: dict[str, list[dict]], number: int,
          x_off: float, y_top: float, depth: int, texts: TextObjects) -> None:
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
            walk_objects(api, page, obj, _mul(_obj_matrix(api, obj), ctm), objects, number, x_off, y_top, depth + 1, texts)


def _path(api: Any, obj: int, m: tuple, objects: dict[str, list[dict]], number: int, y_top: float) -> None:
    modes = (ctypes.c_int * 2)()  # fill mode, stroke
    api.Path_GetDrawMode(obj, ctypes.addressof(modes), ctypes.addressof(modes) + ctypes.sizeof(ctypes.c_int))
    fill, stroke = modes[0], modes[1]
    if not fill and not stroke:
        return
    width = ctypes.c_float()
    lw = float(width.value) if api.PageObj_GetStrokeWidth(obj, ctypes.addressof(width)) else 1.0
    n = api.Path_CountSegments(obj)
    a, b, c, d, e, f = m
    # pdfminer's shape string per subpath: m / l / c (three points) / h, and each op's last point
    # through the matrix (an h's is the subpath's first)
    subpaths: list[tuple[list[str], list[tuple[float, float]]]] = []
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    pending_bezier: list[tuple[float, float]] = []
    for x, y, t, close in _segments(api, obj, n):
        pt = (a * x + c * y + e, b * x + d * y + f)
        if t == _SEG_MOVETO:
            ops, pts = ["m"], [pt]
            subpaths.append((ops, pts))
        elif not subpaths:
            continue
        elif t == _SEG_LINETO:
            ops.append("l")
            pts.append(pt)
        elif t == _SEG_BEZIERTO:
            pending_bezier.append(pt)
            if len(pending_bezier) == 3:
                ops.append("c")
                pts.append(pt)
                pending_bezier = []
            else:
                continue
        if subpaths and close:
            ops.append("h")
            pts.append(pts[0])
    for sub_ops, sub_pts in subpaths:
        _classify("".join(sub_ops), sub_pts, bool(stroke), bool(fill), lw, objects, number, y_top)


# A path segment handle is the address of pdfium's CFX_Path::Point in the path's point array
# (core/fxge/cfx_path.h: float x, y; uint8 type; bool close; padded to 12 bytes). Read in one
# block, a path of n segments costs three calls instead of four per segment (a chart draws as many
# segments as a page has chars). Used only when the handles are that far apart and the last
# point read through the API is the same, else segment by segment.
_POINT = struct.Struct("<ffBB2x")


def _segments(api: Any, obj: int, n: int) -> list[tuple[float, float, int, int]]:
    """(x, y, type, closes) of a path's segments, in the path's space."""
    first = api.Path_GetPathSegment(obj, 0) if n else None
    if n > 1 and first:
        last = api.Path_GetPathSegment(obj, n - 1)
        if last and last - first == _POINT.size * (n - 1):
            points = list(_POINT.iter_unpack(ctypes.string_at(first, _POINT.size * n)))
            if points[-1] == _segment(api, last):
                return points
    return [_segment(api, api.Path_GetPathSegment(obj, i)) for i in range(n)]


def _segment(api: Any, seg: int) -> tuple[float, float, int, int]:
    xy = (ctypes.c_float * 2)()
    at = ctypes.addressof(xy)
    api.PathSegment_GetPoint(seg, at, at + ctypes.sizeof(ctypes.c_float))
    return (xy[0], xy[1], api.PathSegment_GetType(seg), 1 if api.PathSegment_GetClose(seg) else 0)


def _classify(shape: str, pts: list[tuple[float, float]], stroke: bool, fill: bool, lw: float,
              objects: dict[str, list[dict]], number: int, y_top: float) -> None:
    """A subpath as pdfminer classifies it (`shape`: its ops, `pts`: each op's last point)."""
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
