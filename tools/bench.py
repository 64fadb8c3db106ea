"""`make bench`: how fast `pipeline extract` is against a bare pdfplumber loop.

Inputs: the PDF fixtures plus a ~100-page document made by repeating them
(pypdf). Commands, each in a fresh process, interleaved and repeated:
  default    `pipeline extract` cold (fresh --out) with default workers (the pdfium engine)
  workers1   the same with --workers 1
  plumber    default workers and --workers 1 again with --pdf-engine pdfplumber (the reference engine)
  bare       a single-process pdfplumber loop: extract_text + extract_tables per page
  cluster    `pipeline extract --cluster local --workers 2` (a local Dask cluster, start-up included;
             shown with its ratio to the local pool; skipped without the [cluster] extra)
Then the no-op re-run time (same --out, nothing changed) and each command's
peak RSS. "x bare" is the median over rounds of the command's time / the bare loop's time in
the same round (the ratio of the medians is printed too). Targets (issue 15): default <= 0.25x bare, --workers 1 <= 0.5x bare, no-op < 1 s;
the pdfplumber engine's first targets (issue 6): default <= 0.8x, --workers 1 <= 1.3x.
The same over the real published PDFs (../shared/real-pdf) when that folder is there.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
REAL = ROOT.parent / "shared" / "real-pdf"
DEFAULT_ROUNDS = 3
DEFAULT_LONG_PAGES = 100

BARE = """
import sys, pathlib, pdfplumber
for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.pdf')):
    with pdfplumber.open(p) as pdf:
        for page in pdf.pages:
            page.extract_text(); page.extract_tables(); page.close()
"""


def build_inputs(dest: Path) -> int:
    from pypdf import PdfReader, PdfWriter

    shutil.copytree(FIXTURES, dest)
    sources = sorted(FIXTURES.rglob("*.pdf"))
    writer = PdfWriter()
    pages = 0
    while pages < DEFAULT_LONG_PAGES:
        for src in sources:
            reader = PdfReader(str(src))
            writer.append(reader)
            pages += len(reader.pages)
            if pages >= DEFAULT_LONG_PAGES:
                break
    with (dest / "long-plan.pdf").open("wb") as fh:
        writer.write(fh)
    return sum(len(PdfReader(str(p)).pages) for p in dest.rglob("*.pdf"))


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, the largest process of the tree) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return wall, int(usage.ru_maxrss)


def has_cluster() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def compile_package() -> None:
    """Byte-compile the package first, as Python does on a first run wherever it may write bytecode
    (where PYTHONDONTWRITEBYTECODE is set, every timed process would compile it from source)."""
    import compileall

    compileall.compile_dir(str(ROOT / "pipeline"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="pipeline extract against a bare pdfplumber loop")
    ap.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                    help=f"interleaved rounds per command (default {DEFAULT_ROUNDS}; more on a noisy machine)")
    args = ap.parse_args(argv)
    rounds = max(1, args.rounds)
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        pages = build_inputs(raw)
        docs = len(list(raw.rglob("*.pdf")))
        print(f"inputs: {docs} PDFs, {pages} pages (fixtures + a {DEFAULT_LONG_PAGES}-page document); "
              f"{os.cpu_count()} cores; {rounds} interleaved rounds, median shown")
        bench_set(raw, pages, Path(tmp), rounds, cluster=True)
    if REAL.is_dir():
        from pypdf import PdfReader

        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "real-pdf"
            shutil.copytree(REAL, raw)
            pdfs = sorted(raw.rglob("*.pdf"))
            pages = sum(len(PdfReader(str(p)).pages) for p in pdfs)
            print(f"\ninputs: {len(pdfs)} real published PDFs, {pages} pages (../shared/real-pdf)")
            bench_set(raw, pages, Path(tmp), rounds, cluster=False)
    return 0


def bench_set(raw: Path, pages: int, tmp: Path, rounds: int, cluster: bool) -> None:
    py = sys.executable
    extract = [py, "-m", "pipeline", "extract", "--quiet", "--raw", str(raw), "--out"]
    cmds = {
        "default": lambda out: extract + [out],
        "workers1": lambda out: extract + [out, "--workers", "1"],
        "bare": lambda out: [py, "-c", BARE, str(raw)],
        "plumber": lambda out: extract + [out, "--pdf-engine", "pdfplumber"],
        "plumber1": lambda out: extract + [out, "--pdf-engine", "pdfplumber", "--workers", "1"],
    }
    if cluster and has_cluster():
        cmds["cluster"] = lambda out: [py, "-m", "pipeline", "extract", "--quiet", "--no-compare", "--cluster",
                                       "local", "--workers", "2", "--raw", str(raw), "--out", out]
    times: dict[str, list[float]] = {k: [] for k in cmds}
    rss: dict[str, int] = {k: 0 for k in cmds}
    for r in range(rounds):
        for name, make in cmds.items():
            out = str(tmp / f"out-{name}-{r}")
            wall, peak = timed(make(out))
            times[name].append(wall)
            rss[name] = max(rss[name], peak)
    noop_out = str(tmp / "out-default-0")
    noop = [timed(cmds["default"](noop_out))[0] for _ in range(rounds)]
    med = {k: statistics.median(v) for k, v in times.items()}
    # x bare: the median of each round's ratio. A command and the bare loop run back to back in
    # every round, so a slow spell of the machine (seen here: the same run 1.6 s, then 3.0 s)
    # weighs on both sides of that round's ratio instead of on one side of a ratio of medians.
    ratio = {k: statistics.median(t / b for t, b in zip(v, times["bare"])) for k, v in times.items()}
    bare = med["bare"]
    print(f"{'run':<38}{'median s':>10}{'pages/s':>9}{'x bare':>8}{'peak RSS MB':>13}")
    labels = {"default": "pipeline extract, default workers", "workers1": "pipeline extract, --workers 1",
              "plumber": "  --pdf-engine pdfplumber, default", "plumber1": "  --pdf-engine pdfplumber, --workers 1",
              "bare": "bare pdfplumber loop"}
    for k in ("default", "workers1", "plumber", "plumber1", "bare"):
        print(f"{labels[k]:<38}{med[k]:>10.2f}{pages / med[k]:>9.1f}{ratio[k]:>8.2f}{rss[k] / 1024:>13.0f}")
    if "cluster" in med:
        k = "cluster"
        print(f"{'pipeline extract --cluster local':<38}{med[k]:>10.2f}{pages / med[k]:>9.1f}{ratio[k]:>8.2f}"
              f"{rss[k] / 1024:>13.0f}   {med[k] / med['default']:.2f}x the local pool (2 workers, start-up included)")
    elif cluster:
        print("pipeline extract --cluster local       skipped: pip install -e '.[cluster]' (make bench installs it)")
    noop_med = statistics.median(noop)
    print(f"{'no-op re-run (all cached)':<38}{noop_med:>10.2f}")
    print(f"  x bare is the median of the rounds' ratios; the ratio of the medians: "
          + ", ".join(f"{k} {med[k] / bare:.2f}" for k in ("default", "workers1", "plumber", "plumber1")))
    checks = [("default workers <= 0.25x bare (issue 15)", ratio["default"] <= 0.25),
              ("--workers 1 <= 0.5x bare (issue 15)", ratio["workers1"] <= 0.5),
              ("no-op re-run < 1 s", noop_med < 1.0),
              ("pdfplumber engine: default workers <= 0.8x bare (issue 6)", ratio["plumber"] <= 0.8),
              ("pdfplumber engine: --workers 1 <= 1.3x bare (issue 6)", ratio["plumber1"] <= 1.3)]
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")


if __name__ == "__main__":
    sys.exit(main())
