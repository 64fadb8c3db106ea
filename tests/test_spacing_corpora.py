"""Corpus-wide: no text column holds a space between two Japanese characters inside a word.

Every corpus under ../shared (text and PDF, samples and real documents) is extracted; every
normalized text column (not `_raw`, not the raw snippets) is checked with the same Sudachi
rule the normalizer applies: applying it again must change nothing. The counter-check: the
separators the rule must keep (tests/test_spacing.py MUST_NOT_JOIN) are kept, and the
outputs still hold spaces between whole words (two cells, label and title).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.normalization.chars import JA, normalizer
from tests.test_spacing import MUST_NOT_JOIN

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPORA = ["corpus", "corpus-pdf", "corpus-real", "real-pdf"]
# columns that keep source text on purpose
NOT_NORMALIZED = {"raw", "snippet", "source_path", "doc_id", "source_sha256"}
_JA_SPACE = re.compile(f"[{JA}] +[{JA}]")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    found = [c for c in CORPORA if (SHARED / c).is_dir()]
    if not found:
        pytest.skip("../shared corpora not present")
    outs = {}
    for c in found:
        out = tmp_path_factory.mktemp(c)
        proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--quiet", "--no-compare",
                               "--raw", str(SHARED / c), "--out", str(out)], cwd=ROOT, capture_output=True,
                              text=True, timeout=900)
        assert proc.returncode in (0, 1), proc.stderr
        outs[c] = out
    return outs


def _text_values(out: Path):
    for path in sorted(out.glob("*.parquet")):
        df = pd.read_parquet(path)
        for col in df.columns:
            if col.endswith("_raw") or col in NOT_NORMALIZED or df[col].dtype != object:
                continue
            for v in df[col].dropna():
                if isinstance(v, str) and _JA_SPACE.search(v):
                    yield path.stem, col, v


def test_no_space_inside_a_word_in_any_text_column(outputs):
    norm = normalizer()
    bad = []
    kept = 0
    for corpus, out in outputs.items():
        for table, col, v in _text_values(out):
            fixed = "\n".join(norm._join_split_words(line) for line in v.split("\n"))
            if fixed != v:
                bad.append((corpus, table, col, v[:80], fixed[:80]))
            else:
                kept += 1
    assert not bad, f"{len(bad)} values with a space inside a word, e.g. {bad[:10]}"
    assert kept > 0, "no separator survived: the rule removes every space between Japanese characters"


def test_separators_are_kept():
    norm = normalizer()
    assert [norm(s) for s in MUST_NOT_JOIN] == MUST_NOT_JOIN
