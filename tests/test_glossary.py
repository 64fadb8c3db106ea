"""Glossary extraction on small inline examples."""
from pipeline.model import Block, Document, Tables
from pipeline.normalization.reflow import normalize_document
from pipeline.extractors.glossary import extract
from pipeline.rules import load_rules


def _doc(*blocks: Block) -> Document:
    d = Document("d", "d.txt", "txt", "")
    d.blocks = list(blocks)
    return normalize_document(d)


def _terms(doc: Document) -> dict:
    t = Tables()
    extract(doc, t, load_rules())
    return {r["term"]: (r["expansion"], r["definition"], r["source"]) for r in t.glossary}


def test_footnote_with_expansion_and_definition():
    d = _doc(Block("footnote", raw="1 ICT（Information & Communications Technology）：情報通信技術。共有すること", number=1))
    assert _terms(d)["ICT"] == ("Information & Communications Technology", "情報通信技術。共有すること", "footnote")


def test_inline_shapes():
    d = _doc(Block("line", raw="デジタルトランスフォーメーション（DX）の推進と、副区長を「最高情報統括責任者（CIO）」に位置付け"),
             Block("line", raw="（３）ＩｏＴ（Internet of Things モノのインターネット）"),
             Block("line", raw="統合型GIS（地理情報システム）について調査し、通信の高速化（5G）を図る"))
    t = _terms(d)
    assert t["DX"] == ("デジタルトランスフォーメーション", None, "inline")
    assert t["CIO"] == (None, "最高情報統括責任者", "inline")
    assert t["IoT"] == ("Internet of Things", "モノのインターネット", "inline")
    assert t["GIS"][1] == "地理情報システム"
    assert "5G" not in t


def test_years_and_counts_in_brackets_are_not_definitions():
    d = _doc(Block("line", raw="平成２８年通信利⽤動向調査（総務省）によると、35手續（令和元年度）"))
    assert _terms(d) == {}


def test_brackets_that_define_nothing_are_rejected():
    d = _doc(Block("line", raw="行政手続の電子化（以下、電子化）を進める。地方公共団体（自治体）と、通知手段（SMS、RCS）。"),
             Block("line", raw="「架空市DX（デジタル変革）推進計画」を策定し、架空市人口ビジョン（仮称）を示す。"),
             Block("line", raw="民間企業（NTT）が提供し、個人情報の保護（漏えいの防止）を図る。"),
             Block("line", raw="一般財団法人架空情報協会（KJK）"))
    assert _terms(d) == {}


def test_loanword_and_its_japanese_gloss():
    d = _doc(Block("line", raw="定額制サービス（サブスクリプション）の普及と、ディープラーニング（深層学習）の活用。"),
             Block("line", raw="自治体データポータビリティ（マイデータ）を進める。"))
    t = _terms(d)
    assert t["サブスクリプション"] == (None, "定額制サービス", "inline")
    assert t["ディープラーニング"] == (None, "深層学習", "inline")
    assert "マイデータ" not in t


def test_spelled_out_forms_before_the_acronym():
    d = _doc(Block("line", raw="根拠に基づく政策立案（EBPM）と、ID・パスワード（PWD）の管理、「モノのインターネット（IoT）」。"),
             Block("line", raw="「水の官民連携」（ウォーターPPP）を導入し、IT1（情報通信技術）を使う。"))
    t = _terms(d)
    assert t["EBPM"] == (None, "根拠に基づく政策立案", "inline")
    assert t["PWD"] == ("パスワード", None, "inline")
    assert t["IoT"] == (None, "モノのインターネット", "inline")
    assert t["ウォーターPPP"] == (None, "水の官民連携", "inline")
    assert t["IT"] == (None, "情報通信技術", "inline")


def test_explanations_ages_and_counted_lists():
    d = _doc(Block("line", raw="年少人口（０～１４歳）と高齢者人口（65歳以上の人口）、江東5区（墨田区・江東区・足立区・葛飾区・江戸川区）。"),
             Block("line", raw="半工半農制度（半年工芸等制作活動・1年の半年農業従事）を設け、策定（一部追加）した。"))
    t = _terms(d)
    assert t["年少人口"] == (None, "0〜14歳", "inline")
    assert t["高齢者人口"][1] == "65歳以上の人口"
    assert t["江東5区"][1].startswith("墨田区")
    assert t["半工半農制度"][1].startswith("半年工芸")
    assert "策定" not in t


def test_notes_and_marked_footnotes_merge_with_inline():
    d = _doc(Block("line", raw="県のDX（デジタルトランスフォーメーション）（※）の推進。"),
             Block("line", raw="（※）DX：ICTの浸透が人々の生活を良い方向に変化させること"),
             Block("line", raw="◇純定住率とは、この純移動率に1.0を加えた数値であり、転入超過なら1.0を超えます。"),
             Block("line", raw="コンテンツを添付ファイルで送ることとは別に、テキストで送る。"))
    t = _terms(d)
    assert t["DX"] == ("デジタルトランスフォーメーション", "ICTの浸透が人々の生活を良い方向に変化させること", "footnote")
    assert t["純定住率"][1].startswith("この純移動率に1.0を加えた数値")
    assert t["純定住率"][2] == "note"
    assert len(t) == 2
