"""Initiatives from each source shape, on small inline examples."""
from pipeline.extractors.initiatives import extract
from pipeline.ingest.text import text_blocks
from pipeline.model import Document, Tables
from pipeline.normalization.reflow import normalize_document
from pipeline.rules import load_rules
from pipeline.segment.outline import build_outline
from pipeline.segment.sections import segment_document


def _rows(text: str, fmt: str = "md") -> tuple[list[dict], Document]:
    doc = Document("d", "d." + fmt, fmt, "")
    doc.blocks = text_blocks(text, markdown=fmt == "md")
    doc.keep_lines()
    rules = load_rules()
    segment_document(normalize_document(doc, rules), rules)
    doc.outline = build_outline(doc, rules)
    t = Tables()
    extract(doc, t, rules)
    return t.initiatives, doc


def _by_id(rows):
    return {r["initiative_id"]: r for r in rows}


def test_tab_table_with_merged_cells_and_priority_legend():
    rows, _ = _rows("指針\t施策\t取組\n指針1 区民サービス\t施策1：情報発信\t取組1：災害時の発信\n"
                    "\t\t取組2：ネット発信*\n\t施策2：手続\t取組3：オンライン化*\n\n*は、自治体DX推進計画に掲げる重点取組\n", "txt")
    r = _by_id(rows)
    assert r["取組2"]["parent_id"] == "施策1" and r["取組2"]["priority"] and r["取組2"]["title"] == "ネット発信"
    assert r["施策2"]["parent_id"] == "指針1" and r["取組3"]["parent_id"] == "施策2"
    assert not r["取組1"]["priority"]


def test_markdown_table_with_number_columns_and_description():
    rows, _ = _rows("| 施策 | | 個別施策 | | 取り組みの方向性 |\n|---|---|---|---|---|\n"
                    "| 1 | 業務を自動化する | 1 | RPAの活用 | 定型業務を自動化します。 |\n| | | 2 | AIの活用 | 先行事例を調べます。 |\n")
    r = _by_id(rows)
    assert r["個別施策2"]["parent_id"] == "施策1" and r["個別施策2"]["description"] == "先行事例を調べます。"


def test_html_table_cell_listing_several_items_and_several_parents():
    rows, _ = _rows("<table><tr><th>目標</th><th>施策</th><th>取組</th></tr>"
                    "<tr><td>目標1 利便性向上</td><td>施策1 窓口</td><td>取組1 オンライン化(★) 取組2 キャッシュレス</td></tr>"
                    "<tr><td>目標2 地域課題</td><td>施策6 データ 施策7 官民連携</td><td>取組16 基盤整備 取組17 オープンデータ(★)</td></tr>"
                    "</table>\n\n【凡例】 ★:「自治体DX推進計画」の重点取組\n")
    r = _by_id(rows)
    assert r["取組2"]["parent_id"] == "施策1" and r["取組1"]["priority"]
    assert r["取組16"]["parent_id"] == "目標2"  # two 施策 in one cell: the 目標 is the parent
    assert r["施策7"]["parent_id"] == "目標2"


def test_gap_in_numbered_series_is_a_finding_not_a_row():
    rows, doc = _rows("施策\t取組\n施策7 A\t取組1 x\n施策9 B\t取組2 y\n", "txt")
    assert "施策8" not in _by_id(rows)
    assert any("施策7 -> 施策9" in f.message for f in doc.findings)


def test_headings_with_field_blocks_and_restarting_numbers():
    text = ("(2) 計画の目標\n\n住民サービスの向上、行政運営の効率化を計画の目標とします。\n\n"
            "1 住民サービスの向上\n\n① 電子申請の強化\n\n事業概要\n\n申請を拡大します。\n\nねらい・効果\n\n便利になります。\n\n担当\n\n情報システム担当、窓口課\n\n"
            "2 行政運営の効率化\n\n① RPAの活用\n\n事業概要\n\n自動化します。\n\n担当\n\n行政改革推進担当\n")
    rows, _ = _rows(text, "txt")
    r = _by_id(rows)
    assert r["目標1"]["title"] == "住民サービスの向上" and r["目標2"]["kind"] == "目標"
    assert r["目標1/事業1"]["parent_id"] == "目標1" and r["目標2/事業1"]["title"] == "RPAの活用"
    assert r["目標1/事業1"]["departments"] == ["情報システム担当", "窓口課"]
    assert r["目標1/事業1"]["effects"] == "便利になります。"


def test_table_of_contents_line():
    rows, _ = _rows("目標2 行政運営の効率化 ………… 22ページ\n\n取組3 オープンデータの推進 …… 14\n", "txt")
    r = _by_id(rows)
    assert r["目標2"]["title"] == "行政運営の効率化" and r["取組3"]["title"] == "オープンデータの推進"


def test_counted_introduction():
    rows, _ = _rows("2 DX推進を踏まえた3つの視点\n\n利用者目線でのデジタル化\n\n常に利用者の目線に立ちます。\n\n"
                    "業務変革\n\nやり方を見直します。\n\n官民連携の仕組みづくり\n\n大学と連携します。\n", "txt")
    assert [(r["initiative_id"], r["title"]) for r in rows] == [
        ("視点1", "利用者目線でのデジタル化"), ("視点2", "業務変革"), ("視点3", "官民連携の仕組みづくり")]


def test_progress_table_flattened_into_lines_gives_each_row_its_status():
    from pathlib import Path
    text = (Path(__file__).parent / "shapes" / "progress-table-flattened-into-lines" / "input.txt").read_text()
    rows, _ = _rows(text, "txt")
    assert [(r["title"], r["status"]) for r in rows if r["source"] == "progress_table"] == [
        ("電子申請システムの導入", "達成"), ("庁内無線LANの整備", "継続"), ("AIチャットボットの活用", "再検討")]


def test_regression_footnote_number_glued_to_an_item_title_is_not_part_of_it():
    """デジタル・デバイド16（情報格差）対策: the outline read the line with footnote 16's citation."""
    rows, doc = _rows("3 推進の基礎となる取組\n\n（１）人材育成\n\n（２）デジタル・デバイド16（情報格差）対策\n\n"
                      "──────────────\n16 情報通信技術を利用できる者と利用できない者との間に生じる格差\n", "txt")
    assert any(ln.raw.startswith("（２）デジタル・デバイド（情報格差）") for ln in doc.lines)
    assert "デジタル・デバイド(情報格差)対策" in {r["title"] for r in rows}
