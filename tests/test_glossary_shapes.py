"""Each glossary shape, run end to end through `python -m pipeline extract`.

tests/shapes/glossary-<shape>/input.txt (or input.md) is a small invented document;
expected_glossary.csv lists every row it must give (term, expansion, definition, source).
Every expected row must be produced with its columns, and no other term may appear: the
brackets, notes and lines that define nothing are part of each shape.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "tests" / "shapes"
GLOSSARY_SHAPES = sorted(p for p in SHAPES.glob("glossary-*") if p.is_dir()) if SHAPES.exists() else []


def _squash(s) -> str:
    return re.sub(r"\s+", "", "" if s is None or (isinstance(s, float) and pd.isna(s)) else str(s))


def _input_of(shape: Path) -> Path:
    found = [p for p in (shape / "input.txt", shape / "input.md") if p.exists()]
    assert len(found) == 1, f"{shape.name}: needs exactly one input.txt or input.md"
    return found[0]


def _expected(shape: Path) -> dict[str, tuple[str, str, str]]:
    with open(shape / "expected_glossary.csv", encoding="utf-8", newline="") as f:
        return {_squash(r["term"]): (_squash(r["expansion"]), _squash(r["definition"]), r["source"])
                for r in csv.DictReader(f)}


def _run(shape: Path, tmp: Path) -> pd.DataFrame:
    raw, out = tmp / "raw", tmp / "out"
    raw.mkdir()
    src = _input_of(shape)
    shutil.copy(src, raw / f"{shape.name}{src.suffix}")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--raw", str(raw), "--out", str(out),
                           "--quiet", "--no-compare"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return pd.read_parquet(out / "glossary.parquet")


@pytest.mark.parametrize("shape", GLOSSARY_SHAPES, ids=[p.name for p in GLOSSARY_SHAPES])
def test_glossary_shape(shape: Path, tmp_path: Path):
    expected = _expected(shape)
    got = {_squash(r["term"]): (_squash(r["expansion"]), _squash(r["definition"]), r["source"])
           for r in _run(shape, tmp_path).to_dict("records")}
    missing = {t: v for t, v in expected.items() if t not in got}
    wrong = {t: (got[t], v) for t, v in expected.items() if t in got and got[t] != v}
    extra = sorted(set(got) - set(expected))
    assert not missing and not wrong and not extra, (
        f"{shape.name}\n missing: {missing}\n wrong (got, want): {wrong}\n extra: {extra}")


def test_every_glossary_shape_has_its_files():
    assert GLOSSARY_SHAPES, "tests/shapes holds no glossary shapes"
    for shape in GLOSSARY_SHAPES:
        _input_of(shape)
        assert (shape / "expected_glossary.csv").exists(), shape.name
        assert (shape / "expected_initiatives.csv").exists(), shape.name  # tests/test_shapes.py runs them too
