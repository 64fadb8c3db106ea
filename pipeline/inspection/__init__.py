"""`python -m pipeline inspect FILE`: show what the tool saw in one document.

For a PDF: one PNG per page (pdfplumber's `to_image`) with the lines, headings, outline nodes,
tables, footnote zone, running header/footer, figure text and overprint boxed, and the rows
they became beside them. For text and markdown: text.html, the lines with the same marks. Both:
index.html with the outline as a clickable tree (each node's evidence and rows) and the
findings linked to their page. `explain` prints the chain of evidence for one row, or for a
missing item the nearest outline nodes and why each was not classified.

(The package is `inspection/`, not `inspect/`: `pipeline.inspect` is the API's function, and a
subpackage of that name would replace it on import, as for `normalization/` and `extractors/`.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay lazy: the command line's parser imports this package
    from .analysis import Analysis


@dataclass
class InspectResult:
    analysis: "Analysis"
    out: Path | None = None
    index: Path | None = None
    pngs: list[Path] = field(default_factory=list)
    text_view: Path | None = None
    explanation: str = ""


def inspect(path: str | Path, out: str | Path | None = None, pages: str | list[int] | None = None,
            explain: str | None = None, resolution: int | None = None) -> InspectResult:
    """Inspect one document. `out`: where index.html and the page PNGs go (None: nothing written);
    `pages`: '3-5', '1,4-6' or a list (PDF; default every page); `explain`: a row id, label, title,
    KPI indicator or glossary term whose chain of evidence goes to `.explanation`."""
    from .analysis import analyse, parse_pages
    from .explain import explain as explain_query
    from .render import DEFAULT_RESOLUTION, page_png, render_pages
    from .html import write_index, write_text_view

    a = analyse(path)
    result = InspectResult(a)
    if explain is not None:
        result.explanation = explain_query(a, explain)
    if out is None:
        return result
    outp = Path(out)
    outp.mkdir(parents=True, exist_ok=True)
    result.out = outp
    marks: dict = {}
    if a.is_pdf and a.pdf_pages:
        chosen = pages if isinstance(pages, list) else parse_pages(pages, a.doc.pages)
        for old in outp.glob("page-*.png"):
            old.unlink()
        marks = render_pages(a, chosen, outp, resolution or DEFAULT_RESOLUTION)
        result.pngs = [outp / page_png(p) for p in sorted(marks)]
    elif not a.is_pdf and a.doc.readable:
        result.text_view = write_text_view(a, outp)
    result.index = write_index(a, outp, marks)
    return result


__all__ = ["inspect", "InspectResult"]
