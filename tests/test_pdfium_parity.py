"""The pdfium engine gives pdfminer's chars (pipeline/ingest/pdf_pdfium.py), one mechanism each.

Each case is a page whose chars once differed between the engines, named after what made them
differ. The pages of tests/fixtures/pdf always run; those of ../shared are skipped when it is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
SHARED = ROOT.parent / "shared"


def _open(path: Path, index: int):
    import pdfplumber

    from pipeline.ingest.pdf_pdfium import PdfiumDocument

    if not path.exists():
        pytest.skip(f"{path} is absent")
    with pdfplumber.open(str(path)) as pdf, PdfiumDocument(str(path)) as doc:
        ref = pdf.pages[index]
        return ref, ref.chars, (ref.width, ref.height), doc.page(index)


def _key(c: dict) -> tuple:
    """What a char is to the pipeline: text, upright, font (its subset prefix aside: pdfium may name
    a font without it) and the numbers of its box and size."""
    return (c["text"], c["upright"], c["fontname"].split("+")[-1],
            (c["x0"], c["x1"], c["top"], c["bottom"], c["size"]))


def _same(a: list[tuple], b: list[tuple]) -> bool:
    """Chars alike, their numbers within float error (pdfium's are single-precision)."""
    return len(a) == len(b) and all(x[:3] == y[:3] and all(abs(u - v) <= 0.01 for u, v in zip(x[3], y[3]))
                                    for x, y in zip(a, b))


def _lines(page) -> list[str]:
    page = page.dedupe_chars(tolerance=1, extra_attrs=())
    return [ln["text"] for ln in page.extract_text_lines(strip=True)]


# (pdf, page index, what the page holds). The chars compared are all the page's non-space ones; on
# dp2020_02 p.12 only the vertical ones (VERTICAL_ONLY): its lines of Word text use char spacing,
# which pdfminer drops after a string's last char (pdf_pdfium's docstring: left as pdfium has it).
VERTICAL_ONLY = "one font name writing both ways"
SAME_CHARS = [
    (FIXTURES / "sumida" / "2019-plan.pdf", 7, "spaces in text objects without ink (組織 役割)"),
    (FIXTURES / "koto" / "2020-plan-summary.pdf", 0, "LibreOffice's Japanese/Latin autospacing (令和2年度)"),
    (FIXTURES / "ota" / "2021-plan-summary.pdf", 5, "Japanese/Latin autospacing (職員のICTリテラシー)"),
    (SHARED / "real-pdf" / "cio-jp" / "dp2020_02.pdf", 15, "Word's autospacing (千代田区IT推進課長)"),
    (SHARED / "real-pdf" / "otoineppu" / "otoineppu_jinko.pdf", 6, "spaces pdfium infers from TJ kerning (2008年)"),
    (SHARED / "real-pdf" / "otoineppu" / "otoineppu_jinko.pdf", 4, "a page with /Rotate 90"),
    (SHARED / "real-pdf" / "otoineppu" / "otoineppu_jinko.pdf", 44, "a blank object with spaces apart (20 15年)"),
    (SHARED / "real-pdf" / "cio-jp" / "dp2020_02.pdf", 11, VERTICAL_ONLY),
    (SHARED / "real-pdf" / "cio-jp" / "dp2021_06_att.pdf", 16, "vertical writing and turned text"),
    (SHARED / "real-pdf" / "cio-jp" / "dp2021_06_att.pdf", 18, "a line-ending hyphen; glyphs whose ink passes the advance"),
]


@pytest.mark.parametrize("path,index,what", SAME_CHARS, ids=[c[2] for c in SAME_CHARS])
def test_pdfium_page_has_pdfminers_chars_and_lines(path: Path, index: int, what: str) -> None:
    """Every non-space char the same (text, box, size, upright, font name), in the same order, the
    page the same size, and the same text lines (where the spaces show)."""
    ref, chars, size, ours = _open(path, index)
    assert (float(ours.width), float(ours.height)) == pytest.approx(size)
    picked = (lambda c: c["adv"] < 0) if what == VERTICAL_ONLY else (lambda c: True)  # noqa: E731
    a = [_key(c) for c in chars if not c["text"].isspace() and picked(c)]
    b = [_key(c) for c in ours.chars if not c["text"].isspace() and picked(c)]
    assert a
    assert _same(a, b), next(((x, y) for x, y in zip(a, b) if not _same([x], [y])), (len(a), len(b)))
    assert _lines(ref) == _lines(ours)


def test_pdfium_reads_the_copies_of_overprinted_objects() -> None:
    """Fake bold (each line drawn four times, a quarter point apart): pdfium keeps one copy of a
    glyph drawn over itself, pdfminer every copy. The engine reads the copies of separate objects,
    so that the page still shows merged overprinting (drawn > kept) and the same chars survive
    pdfplumber's dedupe; copies inside one object stay merged (fewer drawn)."""
    ref, chars, _, ours = _open(SHARED / "real-pdf" / "otoineppu" / "otoineppu_jinko.pdf", 7)
    drawn = [sum(1 for c in cs if not c["text"].isspace()) for cs in (chars, ours.chars)]
    kept = [sum(1 for c in p.dedupe_chars(tolerance=1, extra_attrs=()).chars if not c["text"].isspace())
            for p in (ref, ours)]
    assert kept[0] == kept[1] < drawn[1] <= drawn[0]
    assert drawn[1] >= 0.98 * drawn[0]
    assert _lines(ref) == _lines(ours)


def test_pdfium_engine_leaves_the_page_as_it_was() -> None:
    """Reading the copies takes objects off the page and puts them back: reading a page twice
    gives the same chars."""
    from pipeline.ingest.pdf_pdfium import PdfiumDocument

    path = SHARED / "real-pdf" / "otoineppu" / "otoineppu_jinko.pdf"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with PdfiumDocument(str(path)) as doc:
        first = [_key(c) for c in doc.page(7).chars]
        assert first == [_key(c) for c in doc.page(7).chars]
