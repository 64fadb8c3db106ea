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
