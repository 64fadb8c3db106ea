"""Each KPI shape, run end to end through `python -m pipeline extract`.

tests/shapes/kpi-*/input.txt (or input.md) is a small invented document in one shape of KPI
table or text; expected_kpis.csv and expected_kpi_values.csv list exactly the rows it must
give (compared as sets, numbers as floats, empty = null). Every row must keep its provenance:
the raw cell of each value and a page or block it came from.
"""
from __future__ import annotations

import csv
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "tests" / "shapes"
SHAPE_DIRS = sorted(p for p in SHAPES.glob("kpi-*") if p.is_dir()) if SHAPES.exists() else []


def _s(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return re.sub(r"\s+", "", str(v))


def _n(v) -> float | None:
    s = _s(v)
    return None if s == "" else round(float(s), 6)


def _i(v) -> int | None:
    n = _n(v)
    return None if n is None else int(n)


def _kpi_key(r) -> tuple:
    return (_s(r["indicator"]), _s(r["initiative_id"]), _n(r["baseline_value"]), _s(r["baseline_unit"]),
            _i(r["baseline_fy"]), _n(r["target_value"]), _s(r["target_unit"]), _i(r["target_fy"]))


def _val_key(r, name: str) -> tuple:
    return (name, _i(r["fiscal_year"]), _s(r["kind"]), _n(r["value"]), _s(r["unit"]))


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _run(shape: Path, tmp: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw, out = tmp / "raw", tmp / "out"
    raw.mkdir()
    src = next(p for p in (shape / "input.txt", shape / "input.md") if p.exists())
    shutil.copy(src, raw / f"{shape.name}{src.suffix}")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--raw", str(raw), "--out", str(out),
                           "--quiet", "--no-compare"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return pd.read_parquet(out / "kpis.parquet"), pd.read_parquet(out / "kpi_values.parquet")


@pytest.mark.parametrize("shape", SHAPE_DIRS, ids=[p.name for p in SHAPE_DIRS])
def test_kpi_shape(shape: Path, tmp_path: Path):
    kpis, values = _run(shape, tmp_path)
    want_k = sorted((_kpi_key(r) for r in _csv(shape / "expected_kpis.csv")), key=str)
    got_k = sorted((_kpi_key(r) for r in kpis.to_dict("records")), key=str)
    assert got_k == want_k, f"{shape.name}\n missing: {set(want_k) - set(got_k)}\n extra: {set(got_k) - set(want_k)}"
    names = dict(zip(kpis["kpi_id"], kpis["indicator"])) if len(kpis) else {}
    want_v = sorted((_val_key(r, _s(r["indicator"])) for r in _csv(shape / "expected_kpi_values.csv")), key=str)
    got_v = sorted((_val_key(r, _s(names.get(r["kpi_id"]))) for r in values.to_dict("records") if _n(r["value"]) is not None),
                   key=str)
    assert got_v == want_v, f"{shape.name}\n missing: {set(want_v) - set(got_v)}\n extra: {set(got_v) - set(want_v)}"
    # provenance: every value keeps its cell as written
    assert all(_s(r["raw"]) for r in values.to_dict("records")), "a value without its raw cell"


def test_every_kpi_shape_has_its_files():
    assert SHAPE_DIRS, "tests/shapes holds no kpi-* shapes"
    for shape in SHAPE_DIRS:
        assert (shape / "input.txt").exists() or (shape / "input.md").exists(), shape.name
        for f in ("expected_kpis.csv", "expected_kpi_values.csv"):
            assert (shape / f).exists(), f"{shape.name}: {f}"
