"""Command line: `python -m pipeline extract|compare|normalize|inspect`.

Exit status (the README's table):
  0  every document was read
  1  some documents (or folders) could not be read: named in issues.parquet and the summary,
     every other document written
  2  usage: bad arguments, a malformed rule file
  3  environment: --raw missing, --out not writable or a file, --out locked by another run,
     an empty --raw over existing tables (without --allow-empty), a disk or worker failure
  130 / 143  interrupted by Ctrl-C / SIGTERM: workers stopped, finished documents cached,
     the previous tables left whole
"""
from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

from . import __version__
from .ingest.pdf import PDF_ENGINES
from .normalization.chars import normalizer
from .runner.guard import Interrupted, RunError, guard
from .runner.run import RunResult, check_raw, run_folder

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3
# the most paths listed one by one in the summary (the rest are in issues.parquet)
DEFAULT_SUMMARY_LIST = 10


def say(text: str = "") -> None:
    """print() to stdout that survives a reader going away (`| head`): the run goes on, quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


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
        lines.append(f"  could not read {len(result.unreadable)}: " + ", ".join(result.unreadable[:DEFAULT_SUMMARY_LIST])
                     + (" …" if len(result.unreadable) > DEFAULT_SUMMARY_LIST else ""))
        shown = set(result.unreadable[:DEFAULT_SUMMARY_LIST])
        for r in issues:
            if r["severity"] == "error" and r["doc_id"] in shown:
                lines.append(f"    {r['doc_id']}: {r['message']}")
    ignored = [s for s in result.skipped if s.severity != "error"]
    if ignored:
        lines.append(f"  not read {len(ignored)} other file(s) under --raw (unsupported, not regular files): "
                     + ", ".join(s.rel for s in ignored[:DEFAULT_SUMMARY_LIST])
                     + (" …" if len(ignored) > DEFAULT_SUMMARY_LIST else ""))
    if result.cache_repaired:
        lines.append(f"  {len(result.cache_repaired)} damaged cache entr{'y' if len(result.cache_repaired) == 1 else 'ies'} "
                     "recomputed: " + ", ".join(result.cache_repaired[:DEFAULT_SUMMARY_LIST]))
    return "\n".join(lines)


def _prepare_compare():
    from .crossdoc.ahead import CompareAhead
    from .rules import load_rules

    return CompareAhead(load_rules())  # the rules the run loads (loaded once per process)


def cmd_extract(args: argparse.Namespace) -> int:
    if args.cluster or args.manifest or "://" in args.raw or "://" in args.out:
        return cmd_extract_cluster(args)
    raw, out = Path(args.raw), Path(args.out)
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    check_raw(raw, out)
    with guard(out):  # the tables and the cross-document layer, one run at a time
        result = run_folder(raw, out, workers=args.workers, quiet=args.quiet, allow_empty=args.allow_empty,
                            pdf_engine=args.pdf_engine, prepare=None if args.no_compare else _prepare_compare())
        say(summary(result, out))
        if not args.no_compare:
            stamp = out / ".cache" / "compare.stamp"
            outputs = [out / "plans.duckdb", out / "report.html"]
            fresh = stamp.exists() and stamp.read_text() == result.fingerprint and all(p.exists() for p in outputs)
            if not fresh:  # nothing changed since the layer was last built: keep it
                from .crossdoc.series import run as compare_run

                compare_run(out)
                stamp.parent.mkdir(parents=True, exist_ok=True)
                stamp.write_text(result.fingerprint)
            say(f"  cross-document layer: {out}/plans.duckdb, {out}/report.html (python -m pipeline compare --out {out})")
    return EXIT_UNREADABLE if result.unreadable else EXIT_OK


def cmd_extract_cluster(args: argparse.Namespace) -> int:
    """`extract --cluster ADDRESS|local` (pipeline/runner/cluster.py): partitioned datasets under --out."""
    if not args.cluster:
        print("error: --manifest and fsspec URLs in --raw/--out run on a cluster: add --cluster ADDRESS "
              "(or --cluster local on this machine)", file=sys.stderr)
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    from .runner.cluster import local_path, run_cluster

    out_local = local_path(args.out)
    if out_local is not None:
        out_local.mkdir(parents=True, exist_ok=True)
    with guard(out_local) if out_local is not None else nullcontext():  # an object store has no lock
        result = run_cluster(None if args.manifest else args.raw, args.out, cluster=args.cluster,
                             manifest=args.manifest, workers=args.workers, quiet=args.quiet,
                             task_timeout=args.task_timeout or None, allow_empty=args.allow_empty,
                             pdf_engine=args.pdf_engine)
        text = summary(result, Path("OUT"))  # --out may be a URL, which a Path would mangle
        say(text.replace("-> OUT/", f"-> {args.out.rstrip('/')}/ (partitioned by pref)", 1))
        if not args.no_compare and out_local is not None and result.counts.get("documents"):
            from .crossdoc.series import run as compare_run

            compare_run(out_local)  # plans.duckdb and the report read the partitioned datasets too
            say(f"  cross-document layer: {out_local}/plans.duckdb, {out_local}/report.html")
        elif not args.no_compare:
            say("  cross-document layer: run `python -m pipeline compare --out DIR` on a local copy of the tables")
    return EXIT_UNREADABLE if result.unreadable else EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not (out / "documents.parquet").exists():
        print(f"error: {out}/documents.parquet not found; run `python -m pipeline extract --out {out}` first",
              file=sys.stderr)
        return EXIT_ENVIRONMENT
    from .crossdoc.series import run as compare_run, screen

    with guard(out):
        c = compare_run(out)
    say(screen(c))
    say(f"\nwrote {out}/plans.duckdb, {out}/report.html and the kpi_series, initiative_topics, ward_topics, "
          "untagged_initiatives tables")
    return 0


def cmd_normalize(args: argparse.Namespace) -> int:
    norm = normalizer()
    try:
        for line in sys.stdin:
            end = "\n" if line.endswith("\n") else ""
            sys.stdout.write(norm(line.rstrip("\n").rstrip("\r")) + end)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has what it wanted (`| head`)
        _silence_stdout()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m pipeline", description="Japanese municipal plan documents -> Parquet tables")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="read every .pdf/.txt/.md under --raw and write the tables to --out")
    ex.add_argument("--raw", default="raw", help="folder of source documents (default: raw)")
    ex.add_argument("--out", default="extracted", help="folder for the Parquet tables (default: extracted)")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    ex.add_argument("--workers", "-j", type=int, default=None,
                    help="worker processes (default: all cores, and never more); 1 runs in this process")
    ex.add_argument("--allow-empty", action="store_true",
                    help="let a --raw without documents replace existing tables with empty ones")
    ex.set_defaults(func=cmd_extract)
    ex.add_argument("--pdf-engine", choices=PDF_ENGINES, default=None,
                    help="how PDFs are read: pdfium (default; pypdfium2, fast) or pdfplumber (pdfminer's interpreter, "
                         "the reference pdfium is tested against; slower), the same page objects fed to the same code")
    ex.add_argument("--no-compare", action="store_true",
                    help="skip the cross-document layer (plans.duckdb, report.html)")
    ex.add_argument("--cluster", metavar="ADDRESS", default=None,
                    help="run on a Dask cluster: a scheduler address (tcp://host:8786) or `local` to start one "
                         "here; needs pip install -e '.[cluster]'. --raw/--out may then be fsspec URLs")
    ex.add_argument("--manifest", metavar="FILE", default=None,
                    help="with --cluster: read the documents a CSV lists (source_url,doc_id,municipality_code) "
                         "instead of --raw")
    ex.add_argument("--task-timeout", metavar="SECONDS", type=float, default=600.0,
                    help="with --cluster: give up a document (a finding) after this long (default 600; 0: no limit)")
    co = sub.add_parser("compare", help="build plans.duckdb and report.html from --out's tables; print the comparison")
    co.add_argument("--out", default="extracted", help="folder holding the extracted tables (default: extracted)")
    co.set_defaults(func=cmd_compare)
    no = sub.add_parser("normalize", help="normalize UTF-8 text from stdin to stdout, line by line")
    no.set_defaults(func=cmd_normalize)
    from .inspection.cli import add_parser as add_inspect_parser

    add_inspect_parser(sub)  # python -m pipeline inspect FILE (pipeline/inspection/cli.py)
    return ap


def main(argv: list[str] | None = None) -> int:
    import logging

    # pdfminer logs damaged fonts ("Could not get FontBBox") on stderr: what matters of it comes
    # out as findings (unmapped glyphs, garbled runs), so the log stays quiet
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    from .rules import RulesError

    try:
        return int(args.func(args))
    except RulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else 2
        what = "Ctrl-C" if signum == 2 else getattr(exc, "args", ["signal"])[0]
        print(f"\ninterrupted ({what}): workers stopped, the previous tables are unchanged, the documents "
              "finished so far are cached; run again to finish", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        _silence_stdout()  # the reader of our output went away (| head): not an error of ours
        return EXIT_OK
    except OSError as exc:  # disk full, a folder that vanished mid-run …: the environment, not a document
        name = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"error:{name}: {exc.strerror or exc}; the previous tables are unchanged", file=sys.stderr)
        return EXIT_ENVIRONMENT


def run() -> None:
    """`python -m pipeline`: main(), then exit without the interpreter's teardown.

    Everything is written and closed by then; skipping the teardown (os._exit) avoids pyarrow's
    exit-time abort (`terminate called without an active exception`, arrow issue 34314), which
    otherwise ends about one run in thirty with SIGABRT after the work is done."""
    import os

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            if stream is sys.stdout:
                _silence_stdout()
    os._exit(code)
