"""pdfium's C functions for the pdfium engine (pdf_pdfium.py), and the matrix arithmetic it shares."""
from __future__ import annotations

import ctypes
from functools import lru_cache
from typing import Any


class Api:
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
def api() -> Any:
    return Api()


def handle(obj: Any) -> int:
    """A pypdfium2 handle (typed pointer) as the int _Api takes."""
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


def mul(m: tuple, n: tuple) -> tuple:
    """m then n (PDF row-vector convention: p' = p × m × n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def obj_matrix(api: Any, obj: int) -> tuple:
    fm = (ctypes.c_float * 6)()  # FS_MATRIX: a b c d e f
    if not api.PageObj_GetMatrix(obj, ctypes.addressof(fm)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return tuple(float(v) for v in fm)
