"""Turn Japanese municipal plan documents (PDF, text, markdown) into Parquet tables.

Stages: ingest -> normalize -> segment -> extract -> emit. The Python API does what the
command line does, under the same names:

    import pipeline
    pipeline.extract("raw", "extracted")      # python -m pipeline extract --raw raw --out extracted
    pipeline.compare("extracted")             # python -m pipeline compare --out extracted
    pipeline.normalize("⾏政の⼾籍")           # python -m pipeline normalize  -> "行政の戸籍"
    pipeline.inspect("plan.pdf", "inspected") # python -m pipeline inspect plan.pdf --out inspected
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay lazy: `import pipeline` is cheap
    from .crossdoc.series import Comparison
    from .runner.run import RunResult

__version__ = "0.1.0"


def __getattr__(name: str):
    if name in ("RunError", "Interrupted"):  # lazily: `import pipeline` stays cheap
        from .runner import guard

        return getattr(guard, name)
    raise AttributeError(name)


def extract(raw: str | Path = "raw", out: str | Path = "extracted", workers: int | None = None,
            quiet: bool = True, compare: bool = True, allow_empty: bool = False,
            pdf_engine: str | None = None) -> "RunResult":
    """Extract every .pdf/.txt/.md under `raw` into the tables under `out` (incremental).

    Raises `pipeline.RunError` (what the command line exits 3 for: `raw` missing, `out` not
    writable or in use by another run, no documents in `raw` over existing tables unless
    `allow_empty`) and KeyboardInterrupt on Ctrl-C / SIGTERM (the previous tables stay whole)."""
    from .crossdoc.ahead import CompareAhead
    from .crossdoc.series import run as compare_run
    from .rules import load_rules
    from .runner.guard import guard
    from .runner.run import check_raw, run_folder

    check_raw(Path(raw), Path(out))
    with guard(Path(out)):
        result = run_folder(Path(raw), Path(out), workers=workers, quiet=quiet, allow_empty=allow_empty,
                            pdf_engine=pdf_engine, prepare=CompareAhead(load_rules()) if compare else None)
        if compare:
            compare_run(Path(out))
    return result


def compare(out: str | Path = "extracted") -> "Comparison":
    """Build plans.duckdb, the KPI series, ward × topic and report.html from `out`'s tables."""
    from .crossdoc.series import run as compare_run
    from .runner.guard import guard

    with guard(Path(out)):
        return compare_run(Path(out))


def normalize(text: str) -> str:
    """The normalization every text column gets (one line; no joining of lines)."""
    from .normalization.chars import normalize_text

    return normalize_text(text)


def inspect(path: str | Path, out: str | Path | None = None, pages: str | list[int] | None = None,
            explain: str | None = None):
    """Show what the tool saw in one document (python -m pipeline inspect FILE): page PNGs with
    boxes and index.html in `out`; `explain` (a row id, label, title, indicator or term) gives its
    chain of evidence in `.explanation`. Returns pipeline.inspection.InspectResult."""
    from .inspection import inspect as run_inspect

    return run_inspect(path, out=out, pages=pages, explain=explain)
