"""Each glossary shape, run end to end through `python -m pipeline extract`.

tests/shapes/glossary-<shape>/input.txt (or input.md) is a small invented document;
expected_glossary.csv lists every row it must give (term, expansion, definition, source).
Every expected row must be produced with its columns, and no other term may appear: the
brackets, notes and lines that define nothing are part of each shape.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import extract_shape, shape_input, squash

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "tests" / "shapes"
GLOSSARY_SHAPES = sorted(p for p in SHAPES.glob("glossary-*") if p.is_dir()) if SHAPES.exists() else []


def _expected(shape: Path) -> dict[str, tuple[str, str, str]]:
    with open(shape / "expected_glossary.csv", encoding="utf-8", newline="") as f:
        return {squash(r["term"]): (squash(r["expansion"]), squash(r["definition"]), r["source"])
                for r in csv.DictReader(f)}


def _run(shape: Path, tmp: Path) -> pd.DataFrame:
    return pd.read_parquet(extract_shape(shape, tmp) / "glossary.parquet")


@pytest.mark.parametrize("shape", GLOSSARY_SHAPES, ids=[p.name for p in GLOSSARY_SHAPES])
def test_glossary_shape(shape: Path, tmp_path: Path):
    expected = _expected(shape)
    got = {squash(r["term"]): (squash(r["expansion"]), squash(r["definition"]), r["source"])
           for r in _run(shape, tmp_path).to_dict("records")}
    missing = {t: v for t, v in expected.items() if t not in got}
    wrong = {t: (got[t], v) for t, v in expected.items() if t in got and got[t] != v}
    extra = sorted(set(got) - set(expected))
    assert not missing and not wrong and not extra, (
        f"{shape.name}\n missing: {missing}\n wrong (got, want): {wrong}\n extra: {extra}")


def test_every_glossary_shape_has_its_files():
    assert GLOSSARY_SHAPES, "tests/shapes holds no glossary shapes"
    for shape in GLOSSARY_SHAPES:
        shape_input(shape)
        assert (shape / "expected_glossary.csv").exists(), shape.name
        assert (shape / "expected_initiatives.csv").exists(), shape.name  # tests/test_shapes.py runs them too
