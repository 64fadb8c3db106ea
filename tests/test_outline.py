"""The outline module on tiny inline inputs: enumerator labels, ordinals, contents entries,
page order, tree levels from document order, and the kind/title helpers of the classifier."""
from __future__ import annotations

import pytest

from pipeline.extractors.initiatives.classify import clean_title, kind_phrase
from pipeline.model import Entry
from pipeline.normalization.chars import normalizer
from pipeline.rules import load_rules
from pipeline.segment.enumerators import ordinal, parse_label
from pipeline.segment.outline import (build_tree, compile_rules, entries_of, in_page_order, line_entry,
                                      packed_entries, walk)

RULES = load_rules()
R = compile_rules(RULES)
NORM = normalizer(RULES)


def _label(text: str):
    return parse_label(NORM(text), R.styles)


def _entries(*lines: str) -> list[Entry]:
    return entries_of([(t, None) for t in lines], R, NORM)


def _tree(*lines: str) -> list[tuple[int, str, str]]:
    """(level, label, title) of every node, in document order."""
    return [(n.level, n.label.text, n.title) for n in walk(build_tree(_entries(*lines), R))]


# --- enumerator styles: (text, style, label as read, ordinal, kind) -------------------------

LABELS = [
    ("第3章 計画の推進", "chapter", "第3章", 3, None),
    ("第 2 章 現状", "chapter", "第2章", 2, None),
    ("第1部 総論", "part", "第1部", 1, None),
    ("第2節 施策", "section_word", "第2節", 2, None),
    ("第1項 窓口", "kou", "第1項", 1, "項"),
    ("基本目標Ⅱ 安全なまち", "kind_label", "基本目標II", 2, "基本目標"),
    ("施策1-2 窓口の改善", "kind_label", "施策1-2", 2, "施策"),
    ("主要施策-1 電子申請", "kind_label", "主要施策-1", 1, "主要施策"),
    ("取組3: 無線LAN", "kind_label", "取組3", 3, "取組"),
    ("【1-1】 人材育成", "bracket_number", "【1-1】", 1, None),
    ("1-2-3 庁内LAN", "dotted3", "1-2-3", 3, None),
    ("4.1 情報発信", "dotted2", "4.1", 1, None),
    ("Ⅳ 計画の推進", "roman", "IV", 4, None),
    ("1. 計画の目的", "number_dot", "1", 1, None),
    ("１．計画の目的", "number_dot", "1", 1, None),
    ("2) 概要", "number_paren", "2)", 2, None),
    ("(1) 窓口の改善", "paren_number", "(1)", 1, None),
    ("（２）窓口の改善", "paren_number", "(2)", 2, None),
    ("⑴ 窓口の改善", "paren_number", "(1)", 1, None),
    ("1 計画の目的", "number", "1", 1, None),
    ("１ 目的", "number", "1", 1, None),
    ("① 電子申請", "circled", "①", 1, None),
    ("(一) 総則", "paren_kanji", "(一)", 1, None),
    ("三 雑則", "kanji_number", "三", 3, None),
    ("(ア) 情報発信", "paren_katakana", "(ア)", 1, None),
    ("ウ 情報発信", "katakana", "ウ", 3, None),
    ("a) 概要", "latin", "a)", 1, None),
]


@pytest.mark.parametrize("text,style,label,number,kind", LABELS, ids=[t[0] for t in LABELS])
def test_parse_label_styles(text, style, label, number, kind):
    lab = _label(text)
    assert lab is not None, text
    assert (lab.style, lab.text, lab.number, lab.kind) == (style, label, number, kind)


def test_structural_styles_are_only_chapter_part_section():
    assert _label("第3章 x").structural and _label("第1部 x").structural and _label("第2節 x").structural
    assert not _label("第1項 x").structural and not _label("施策1 x").structural


def test_normalized_roman_numeral_label():
    assert NORM("基本目標Ⅱ") == "基本目標II"
    assert _label("基本目標Ⅱ").text == "基本目標II"


@pytest.mark.parametrize("text", ["2.5% の増加", "令和6年度", "本計画は", "12345 件"])
def test_no_label(text):
    lab = _label(text)
    assert lab is None or lab.style not in ("dotted2", "number_dot", "number"), lab


def test_kind_label_key_keeps_different_words_apart():
    assert _label("施策1 x").key != _label("取組1 x").key
    assert _label("施策1 x").key == _label("施策2 x").key
    assert _label("(1) x").key == "paren_number"


# --- ordinals ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,n", [
    ("3", 3), ("12", 12), ("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
    ("③", 3), ("⑳", 20), ("㉑", 21), ("ウ", 3), ("ア", 1), ("III", 3), ("IV", 4), ("IX", 9), ("XII", 12),
    ("b", 2), ("1-2-3", 3), ("4.1", 1), ("2 - 5", 5),
])
def test_ordinal(text, n):
    assert ordinal(text) == n


@pytest.mark.parametrize("text", [None, "", "あ", "Z"])
def test_ordinal_none(text):
    assert ordinal(text) is None


# --- lines and contents entries ------------------------------------------------------------

def test_line_entry_with_leader_and_page():
    e = line_entry("1 計画の趣旨 ······ 3", 0, None, R, NORM)
    assert (e.label.text, e.title, e.contents, e.page_ref) == ("1", "計画の趣旨", True, "3")


def test_line_entry_strips_bullet_and_colon():
    e = line_entry("- 戦略テーマ1: 人材育成", 0, None, R, NORM)
    assert (e.label.kind, e.label.number, e.title, e.contents) == ("戦略テーマ", 1, "人材育成", False)


def test_line_entry_without_label():
    e = line_entry("主な施策", 0, None, R, NORM)
    assert e.label is None and e.title == "主な施策"


def test_packed_entries_split_titles_from_page_numbers():
    line = "目次 第1章 計画の考え方 1 計画の趣旨 ・・・・1 2 計画の期間 ・・・・2 第2章 施策の展開 (1)窓口の改善 ・・・・6"
    got = [(e.label.text if e.label else None, e.title, e.page_ref) for e in packed_entries(line, 0, None, R, NORM)]
    assert got == [(None, "目次", None), ("第1章", "計画の考え方", None), ("1", "計画の趣旨", "1"),
                   ("2", "計画の期間", "2"), ("第2章", "施策の展開", None), ("(1)", "窓口の改善", "6")]
    assert all(e.contents for e in packed_entries(line, 0, None, R, NORM))


def test_packed_entries_bare_page_numbers_without_leaders():
    got = [(e.label.text, e.title, e.page_ref)
           for e in packed_entries("1 行政のデジタル化 3 2 地域のデジタル化 8", 0, None, R, NORM)]
    assert got == [("1", "行政のデジタル化", "3"), ("2", "地域のデジタル化", "8")]


def test_packed_entries_two_labels_in_a_row_take_titles_in_order():
    got = [(e.label.text, e.title, e.page_ref)
           for e in packed_entries("基本目標Ⅰ 1 安心なまち 防災の強化 20 (1)避難情報の配信", 0, None, R, NORM)]
    assert got == [("基本目標I", "安心なまち", None), ("1", "防災の強化", "20"), ("(1)", "避難情報の配信", None)]


def test_entries_of_label_on_its_own_line_takes_the_next_line():
    es = _entries("目次", "1", "計画の趣旨 ······ 3", "2", "計画の期間 ······ 5")
    assert [(e.label.text, e.title, e.page_ref, e.contents) for e in es] == [
        ("1", "計画の趣旨", "3", True), ("2", "計画の期間", "5", True)]


def test_entries_of_whole_contents_on_one_line_is_packed():
    es = _entries("目次 第1章 計画の考え方 1 計画の趣旨 ・・・・1 2 計画の期間 ・・・・2")
    assert [e.title for e in es if e.label] == ["計画の考え方", "計画の趣旨", "計画の期間"]


def test_body_lines_are_not_contents():
    es = _entries("1 計画の趣旨", "本計画は、市の情報化を進めるものです。", "2 計画の期間")
    assert [e.contents for e in es if e.label] == [False, False]


# --- page order ----------------------------------------------------------------------------

def _paged(*pairs: tuple[str, str | None]) -> list[Entry]:
    return [Entry(None, t, k, None, contents=True, page_ref=p) for k, (t, p) in enumerate(pairs)]


def test_in_page_order_two_columns_read_across():
    es = _paged(("A", "1"), ("X", "10"), ("B", "2"), ("Y", "11"), ("C", "3"), ("Z", "12"))
    assert [e.title for e in in_page_order(es)] == ["A", "B", "C", "X", "Y", "Z"]


def test_in_page_order_entry_without_page_goes_with_the_next():
    es = _paged(("A", "1"), ("X-chapter", None), ("X", "10"), ("B", "2"), ("Y", "11"), ("C", "3"))
    assert [e.title for e in in_page_order(es)] == ["A", "B", "C", "X-chapter", "X", "Y"]


def test_in_page_order_keeps_order_with_one_fall():
    es = _paged(("A", "1"), ("B", "5"), ("C", "3"), ("D", "8"))
    assert [e.title for e in in_page_order(es)] == ["A", "B", "C", "D"]


def test_in_page_order_in_order_unchanged():
    es = _paged(("A", "1"), ("B", "2"), ("C", "3"))
    assert in_page_order(es) == es


# --- tree levels from document order -------------------------------------------------------

def test_build_tree_levels_from_first_appearance():
    assert _tree("1 窓口の改善", "(1) 書かない窓口", "① 申請書の自動作成", "(2) 電子納付", "2 人材の育成", "(1) 研修") == [
        (1, "1", "窓口の改善"), (2, "(1)", "書かない窓口"), (3, "①", "申請書の自動作成"),
        (2, "(2)", "電子納付"), (1, "2", "人材の育成"), (2, "(1)", "研修")]


def test_build_tree_circled_above_paren_number_when_the_document_says_so():
    tree = _tree("① 窓口の改善", "(1) 書かない窓口", "(2) 電子納付", "② 人材の育成", "(1) 研修")
    assert tree == [(1, "①", "窓口の改善"), (2, "(1)", "書かない窓口"), (2, "(2)", "電子納付"),
                    (1, "②", "人材の育成"), (2, "(1)", "研修")]


def test_build_tree_structural_never_nests_under_items():
    tree = _tree("第1章 計画の概要", "1 計画の趣旨", "(1) 背景", "第2章 施策", "1 窓口の改善")
    assert tree == [(1, "第1章", "計画の概要"), (2, "1", "計画の趣旨"), (3, "(1)", "背景"),
                    (1, "第2章", "施策"), (2, "1", "窓口の改善")]


def test_build_tree_section_nests_under_chapter():
    assert [lv for lv, *_ in _tree("第1章 総論", "第1節 趣旨", "第2節 期間", "第2章 各論")] == [1, 2, 2, 1]


def test_build_tree_kind_label_does_not_nest_under_deeper_item():
    tree = _tree("第1章 施策", "第1項 窓口", "基本目標2 安全なまち")
    assert tree == [(1, "第1章", "施策"), (2, "第1項", "窓口"), (2, "基本目標2", "安全なまち")]


def test_new_list_of_plain_numbers_starting_at_9_is_rejected():
    assert _tree("第1章 現状", "9 人口の推移") == [(1, "第1章", "現状")]
    assert _tree("第1章 現状", "9. 人口の推移") == [(1, "第1章", "現状")]
    # a long first line is no heading of an excerpt that opens mid-list
    assert _tree("9 人口の推移と将来の見通しについての分析結果の概要") == []


def test_an_excerpt_may_open_mid_list_on_a_short_heading():
    assert [t for _lv, t, _ in _tree("5 重点取組", "(1) 手続のオンライン化")] == ["5", "(1)"]


def test_jump_in_a_running_list_is_rejected():
    assert [t for _lv, t, _ in _tree("1 窓口", "2 人材", "9 図表")] == ["1", "2"]


def test_sentences_are_not_headings():
    assert _tree("1 本計画は市の情報化を進めるものです。") == []


# --- classifier helpers --------------------------------------------------------------------

@pytest.mark.parametrize("title,kind", [
    ("ICT活用施策", "ICT活用施策"),
    ("DX推進の方向性", "方向性"),
    ("具体的な取り組み", "取り組み"),
    ("具体的取組", "具体的取組"),
    ("主な施策", "施策"),
    ("目標に対する施策", "施策"),
    ("重点目標「3つのD」", "重点目標"),
    ("(重点施策)", "重点施策"),
    ("1 策定方針", None),
    ("策定方針", None),
    ("計画の趣旨", None),
    ("窓口の改善", None),
])
def test_kind_phrase(title, kind):
    assert kind_phrase(title, R) == kind


@pytest.mark.parametrize("title,clean", [
    ("最適化による県民サービスの向上 D(デジタル) for 「Citizen」", "最適化による県民サービスの向上"),
    ("暮らしの質の向上(生活)", "暮らしの質の向上"),
    ("子育て支援「すくすく」", "子育て支援"),
    ("子育て支援", "子育て支援"),
    ("【重点】", "【重点】"),
])
def test_clean_title(title, clean):
    assert clean_title(title, R) == clean


@pytest.mark.parametrize("text,kind,number", [
    ("重点取組1 電子申請の拡充", "重点取組", 1),   # the noun glued to a kind word is part of the kind
    ("推進施策2-1 業務改革", "推進施策", 1),
])
def test_kind_label_with_a_glued_noun(text, kind, number):
    lab = parse_label(text, R.styles)
    assert lab is not None and lab.style == "kind_label" and (lab.kind, lab.number) == (kind, number)


@pytest.mark.parametrize("text", ["具体的取組 19", "重点取組 3 施策の体系"])
def test_a_glued_kind_phrase_before_a_page_number_is_no_label(text):
    lab = parse_label(text, R.styles)
    assert lab is None or lab.style != "kind_label"
