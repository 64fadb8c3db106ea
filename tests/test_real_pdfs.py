"""End to end over the PDFs municipalities publish (../shared/real-pdf, third-party files that
are never copied into this repository): document facts, no overprint left in any text column,
and the findings a reader owes (overprint, image-only page, furigana, garbled runs)."""
from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SHARED

REAL = SHARED / "real-pdf"
pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is absent: the real municipal PDFs are not "
                                                           "part of this repository; nothing to check")]

# doc_id -> (title, municipality, code, period start, period end); None where the PDF states none
FACTS = {
    "cio-jp/dp2020_02": ("自治体からの通知物デジタル化と、それにより加速する民間サービスへの連携", None, None, None, None),
    "cio-jp/dp2021_06_att": ("データ人材フレームワーク案", None, None, None, None),
    "nobeoka/r8_june_supplementary_budget": ("令和8年度 6月補正予算の概要", None, None, 2026, 2026),
    "nobeoka/r8_policy_budget": ("令和8年度 施政方針・予算説明", "延岡市", "452033", 2026, 2026),
    "otoineppu/kansui_keieis": ("音威子府村簡易水道事業経営戦略", "音威子府村", "014702", 2017, 2026),
    "otoineppu/koudoukeikaku": ("第2次音威子府村特定事業主行動計画", "音威子府村", "014702", 2015, 2024),
    "otoineppu/otoineppu_jinko": ("北海道音威子府村人口ビジョン", "音威子府村", "014702", 2015, 2060),
    "otoineppu/otoineppu_sogosenryaku": ("北海道音威子府村まち・ひと・しごと創生総合戦略", "音威子府村", "014702", 2015, 2019),
}
# two different characters each doubled in a row: what fake bold leaves when it is not merged
DOUBLED = re.compile(r"([\u3040-\u30ff\u3400-\u9fff])\1(?!\1)([\u3040-\u30ff\u3400-\u9fff])\2")


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("real_pdf_out")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--quiet", "--no-compare", "--raw", str(REAL),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return {p.stem: pd.read_parquet(p) for p in out.glob("*.parquet")}


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def test_document_facts(real_run):
    d = real_run["documents"].set_index("doc_id")
    for doc_id, (title, muni, code, start, end) in FACTS.items():
        row = d.loc[doc_id]
        got = (row["title"], _none(row["municipality"]), _none(row["municipality_code"]),
               _none(row["period_start_fy"]), _none(row["period_end_fy"]))
        assert got == (title, muni, code, start, end), doc_id
        assert row["title_source"] in ("cover", "metadata", "cover+metadata")


def test_no_overprint_left_in_text_columns(real_run):
    for name in ("sections", "initiatives", "kpis", "glossary", "documents"):
        t = real_run.get(name)
        if t is None:
            continue
        for col in t.columns:
            if t[col].dtype != object:
                continue
            for v in t[col]:
                assert not (isinstance(v, str) and DOUBLED.search(v)), (name, col, v[:80])


def test_findings_a_reader_owes(real_run):
    i = real_run["issues"]

    def has(doc_id, word, page=None):
        hit = i[(i["doc_id"] == doc_id) & i["message"].str.contains(word)]
        return len(hit) > 0 and (page is None or page in set(hit["page"]))

    assert has("otoineppu/otoineppu_sogosenryaku", "overprint")
    assert has("otoineppu/otoineppu_jinko", "overprint")
    assert has("otoineppu/otoineppu_jinko", "no text layer", page=5)
    assert has("nobeoka/r8_policy_budget", "furigana", page=8)
    assert has("cio-jp/dp2020_02", "garbled")
    assert has("cio-jp/dp2020_02", "national body")
    sections = real_run["sections"]
    body = " ".join(sections[sections["doc_id"] == "nobeoka/r8_policy_budget"]["text"]) if len(sections) else ""
    assert "やすひこよしかず" not in body
