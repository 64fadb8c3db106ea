from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PDF_FIXTURES = ROOT / "tests" / "fixtures" / "pdf"


def run_extract(raw: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", "--quiet", "--raw", str(raw), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def squash(s) -> str:
    """A cell without whitespace ("" for null): how shape tests compare text."""
    return re.sub(r"\s+", "", "" if s is None or (isinstance(s, float) and pd.isna(s)) else str(s))


def shape_input(shape: Path) -> Path:
    """A shape folder's one input.txt or input.md."""
    found = [p for p in (shape / "input.txt", shape / "input.md") if p.exists()]
    assert len(found) == 1, f"{shape.name}: needs exactly one input.txt or input.md"
    return found[0]


def extract_shape(shape: Path, tmp: Path) -> Path:
    """Run `python -m pipeline extract` over a shape's input alone (named after the shape); the --out folder."""
    raw, out = tmp / "raw", tmp / "out"
    raw.mkdir()
    src = shape_input(shape)
    shutil.copy(src, raw / f"{shape.name}{src.suffix}")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--raw", str(raw), "--out", str(out),
                           "--quiet", "--no-compare"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return out


def read_tables(out: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))}


@pytest.fixture(scope="session")
def text_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("text_out")
    proc = run_extract(ROOT / "raw", out)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return out, proc


@pytest.fixture(scope="session")
def pdf_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf_out")
    proc = run_extract(PDF_FIXTURES, out)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return out, proc


def score(out: Path) -> dict:
    """Grade an output folder with ../shared/eval/score.py (skips when shared/ is absent)."""
    scorer = SHARED / "eval" / "score.py"
    if not scorer.exists():
        pytest.skip("../shared/eval/score.py not present")
    import json
    proc = subprocess.run([sys.executable, str(scorer), "--extracted", str(out), "--json", "--per-doc"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)
