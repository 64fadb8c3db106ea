"""Document facts from evidence (segment/docinfo.py) on documents built in the test."""
from __future__ import annotations

from pipeline.model import Block, Document
from pipeline.normalization.chars import normalize_text
from pipeline.rules import load_rules
from pipeline.segment.docinfo import describe, find_places

RULES = load_rules()


def _doc(paragraphs=(), cover=(), meta=None, pages=10, fmt="pdf", path="raw/x/plan.pdf") -> Document:
    """`paragraphs`: (page, text) in document order; a text starting with '#' is a heading."""
    doc = Document("x/plan", path, fmt, "0" * 64, pages=pages if fmt == "pdf" else None)
    doc.cover_lines = [(t, size, top) for t, size, top in cover]
    doc.meta = dict(meta or {})
    for page, text in paragraphs:
        kind = "heading" if text.startswith("#") else "paragraph"
        text = text.lstrip("#")
        doc.blocks.append(Block(kind, raw=text, text=normalize_text(text, RULES), page=page, size=12.0))
    return describe(doc, RULES)


def test_whole_names_only():
    assert [m.name for m in find_places("試験区分の見直しと江東区民の声", RULES)] == []
    assert [m.name for m in find_places("第二期昭島市情報化推進計画", RULES)] == ["昭島市"]
    ms = find_places("北海道中川郡音威子府村", RULES)
    assert [m.name for m in ms] == ["北海道", "音威子府村"] and ms[1].prefecture == "北海道"
    assert [m.name for m in find_places("大阪市北区の計画", RULES)] == ["大阪市"]  # a city's ward, not Tokyo's 北区


def test_municipality_from_the_issuer_line_on_the_cover_with_its_code():
    doc = _doc(cover=[("令和８年度", 22, 160), ("施政方針・予算説明", 22, 220), ("延岡市長 三浦 久知", 20, 668)],
               paragraphs=[(3, "福岡市や北九州市と連携します。"), (4, "福岡市の事例を参考にします。")])
    assert (doc.municipality, doc.municipality_code, doc.municipality_source) == ("延岡市", "452033", "cover")
    assert doc.title == "令和8年度 施政方針・予算説明" and doc.title_source == "cover"
    assert (doc.period_start_fy, doc.period_end_fy, doc.period_source) == (2026, 2026, "title")


def test_national_paper_names_no_municipality():
    body = [(p, "福岡市は、LINE公式アカウントを開設しました。") for p in range(3, 9)]
    doc = _doc(cover=[("政府CIO補佐官等ディスカッションペーパー", 12, 44), ("自治体からの通知物デジタル化", 20, 119),
                      ("政府CIO補佐官", 12, 228)], paragraphs=body)
    assert doc.municipality == "" and doc.municipality_code == ""
    assert doc.title == "自治体からの通知物デジタル化" and doc.title_source == "cover"
    assert any("national body" in f.message for f in doc.findings)


def test_same_name_in_two_prefectures_needs_the_prefecture():
    doc = _doc(fmt="txt", path="raw/x/plan.txt", paragraphs=[(None, "府中市情報化推進計画")])
    assert doc.municipality == "府中市" and doc.municipality_code == ""
    assert any("several municipalities" in f.message for f in doc.findings)
    doc = _doc(fmt="txt", path="raw/x/plan.txt", paragraphs=[(None, "府中市情報化推進計画"), (None, "東京都の方針を踏まえ、東京都と連携します。")])
    assert (doc.municipality, doc.municipality_code) == ("府中市", "132063")


def test_period_from_its_statement_not_the_first_range():
    doc = _doc(paragraphs=[(2, "この法律では、平成17年度から平成26年度までの時限立法として定められました。"),
                           (2, "#3 計画期間"),
                           (2, "平成27年度から平成36年度までの10年間とし、平成31年度中に見直しを行います。")])
    assert (doc.period_start_fy, doc.period_end_fy) == (2015, 2024) and doc.period_source == "period_phrase"


def test_period_with_a_length_and_late_mentions_of_other_plans_ignored():
    doc = _doc(pages=17, paragraphs=[(1, "本計画の計画期間は、令和3年度から5か年とします。"),
                                     (14, "令和9年度から3か年を計画期間とする第10期計画を策定します。")])
    assert (doc.period_start_fy, doc.period_end_fy) == (2021, 2025)
    doc = _doc(pages=17, cover=[("令和８年度 施政方針", 22, 160)],
               paragraphs=[(14, "令和9年度から3か年を計画期間とする第10期計画を策定します。")])
    assert (doc.period_start_fy, doc.period_end_fy, doc.period_source) == (2026, 2026, "title")


def test_title_metadata_checked_against_the_cover():
    # a file name in the metadata is no title
    doc = _doc(cover=[("付録", 16, 121), ("データ人材フレームワーク案", 16, 217), ("2021年8月", 14, 584)],
               meta={"Title": "Microsoft Word - dp2021_06_att"})
    assert doc.title == "データ人材フレームワーク案" and doc.title_source == "cover"
    # the cover's title is an image, its largest text a slogan: the metadata's title, with a finding
    doc = _doc(pages=49, cover=[("森と水と人が織りなす匠の里", 14, 660)], meta={"Title": "北海道テスト村人口ビジョン"},
               paragraphs=[(7, "テスト村人口ビジョンの対象期間は、2015年から2060年までとします。")])
    assert doc.title == "北海道テスト村人口ビジョン" and doc.title_source == "metadata"
    assert (doc.period_start_fy, doc.period_end_fy) == (2015, 2060)
    assert any("no title" in f.message for f in doc.findings)
    # both agree
    doc = _doc(cover=[("音威子府村簡易水道事業経営戦略", 22, 148), ("団体名：音威子府村", 14, 227)],
               meta={"Title": "音威子府村簡易水道事業経営戦略"})
    assert doc.title_source == "cover+metadata" and doc.municipality_code == "014702"
