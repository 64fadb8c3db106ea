import pytest

from pipeline.segment.headings import match_heading, parse_number


@pytest.mark.parametrize("line, style, label, number, title", [
    ("第2章 計画の方針", "chapter", "第2章", 2, "計画の方針"),
    ("第3章", "chapter", "第3章", 3, ""),
    ("1 ICTを取り巻く環境", "number", "1", 1, "ICTを取り巻く環境"),
    ("(4)AI(Artificial Intelligence 人工知能)", "paren_number", "(4)", 4, "AI(Artificial Intelligence 人工知能)"),
    ("① 社会保障・税番号制度の推進", "circled", "①", 1, "社会保障・税番号制度の推進"),
    ("1-1-3 オープンデータの推進", "dotted3", "1-1-3", 3, "オープンデータの推進"),
    ("ア 情報発信", "katakana", "ア", 1, "情報発信"),
    ("はじめに", "matter", "", None, "はじめに"),
])
def test_heading_styles(line, style, label, number, title):
    m = match_heading(line)
    assert m is not None and (m.style, m.label, m.number, m.title) == (style, label, number, title)


@pytest.mark.parametrize("line", [
    "2020年東京オリンピック", "本区では、平成13年度、電子自治体の実現に向けて",
    "1 前項のほか、必要な事項は、幹事長が別に定める。(事務局)",
])
def test_sentences_are_not_headings(line):
    assert match_heading(line) is None


def test_parse_number():
    assert [parse_number(x) for x in ("12", "三", "十二", "③", "ウ")] == [12, 3, 12, 3, 3]
