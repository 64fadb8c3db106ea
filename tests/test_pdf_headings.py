"""Heading detection over a PDF's lines (pipeline/segment/pdf_headings.py), on tiny inline inputs."""
import pytest

from pipeline.rules import load_rules
from pipeline.segment.pdf_headings import (HeadLabel, PdfLine, assign_levels, clean_title, contents_lines, detect,
                                           missing_numbers, split_label)

RULES = load_rules()


@pytest.mark.parametrize("text, style, label, title", [
    ("第１章 総論", "chapter", "第1章", "総論"),
    ("１．事業概要", "number", "1", "事業概要"),
    ("Ⅲ．音威子府村の総合戦略", "roman", "III", "音威子府村の総合戦略"),
    ("（２）水需要の予測", "paren", "(2)", "水需要の予測"),
    ("① 給 水", "circled", "①", "給 水"),
    ("1.1 背景", "dotted2", "1.1", "背景"),
    ("3) 総合評価", "rparen", "3)", "総合評価"),
    ("a) コースウェア", "latin", "a)", "コースウェア"),
    ("参考２ 検討協力", "appendix_参考", "参考2", "検討協力"),
    ("64 号）が平成 27 年", "", "", "64 号)が平成 27 年"),   # a number followed by a unit is no label
    ("2015年の人口", "", "", "2015年の人口"),
])
def test_split_label(text, style, label, title):
    assert split_label(text) == HeadLabel(style, label, title)


def _doc(rows):
    return [PdfLine(t, page, x0, size, font) for page, x0, size, font, t in rows]


def test_contents_titles_anchor_unnumbered_headings_and_teach_the_style():
    lines = _doc([
        (1, 80, 12, "M", "目次"),
        (1, 80, 12, "M", "概要 .......... 1"),
        (1, 80, 12, "M", "1.1 背景 .......... 1"),
        (1, 80, 12, "M", "人材体系 .......... 2"),
        (2, 100, 12, "G", "概要"),
        (2, 80, 12, "G", "1.1 背景"),
        (2, 80, 12, "M", "本文は明朝体で書かれている。"),
        (2, 80, 12, "G", "1) データ量の増加"),          # not in the contents, but in the learned style
        (2, 80, 12, "M", "2) 本文中の番号付きの行"),     # body style: not a heading
        (3, 100, 12, "G", "人材体系"),
        (3, 80, 12, "M", "本文は明朝体で書かれている。本文は明朝体で書かれている。"),
    ])
    heads, toc = detect(lines, RULES)
    assert toc == {0, 1, 2, 3}
    assert [lines[i].text for i in sorted(heads)] == ["概要", "1.1 背景", "1) データ量の増加", "人材体系"]


def test_contents_lines_need_several_leader_lines():
    rows, titles = contents_lines(_doc([(1, 80, 12, "M", "合計 .......... 1")]), RULES)
    assert rows == set() and titles == []


def test_without_contents_a_styled_number_or_a_strong_label_heads():
    body = "これは本文の行で、見出しではありません。"
    lines = _doc([
        (1, 80, 12, "M", "第１章 総論"),
        (1, 80, 12, "M", body * 3),
        (1, 80, 12, "M", "１ はじめに"),
        (1, 80, 12, "M", body * 3),
        (1, 80, 12, "M", "（１）妊娠中及び出産後における配慮"),
        (1, 80, 12, "M", "［現状と課題］"),             # bracket block label
        (1, 80, 12, "M", "図 1 人口の推移"),            # caption
        (1, 80, 8, "M", "1 注記の行"),                  # smaller than body: a footnote
        (1, 80, 12, "M", "64 号）が平成 27 年に施行"),    # a number with a unit
    ])
    heads, _ = detect(lines, RULES)
    assert [lines[i].text for i in sorted(heads)] == ["第１章 総論", "１ はじめに", "（１）妊娠中及び出産後における配慮"]


def test_levels_follow_the_documents_own_nesting():
    sig = ("G", 12.0)
    h = lambda s: split_label(s)  # noqa: E731
    heads = [h("（１）事業"), h("① 給水"), h("② 施設"), h("（２）取組"), h("① 投資")]
    assert assign_levels([(x, sig) for x in heads]) == [1, 2, 2, 1, 2]
    # ① above (1) in another document
    heads = [h("① 目標"), h("（１）項目"), h("② 目標")]
    assert assign_levels([(x, sig) for x in heads]) == [1, 2, 1]
    # a style met before closes the styles it was once above: (2) after ① under 1
    heads = [h("1 取組"), h("（１）基礎"), h("① 人材"), h("2 情報化"), h("① 電子申請"), h("（２）効率化"), h("① RPA")]
    assert assign_levels([(x, sig) for x in heads]) == [1, 2, 3, 1, 2, 2, 3]


def test_unnumbered_headings_nest_by_their_neighbours():
    sig, other = ("G", 12.0), ("U", 11.0)
    h = lambda s: split_label(s)  # noqa: E731
    # chapters without their auto-number, then N.1: the chapter is the top
    heads = [(h("概要"), sig), (h("1.1 背景"), sig), (h("1) 増加"), sig), (h("人材体系"), sig), (h("2.1 体系"), sig)]
    levels = assign_levels(heads)
    assert levels == [1, 2, 3, 1, 2]
    assert missing_numbers([x for x, _ in heads], levels) == {0: "1", 3: "2"}
    # unnumbered headings under a numbered one, siblings of each other
    heads = [(h("Ⅰ．総論"), sig), (h("策定の趣旨"), other), (h("対象期間"), other), (h("Ⅱ．各論"), sig)]
    assert assign_levels(heads) == [1, 2, 2, 1]


def test_chapters_found_below_other_numbers_are_the_top():
    sig = ("G", 12.0)
    heads = [split_label(s) for s in ("1 環境", "（１）通信", "第2章 方針", "1 目的")]
    assert assign_levels([(x, sig) for x in heads]) == [1, 2, 1, 2]


def test_clean_title_drops_a_spaced_colon_subtitle_only():
    assert clean_title("投資・財政計画(収支計画) : 別紙のとおり") == "投資・財政計画(収支計画)"
    assert clean_title("福岡市:生活密着情報の配信") == "福岡市:生活密着情報の配信"


def test_front_matter_is_top_level_and_a_number_out_of_series_is_running_text():
    body = "これは本文の行で、見出しではありません。"
    lines = _doc([
        (1, 57, 16.5, "G", "はじめに"),
        (1, 57, 10.5, "M", body * 3),
        (1, 62, 13, "G", "1 環境"),
        (1, 57, 10.5, "M", body * 3),
        (1, 62, 13, "G", "2 国の動向"),
        (2, 62, 13, "G", "13 墨企経室第3112号"),   # 13 after 2: not the next heading
    ])
    heads, _ = detect(lines, RULES)
    assert [h.style for _, h in sorted(heads.items())] == ["matter", "number", "number"]
    levels = assign_levels([(h, ("G", 13.0)) for _, h in sorted(heads.items())])
    assert levels == [1, 1, 1]


def test_what_never_heads_is_read_from_the_rules():
    """The caption cue is rules/headings.toml's [pdf_layout], not code: a plan whose figures are
    captioned another way is taught by the rule file."""
    import copy
    import dataclasses

    from pipeline.segment.pdf_headings import _candidate, _cues

    toml = copy.deepcopy(RULES.toml)
    toml["headings"]["pdf_layout"]["caption_pattern"] = r"^\s*グラフ\s*[0-9]"
    other = dataclasses.replace(RULES, toml=toml, _compiled={}, _memo={})
    figure, chart = PdfLine("図 1 人口の推移", 1, 80, 12, "M"), PdfLine("グラフ 1 人口の推移", 1, 80, 12, "M")
    assert _candidate(figure, 12, _cues(RULES)) is None and _candidate(chart, 12, _cues(RULES)) is not None
    assert _candidate(figure, 12, _cues(other)) is not None and _candidate(chart, 12, _cues(other)) is None
