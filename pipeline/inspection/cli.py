"""`python -m pipeline inspect FILE [--pages 3-5] [--out DIR] [--explain "施策3"]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 2, 3
DEFAULT_OUT = "inspected"


def add_parser(sub) -> None:
    ins = sub.add_parser("inspect", help="show what the tool saw in one document: page PNGs with boxes, "
                                         "index.html with the outline, --explain for one row")
    ins.add_argument("file", help="a .pdf, .txt or .md file")
    ins.add_argument("--pages", default=None, help="PDF pages to render: 3-5, 3 or 1,4-6 (default: every page)")
    ins.add_argument("--out", default=None,
                     help=f"folder for index.html and the page PNGs (default: {DEFAULT_OUT}/<file name>; "
                          "with --explain nothing is written unless --out is given)")
    ins.add_argument("--explain", default=None, metavar="ROW",
                     help="print the chain of evidence for one row (施策3, an initiative or KPI id, a title, a term), "
                          "or for a missing item the nearest outline nodes and why each was not classified")
    ins.set_defaults(func=cmd_inspect)


def cmd_inspect(args: argparse.Namespace) -> int:
    from . import inspect
    from .analysis import parse_pages

    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return EXIT_ENVIRONMENT
    if path.suffix.lower() not in (".pdf", ".txt", ".md", ".markdown"):
        print(f"error: {path}: inspect reads .pdf, .txt and .md files", file=sys.stderr)
        return EXIT_USAGE
    try:
        parse_pages(args.pages, None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = args.out
    if out is None and args.explain is None:
        out = str(Path(DEFAULT_OUT) / path.stem)
    result = inspect(path, out=out, pages=args.pages, explain=args.explain)
    if args.explain is not None:
        sys.stdout.write(result.explanation)
    if result.index is not None:
        a = result.analysis
        what = (f"{len(result.pngs)} page PNG(s)" if a.is_pdf else "text.html (the lines with their marks)")
        t = a.tables
        print(f"inspected {path} ({a.doc.pages or len(a.doc.lines)} {'pages' if a.is_pdf else 'lines'}): "
              f"{len(t.initiatives)} initiatives, {len(t.kpis)} kpis, {len(t.glossary)} glossary terms, "
              f"{len(a.doc.findings)} findings")
        print(f"  wrote {result.index} and {what} in {result.out}/")
    sys.stdout.flush()
    return EXIT_OK
