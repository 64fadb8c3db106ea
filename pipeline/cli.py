"""Command line: `python -m pipeline extract|normalize`.

Exit status: 0 every document read; 1 some document could not be read (it is in
issues.parquet, the rest is written); 2 bad arguments.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .normalization.chars import normalizer
from .runner.run import RunResult, run_folder


def summary(result: RunResult, out: Path) -> str:
    c = result.counts
    lines = [
        f"extracted {result.documents} documents ({result.pages} PDF pages, {result.cached} unchanged from cache) "
        f"in {result.seconds:.1f} s with {result.workers} workers -> {out}/",
        "  " + "  ".join(f"{name} {c.get(name, 0)}" for name in
                         ("documents", "sections", "initiatives", "kpis", "kpi_values", "glossary")),
    ]
    issues = result.tables.issues
    errors = sum(1 for r in issues if r["severity"] == "error")
    lines.append(f"  findings {len(issues)} ({errors} errors, {len(issues) - errors} warnings) in issues.parquet")
    if result.unreadable:
        lines.append(f"  could not read {len(result.unreadable)}: " + ", ".join(result.unreadable))
        for r in issues:
            if r["severity"] == "error" and r["doc_id"] in result.unreadable:
                lines.append(f"    {r['doc_id']}: {r['message']}")
    return "\n".join(lines)


def cmd_extract(args: argparse.Namespace) -> int:
    raw = Path(args.raw)
    if not raw.is_dir():
        print(f"error: --raw {raw} is not a folder", file=sys.stderr)
        return 2
    out = Path(args.out)
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be 1 or more", file=sys.stderr)
        return 2
    result = run_folder(raw, out, workers=args.workers, quiet=args.quiet)
    print(summary(result, out))
    if not args.no_compare:
        stamp = out / ".cache" / "compare.stamp"
        outputs = [out / "plans.duckdb", out / "report.html"]
        fresh = stamp.exists() and stamp.read_text() == result.fingerprint and all(p.exists() for p in outputs)
        if not fresh:  # nothing changed since the layer was last built: keep it
            from .crossdoc.series import run as compare_run

            compare_run(out)
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(result.fingerprint)
        print(f"  cross-document layer: {out}/plans.duckdb, {out}/report.html (python -m pipeline compare --out {out})")
    return 1 if result.unreadable else 0


def cmd_compare(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not (out / "documents.parquet").exists():
        print(f"error: {out}/documents.parquet not found; run `python -m pipeline extract --out {out}` first",
              file=sys.stderr)
        return 2
    from .crossdoc.series import run as compare_run, screen

    c = compare_run(out)
    print(screen(c))
    print(f"\nwrote {out}/plans.duckdb, {out}/report.html and the kpi_series, initiative_topics, ward_topics, "
          "untagged_initiatives tables")
    return 0


def cmd_normalize(args: argparse.Namespace) -> int:
    norm = normalizer()
    for line in sys.stdin:
        end = "\n" if line.endswith("\n") else ""
        sys.stdout.write(norm(line.rstrip("\n").rstrip("\r")) + end)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m pipeline", description="Japanese municipal plan documents -> Parquet tables")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="read every .pdf/.txt/.md under --raw and write the tables to --out")
    ex.add_argument("--raw", default="raw", help="folder of source documents (default: raw)")
    ex.add_argument("--out", default="extracted", help="folder for the Parquet tables (default: extracted)")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    ex.add_argument("--workers", "-j", type=int, default=None,
                    help="worker processes (default: all cores); 1 runs in this process")
    ex.set_defaults(func=cmd_extract)
    ex.add_argument("--no-compare", action="store_true",
                    help="skip the cross-document layer (plans.duckdb, report.html)")
    co = sub.add_parser("compare", help="build plans.duckdb and report.html from --out's tables; print the comparison")
    co.add_argument("--out", default="extracted", help="folder holding the extracted tables (default: extracted)")
    co.set_defaults(func=cmd_compare)
    no = sub.add_parser("normalize", help="normalize UTF-8 text from stdin to stdout, line by line")
    no.set_defaults(func=cmd_normalize)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    from .rules import RulesError

    try:
        return int(args.func(args))
    except RulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the previous tables are unchanged; run again to finish", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (| head): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
