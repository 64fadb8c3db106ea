"""Each general shape of plan outline, run end to end through `python -m pipeline extract`.

tests/shapes/<shape>/input.txt (or input.md) is a small invented plan-like document;
expected_initiatives.csv lists the rows it must give (kind, number, title, parent_title).
Every expected row must be produced, no other outline- or contents-sourced row may appear,
and every row must say why it is an item (evidence).
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import extract_shape, shape_input, squash

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "tests" / "shapes"
OUTLINE_SOURCES = {"outline", "contents", "toc"}  # rows read from the outline or a contents page

# shape name -> reason, for fair instances of a pattern the current code does not yet handle
XFAIL: dict[str, str] = {}


def _expected(shape: Path) -> list[tuple[str, int | None, str, str]]:
    with open(shape / "expected_initiatives.csv", encoding="utf-8", newline="") as f:
        return [(r["kind"], int(r["number"]) if r["number"] else None, squash(r["title"]), squash(r["parent_title"]))
                for r in csv.DictReader(f)]


def _run(shape: Path, tmp: Path) -> pd.DataFrame:
    path = extract_shape(shape, tmp) / "initiatives.parquet"
    assert path.exists(), f"no initiatives.parquet in {path.parent}"
    return pd.read_parquet(path)


def _rows(df: pd.DataFrame) -> list[dict]:
    """Rows with the parent's title in place of its id (per document)."""
    rows = []
    for _doc, g in df.groupby("doc_id"):
        titles = dict(zip(g["initiative_id"], g["title"]))
        for r in g.to_dict("records"):
            pid = r.get("parent_id")
            parent = titles.get(pid, f"<missing parent {pid}>") if isinstance(pid, str) and pid else ""
            num = r.get("number")
            rows.append({"key": (r["kind"], None if num is None or pd.isna(num) else int(num), squash(r["title"]),
                                 squash(parent)),
                         "source": r.get("source"), "evidence": r.get("evidence"), "id": r["initiative_id"]})
    return rows


SHAPE_DIRS = sorted(p for p in SHAPES.iterdir() if p.is_dir()) if SHAPES.exists() else []


@pytest.mark.parametrize("shape", [pytest.param(p, id=p.name, marks=[pytest.mark.xfail(reason=XFAIL[p.name], strict=True)]
                                                if p.name in XFAIL else []) for p in SHAPE_DIRS])
def test_shape(shape: Path, tmp_path: Path):
    expected = _expected(shape)
    rows = _rows(_run(shape, tmp_path))
    got = [r["key"] for r in rows]
    missing = [e for e in expected if e not in got]
    extra = [r["key"] for r in rows if r["source"] in OUTLINE_SOURCES and r["key"] not in expected]
    dupes = [e for e in expected if got.count(e) > 1]
    assert not missing and not extra and not dupes, (
        f"{shape.name}\n missing: {missing}\n extra outline rows: {extra}\n duplicated: {dupes}\n all rows: {got}")
    empty = [r["id"] for r in rows if not (isinstance(r["evidence"], str) and r["evidence"].strip())]
    assert not empty, f"{shape.name}: rows without evidence: {empty}"


def test_every_shape_has_its_files():
    assert SHAPE_DIRS, "tests/shapes holds no shapes"
    for shape in SHAPE_DIRS:
        shape_input(shape)
        assert (shape / "expected_initiatives.csv").exists(), shape.name
