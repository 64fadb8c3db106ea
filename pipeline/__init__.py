"""Turn Japanese municipal plan documents (PDF, text, markdown) into Parquet tables.

Stages: ingest -> normalize -> segment -> extract -> emit. The Python API does what the
command line does, under the same names:

    import pipeline
    pipeline.extract("raw", "extracted")      # python -m pipeline extract --raw raw --out extracted
    pipeline.compare("extracted")             # python -m pipeline compare --out extracted
    pipeline.normalize("⾏政の⼾籍")           # python -m pipeline normalize  -> "行政の戸籍"
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay lazy: `import pipeline` is cheap
    from .crossdoc.series import Comparison
    from .runner.run import RunResult

__version__ = "0.1.0"


def extract(raw: str | Path = "raw", out: str | Path = "extracted", workers: int | None = None,
            quiet: bool = True, compare: bool = True) -> "RunResult":
    """Extract every .pdf/.txt/.md under `raw` into the tables under `out` (incremental)."""
    from .crossdoc.series import run as compare_run
    from .runner.run import run_folder

    result = run_folder(Path(raw), Path(out), workers=workers, quiet=quiet)
    if compare:
        compare_run(Path(out))
    return result


def compare(out: str | Path = "extracted") -> "Comparison":
    """Build plans.duckdb, the KPI series, ward × topic and report.html from `out`'s tables."""
    from .crossdoc.series import run as compare_run

    return compare_run(Path(out))


def normalize(text: str) -> str:
    """The normalization every text column gets (one line; no joining of lines)."""
    from .normalization.chars import normalize_text

    return normalize_text(text)
