"""PDF ingest on small PDFs the tests draw themselves (reportlab, CID font HeiseiMin-W3, no font
file needed): furigana, stacked vertical labels, letter-spaced labels, running header and page
numbers, chart text, overprint, image-only pages, cover and metadata."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("reportlab")
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from pipeline.model import Document  # noqa: E402
from pipeline.runner.run import build_document  # noqa: E402
from pipeline.rules import load_rules  # noqa: E402

FONT = "HeiseiMin-W3"
W, H = 595.0, 842.0
BODY = "本文の段落です。計画の内容を説明するための文章がここに続きます。"


@pytest.fixture(scope="module", autouse=True)
def _font():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _text(c, x, y_top, s, size=12.0):
    """Draw `s` with its top edge at y_top (pdfplumber's top coordinates)."""
    c.setFont(FONT, size)
    c.drawString(x, H - y_top - size * 0.88, s)


def _spaced(c, x, y_top, chars, size, step):
    for i, ch in enumerate(chars):
        _text(c, x + i * step, y_top, ch, size)


def _build(tmp_path: Path, draw, name="doc.pdf", title: str | None = None) -> Document:
    path = tmp_path / "raw" / "town" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=(W, H))
    if title is not None:
        c.setTitle(title)
    draw(c)
    c.save()
    return build_document(path, tmp_path / "raw", load_rules())


def _texts(doc: Document, kinds=("paragraph", "heading", "list_item", "line")) -> list[str]:
    return [b.text for b in doc.blocks if b.kind in kinds]


def _messages(doc: Document) -> str:
    return "\n".join(f.message for f in doc.findings)


def test_furigana_between_lines_is_taken_out_of_the_text(tmp_path):
    def draw(c):
        _text(c, 60, 100, "展覧会の開催など、多くのアニメ作品を手掛けてい")
        _text(c, 200, 116.5, "やすひこよしかず", 6.0)
        _text(c, 60, 122, "る安彦良和氏の展覧会などを開催いたします。")
        c.showPage()
    doc = _build(tmp_path, draw)
    joined = "".join(_texts(doc))
    assert "やすひこ" not in joined and "安彦良和氏" in joined
    assert "furigana" in _messages(doc)


def test_stacked_vertical_label_is_one_line(tmp_path):
    def draw(c):
        _text(c, 60, 100, "収支の表")
        for i, ch in enumerate("収益的収入"):
            _text(c, 80, 140 + i * 12.5, ch, 12.0)
        _text(c, 200, 160, "123,456")
        c.showPage()
    doc = _build(tmp_path, draw)
    assert "収益的収入" in _texts(doc)
    assert "stacked vertical" in _messages(doc)


def test_letter_spaced_label_is_joined(tmp_path):
    def draw(c):
        _spaced(c, 60, 100, "総収益", 12.0, 36.0)
        _text(c, 60, 140, BODY)
        c.showPage()
    doc = _build(tmp_path, draw)
    assert any(b.raw == "総収益" for b in doc.blocks)


def test_running_header_and_page_numbers_are_removed(tmp_path):
    def draw(c):
        for n in range(1, 5):
            _text(c, 400, 30, "テスト町情報化計画", 9.0)
            _text(c, 60, 120, f"第{n}節の{BODY}")
            _text(c, 280, 805, f"- {n} -", 10.0)
            c.showPage()
    doc = _build(tmp_path, draw)
    texts = _texts(doc)
    assert all("情報化計画" not in t and not t.startswith("-") for t in texts)
    assert "".join(texts).count("節の") == 4


def test_chart_text_is_a_figure_block(tmp_path):
    def draw(c):
        _text(c, 60, 80, BODY)
        c.setLineWidth(0.5)
        for i in range(8):  # axis grid and bars
            c.line(100, H - 200 - i * 20, 400, H - 200 - i * 20)
            c.rect(120 + i * 35, H - 340, 20, 30 + i * 12, fill=1)
        for i, label in enumerate(["2015年", "2020年", "2025年"]):
            _text(c, 120 + i * 100, 341, label, 8.0)  # axis labels just under the bars
        _text(c, 60, 420, BODY)
        c.showPage()
    doc = _build(tmp_path, draw)
    figures = [b for b in doc.blocks if b.kind == "figure"]
    assert figures and "2020年" in figures[0].text
    assert not any("2020年" in t for t in _texts(doc))


def test_overprint_is_merged_and_counted(tmp_path):
    def draw(c):
        for _ in range(4):  # fake bold: the heading drawn four times over itself
            _text(c, 60, 80, "重要業績評価指標", 14.0)
        _text(c, 60, 120, BODY)
        c.showPage()
    doc = _build(tmp_path, draw)
    assert "重要業績評価指標" in _texts(doc)
    found = [f for f in doc.findings if "overprint" in f.message]
    assert found and "24 of" in found[0].message  # 3 extra copies of 8 characters


def test_image_only_page_inside_a_text_pdf_is_reported(tmp_path):
    from PIL import Image

    img = tmp_path / "blue.png"
    Image.new("RGB", (40, 60), (0, 0, 255)).save(img)

    def draw(c):
        for n in range(3):
            if n == 1:
                c.drawImage(str(img), 40, 40, width=W - 80, height=H - 80)
                _text(c, 60, 20, "巻頭1", 8.0)
            else:
                _text(c, 60, 100, BODY * 2)
                _text(c, 60, 130, BODY)
            c.showPage()
    doc = _build(tmp_path, draw)
    hit = [f for f in doc.findings if "no text layer" in f.message]
    assert hit and hit[0].page == 2


def test_cover_title_and_metadata(tmp_path):
    def draw(c):
        _text(c, 150, 150, "第2次", 20.0)
        _text(c, 100, 190, "テスト町特定事業主行動計画", 28.0)
        _text(c, 200, 600, "テスト町総務課", 14.0)
        c.showPage()
        _text(c, 60, 100, "1 計画期間", 12.0)
        _text(c, 60, 130, "令和3年度から令和7年度までの5年間とします。")
        c.showPage()
    doc = _build(tmp_path, draw, title="Microsoft Word - doc")
    assert doc.title == "第2次テスト町特定事業主行動計画" and doc.title_source == "cover"
    assert (doc.period_start_fy, doc.period_end_fy, doc.period_source) == (2021, 2025, "period_phrase")


def test_two_texts_drawn_into_each_other_are_split_by_height():
    # what extract_text_lines hands back for two diagram labels 4 pt apart whose characters stand
    # over each other (chained into one line by its 3 pt tolerance through a third text)
    from pipeline.ingest.pdf_layout import unweave

    def ch(t, x, top):
        return {"text": t, "x0": x, "x1": x + 10.0, "top": top, "bottom": top + 10.0, "size": 10.0}

    chars = [ch(t, 100 + 10 * i, 200.0) for i, t in enumerate("開始日時")] + \
            [ch(t, 102 + 10 * i, 204.0) for i, t in enumerate("終了時刻")]
    chars.sort(key=lambda c: c["x0"])
    line = {"text": "".join(c["text"] for c in chars), "top": 200.0, "bottom": 214.0, "x0": 100.0, "x1": 142.0,
            "chars": chars}
    lines, runs = unweave([line])
    assert [ln["text"] for ln in lines] == ["開始日時", "終了時刻"] and runs


def test_private_use_area_bullet_becomes_a_bullet():
    from pipeline.ingest.pdf_layout import map_pua_bullets

    chars = [{"text": t, "x0": 10.0 * i, "x1": 10.0 * i + 9, "top": 0.0, "bottom": 10.0, "size": 10.0}
             for i, t in enumerate("\uf06c 計画の推進")]
    line, n = map_pua_bullets({"text": "\uf06c 計画の推進", "chars": chars})
    assert n == 1 and line["text"] == "・ 計画の推進" and line["chars"][0]["text"] == "・"
    assert map_pua_bullets({"text": "計画\uf06c", "chars": []})[1] == 0
