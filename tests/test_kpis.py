"""KPI tables and lines of other shapes, on small inline examples."""
from pipeline.extractors.kpis import extract
from pipeline.ingest.text import text_blocks
from pipeline.model import Document, Tables
from pipeline.normalization.reflow import normalize_document
from pipeline.rules import load_rules
from pipeline.segment.sections import segment_document


def _kpis(text: str, fmt: str = "md") -> Tables:
    doc = Document("d", "d." + fmt, fmt, "")
    doc.blocks = text_blocks(text, markdown=fmt == "md")
    segment_document(normalize_document(doc))
    t = Tables()
    extract(doc, t, load_rules())
    return t


def test_baseline_and_target_columns_with_years_in_headers_and_cells():
    t = _kpis("取組\t指標\t基準値（令和3年度）\t目標値（令和7年度）\n取組3\tオンライン化手続数①（注1）\t6手続\t24手続（令和4年度）\n"
              "\t電子決裁率\t—\t100%\n\n（注1）オンライン化手続数①：マイナポータルに掲載する手続\n", "txt")
    k = {r["indicator"]: r for r in t.kpis}
    a = k["オンライン化手続数①"]
    assert (a["initiative_id"], a["baseline_value"], a["baseline_fy"], a["target_value"], a["target_fy"]) == ("取組3", 6.0, 2021, 24.0, 2022)
    assert "マイナポータル" in a["notes"]
    b = k["電子決裁率"]
    assert b["initiative_id"] == "取組3" and b["baseline_value"] is None and b["baseline_raw"] == "—" and b["target_unit"] == "%"


def test_current_value_and_midterm_columns():
    t = _kpis("| 指標 | 現状値(R4) | 中間目標(R6) | 目標値(R9) |\n|---|---|---|---|\n| 相談件数 | 120件 | 150件 | 200件 |\n")
    vals = {(v["kind"], v["fiscal_year"]): v["value"] for v in t.kpi_values}
    assert vals == {("baseline", 2022): 120.0, ("plan", 2024): 150.0, ("target", 2027): 200.0}


def test_years_as_rows():
    t = _kpis("| 年度 | 電子申請件数 | 電子決裁率 |\n|---|---|---|\n| 令和3年度(実績) | 1,200件 | 40% |\n"
              "| 令和5年度(実績) | 2,000件 | 60% |\n| 令和7年度(目標) | 5,000件 | 100% |\n")
    k = {r["indicator"]: r for r in t.kpis}
    assert k["電子申請件数"]["target_value"] == 5000.0 and k["電子申請件数"]["target_fy"] == 2025
    actual = {(v["kpi_id"], v["fiscal_year"]) for v in t.kpi_values if v["kind"] == "actual"}
    assert (k["電子決裁率"]["kpi_id"], 2023) in actual


def test_target_lines_under_an_indicator_heading():
    t = _kpis("1 成果指標と目標値(令和7年度)\n\n・オンライン申請件数:5,000件\n\n・電子決裁率:現状40% → 100%\n", "txt")
    k = {r["indicator"]: r for r in t.kpis}
    assert k["オンライン申請件数"]["target_value"] == 5000.0 and k["オンライン申請件数"]["target_fy"] == 2025
    assert k["電子決裁率"]["baseline_value"] == 40.0 and k["電子決裁率"]["target_value"] == 100.0


def test_unparseable_cell_is_a_finding():
    doc = Document("d", "d.md", "md", "")
    doc.blocks = text_blocks("| 指標 | 基準値 | 目標値 |\n|---|---|---|\n| A | 検討中のため未記載 | 10件 |\n", markdown=True)
    segment_document(normalize_document(doc))
    extract(doc, Tables(), load_rules())
    assert any("did not parse" in f.message and "検討中" in f.snippet for f in doc.findings)


def _findings(text: str, fmt: str) -> list[str]:
    doc = Document("d", "d." + fmt, fmt, "")
    doc.blocks = text_blocks(text, markdown=fmt == "md")
    segment_document(normalize_document(doc))
    t = Tables()
    extract(doc, t, load_rules())
    assert not t.kpis
    return [f.message for f in doc.findings]


def test_kpi_header_without_value_columns_is_a_finding():
    found = _findings("| 指標 | 担当課 | 内容 |\n|---|---|---|\n| 相談件数 | 福祉課 | 窓口での相談 |\n", "md")
    assert any("KPI header gave no row" in m for m in found)


def test_values_that_do_not_fill_the_header_columns_are_a_finding():
    found = _findings("成果指標\n\n現状値 目標値\n\n120件 150件 200件\n\n相談件数\n", "txt")
    assert any("3 values under a header of 2 columns" in m for m in found)
