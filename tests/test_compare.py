"""The cross-document layer over raw/: DuckDB views, KPI series, ward × topic, compare CLI."""
import subprocess
import sys

import duckdb
import pandas as pd

from conftest import ROOT

ALL_VIEWS = {"documents", "sections", "initiatives", "kpis", "kpi_values", "glossary", "issues",
             "kpi_series", "initiative_topics", "ward_topics", "untagged_initiatives"}


def test_duckdb_views_with_comments(text_run):
    out, _ = text_run
    con = duckdb.connect(str(out / "plans.duckdb"), read_only=True)
    views = dict(con.execute("select view_name, comment from duckdb_views() where not internal").fetchall())
    assert ALL_VIEWS <= set(views) and all(views[v] for v in ALL_VIEWS)
    missing = con.execute("select table_name, column_name from duckdb_columns() "
                          "where table_name in (select view_name from duckdb_views() where not internal) "
                          "and (comment is null or comment = '')").fetchall()
    assert not missing
    assert con.execute("select count(*) from kpis").fetchone()[0] == 33


def test_kpi_series_across_editions(text_run):
    out, _ = text_run
    s = pd.read_parquet(out / "kpi_series.parquet")
    od = s[(s["municipality"] == "墨田区") & s["indicator"].eq("オープンデータ公開件数")]
    assert od["indicator_key"].nunique() == 1
    assert set(od["doc_id"]) == {"sumida/2021-plan-summary", "sumida/2023-presentation"}
    key = od["indicator_key"].iloc[0]
    rows = s[(s["municipality"] == "墨田区") & (s["indicator_key"] == key)]
    assert ((rows["fiscal_year"] == 2022) & (rows["kind"] == "actual") & (rows["value"] == 154)).any()
    assert ((rows["fiscal_year"] == 2025) & (rows["kind"] == "target") & (rows["value"] == 200)).any()
    # a revised baseline: both rows stay, the newer edition is current
    base = rows[(rows["fiscal_year"] == 2021) & (rows["kind"] == "baseline")].set_index("doc_id")
    assert base.loc["sumida/2021-plan-summary", "value"] == 118 and not base.loc["sumida/2021-plan-summary", "current"]
    assert base.loc["sumida/2023-presentation", "value"] == 130 and base.loc["sumida/2023-presentation", "current"]
    # spelling variants across editions are one indicator (rules/synonyms.toml)
    sumida = s[s["municipality"] == "墨田区"]
    for a, b in (("文書管理システム電子決裁率", "文書管理システム電子決済率"),
                 ("オンライン相談等実施事業数", "オンライン相談等実施業務数")):
        keys = set(sumida[sumida["indicator"].isin([a, b])]["indicator_key"])
        assert len(keys) == 1


def test_ward_topics_and_untagged(text_run):
    out, _ = text_run
    w = pd.read_parquet(out / "ward_topics.parquet")
    for muni in ("墨田区", "大田区", "江東区"):
        topics = set(w[w["municipality"] == muni]["topic"])
        assert {"rpa_ai", "open_data"} <= topics, muni
    inits = pd.read_parquet(out / "initiatives.parquet")
    tagged = pd.read_parquet(out / "initiative_topics.parquet")
    untagged = pd.read_parquet(out / "untagged_initiatives.parquet")
    ids = set(zip(inits["doc_id"], inits["initiative_id"]))
    covered = set(zip(tagged["doc_id"], tagged["initiative_id"])) | set(zip(untagged["doc_id"], untagged["initiative_id"]))
    assert ids == covered
    assert len(untagged) / len(inits) < 0.15


def test_compare_command_prints_matrix_and_shared_kpis(text_run):
    out, _ = text_run
    proc = subprocess.run([sys.executable, "-m", "pipeline", "compare", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert "RPA・AI" in proc.stdout and "墨田区" in proc.stdout and "大田区" in proc.stdout
    assert "墨田区 オープンデータ公開件数: actual 154 (FY2022), target 200 (FY2025)" in proc.stdout


def test_topics_match_words_not_substrings():
    from pipeline.crossdoc.series import _topics, topics_of
    from pipeline.rules import load_rules

    topics = _topics(load_rules())
    assert "rpa_ai" in topics_of("RPAを活用した業務改善", topics)
    assert "security" in topics_of("情報セキュリティ対策の高度化", topics)
    assert "rpa_ai" not in topics_of("メールアドレスの管理", topics)  # "AI" inside a word is not AI
