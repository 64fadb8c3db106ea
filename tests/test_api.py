"""The Python API does what the command line does, under the same names."""
import pandas as pd

import pipeline
from conftest import ROOT


def test_extract_compare_normalize(tmp_path):
    assert pipeline.normalize("⾏政の⼾籍") == "行政の戸籍"
    result = pipeline.extract(ROOT / "raw", tmp_path)
    assert result.documents == 5 and not result.unreadable and result.counts["kpis"] == 33
    assert (tmp_path / "plans.duckdb").exists() and (tmp_path / "report.html").exists()
    c = pipeline.compare(tmp_path)
    assert any(r["indicator"] == "オープンデータ公開件数" for r in c.kpi_series)
    assert pipeline.normalize("⿊") == "黒"  # still the function after the submodules were imported
    assert len(pd.read_parquet(tmp_path / "initiatives.parquet")) == result.counts["initiatives"]
