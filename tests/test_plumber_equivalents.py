"""pipeline/ingest/plumber_equivalents.py gives what pdfplumber's own functions give, on every page
of the PDF fixtures and both PDF corpora, through both engines' page objects: the deduped chars
(the same dicts in the same order), the text lines (same text, box and chars), the page's text (`extract_text`), the page's edges,
the cells' grouping into tables, the tables (same cells, same bounding boxes) and each table's
cell texts (`Table.extract`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pdfplumber.table import TableFinder, cells_to_tables
from pdfplumber.utils import dedupe_chars, extract_text, filter_edges

from pipeline.ingest import plumber_equivalents as plumber
from pipeline.ingest.pdf import DEFAULT_DEDUPE_TOLERANCE
from pipeline.ingest.pdf_pdfium import PdfiumDocument, PdfiumPage

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FOLDERS = [ROOT / "tests" / "fixtures" / "pdf", SHARED / "corpus-pdf", SHARED / "real-pdf"]


def _pdfs() -> list[Path]:
    return sorted(p for folder in FOLDERS if folder.is_dir() for p in folder.rglob("*.pdf"))


def _compare_page(page, where: str) -> int:
    """Assert the equivalents on one page; the number of tables compared."""
    ours = plumber.dedupe_chars(page, DEFAULT_DEDUPE_TOLERANCE).chars
    theirs = page.dedupe_chars(tolerance=DEFAULT_DEDUPE_TOLERANCE, extra_attrs=()).chars
    assert [id(c) for c in ours] == [id(c) for c in theirs], f"{where}: deduped chars differ"
    lines = [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"], [id(c) for c in ln["chars"]])
             for ln in plumber.text_lines(page.chars)]
    assert lines == [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"], [id(c) for c in ln["chars"]])
                     for ln in page.extract_text_lines(strip=True, return_chars=True)], f"{where}: text lines differ"
    assert plumber.text_of(page.chars) == extract_text(page.chars), f"{where}: page text differs"
    vertical, horizontal = plumber.page_edges(page, 1)
    assert vertical == filter_edges(page.edges, "v", min_length=1), f"{where}: vertical edges differ"
    assert horizontal == filter_edges(page.edges, "h", min_length=1), f"{where}: horizontal edges differ"
    cells = TableFinder(page).cells
    assert plumber.cells_to_tables(cells) == cells_to_tables(cells), f"{where}: tables of cells differ"
    ours_t, theirs_t = plumber.find_tables(page), page.find_tables()
    assert [t.cells for t in ours_t] == [t.cells for t in theirs_t], f"{where}: table cells differ"
    for a, b in zip(ours_t, theirs_t):
        assert plumber.cell_texts(a) == b.extract(), f"{where}: cell texts differ"
    return len(ours_t)


def test_pdfium_pages_match_pdfplumber_functions():
    pdfs = _pdfs()
    if not pdfs:
        pytest.skip("no PDFs")
    tables = 0
    for path in pdfs:
        with PdfiumDocument(str(path)) as doc:
            for k in range(len(doc)):
                page = doc.page(k)
                tables += _compare_page(page, f"{path.name} p.{k + 1}")
                page.close()
    assert tables > 0  # the corpora have tables: the comparison saw some


def test_pdfplumber_pages_match_pdfplumber_functions():
    import pdfplumber

    for path in sorted((ROOT / "tests" / "fixtures" / "pdf").rglob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                _compare_page(page, f"{path.name} p.{page.page_number}")
                page.close()


def test_dedupe_keeps_first_of_a_stack_in_page_order():
    chars = [
        {"upright": True, "text": "b", "doctop": 10.0, "x0": 20.0},
        {"upright": True, "text": "a", "doctop": 10.0, "x0": 5.0},
        {"upright": True, "text": "a", "doctop": 10.4, "x0": 5.3},  # a fake-bold copy
        {"upright": True, "text": "a", "doctop": 10.0, "x0": 9.0},  # the next char, further than the tolerance
    ]
    kept = plumber.deduped_chars(chars, 1)
    assert kept == [chars[0], chars[1], chars[3]]
    assert [id(c) for c in kept] == [id(c) for c in dedupe_chars(chars, 1, extra_attrs=())]


def test_text_of_turned_and_ligature_chars():
    def char(text, x0, top, upright=True):
        return {"text": text, "x0": x0, "x1": x0 + 5, "top": top, "bottom": top + 10, "doctop": top,
                "upright": upright, "size": 10}

    chars = [char("ﬁ", 0, 0), char("x", 5, 0), char(" ", 10, 0), char("y", 15, 1),
             char("z", 40, 0), char("a", 0, 20), char("", 6, 20),
             char("縦", 100, 50, upright=False), char("書", 100, 60, upright=False), char("き", 120, 70, upright=False)]
    assert plumber.text_of(chars) == extract_text(chars)
    assert plumber.text_of([]) == extract_text([]) == ""


def test_text_lines_with_ligature_and_empty_chars():
    """The general path (a ligature, a char without text) and the one-letter path give pdfplumber's lines."""
    def char(text, x0, top, upright=True):
        return {"text": text, "x0": x0, "x1": x0 + 5, "top": top, "bottom": top + 10, "doctop": top,
                "upright": upright, "size": 10}

    plain = [char("a", 0, 0), char("b", 5, 0), char(" ", 10, 0), char("c", 15, 1), char("d", 0, 20)]
    odd = plain + [char("ﬁ", 40, 0), char("", 6, 20), char("縦", 100, 50, upright=False)]
    for chars in (plain, odd, []):
        page = PdfiumPage(1, (0, 0, 200, 200), 0, {"char": chars})
        ours = [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"], [id(c) for c in ln["chars"]])
                for ln in plumber.text_lines(chars)]
        theirs = [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"], [id(c) for c in ln["chars"]])
                  for ln in page.extract_text_lines(strip=True, return_chars=True)]
        assert ours == theirs
