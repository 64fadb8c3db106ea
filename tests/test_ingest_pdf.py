"""PDF ingest helpers on constructed pages (no PDF needed)."""
from pipeline.ingest.pdf import _bottom_notes, _Line, _Page, _stitch
from pipeline.model import Block


def _line(text, top, size):
    return _Line(text, text, top, top + size, 57.0, 500.0, size, False)


def test_footnotes_without_a_separator_rule():
    page = _Page(3, 595.0, 842.0)
    body = [_line("本文の行です。" * 5, 100 + 16 * i, 10.5) for i in range(6)]
    notes = [_line("1 ICT(Information and Communication Technology):情報通信技術", 760, 8.0),
             _line("2 RPA:定型作業の自動化", 772, 8.0), _line("- 3 -", 805, 9.0)]
    page.items = [(ln.top, ln) for ln in body + notes]
    _bottom_notes(page)
    assert [n.text[:1] for n in page.footnotes] == ["1", "2"]
    assert len(page.items) == 6


def test_small_print_without_a_numbered_note_stays_text():
    page = _Page(3, 595.0, 842.0)
    body = [_line("本文の行です。" * 5, 100 + 16 * i, 10.5) for i in range(6)]
    page.items = [(ln.top, ln) for ln in body + [_line("出典:総務省ホームページ", 770, 8.0)]]
    _bottom_notes(page)
    assert not page.footnotes and len(page.items) == 7


def test_table_continued_on_next_page_drops_repeated_header_and_joins_cut_row():
    # a row cut by the page break: the cells that ended on the first page are empty in the rest
    prev = Block("table", rows_raw=[["施策", "個別施策", "方向性"], ["4 制度", "7 カード", "国は令和4年度中に"]])
    assert _stitch(prev, [["施策", "個別施策", "方向性"], ["", "", "保有を想定"], [None, "8 サービス", "拡充"]])
    assert prev.rows_raw == [["施策", "個別施策", "方向性"], ["4 制度", "7 カード", "国は令和4年度中に\n保有を想定"],
                             [None, "8 サービス", "拡充"]]


def test_rowspan_crossing_the_page_is_a_new_row_not_a_continuation():
    prev = Block("table", rows_raw=[["目標", "指標", "R3"], ["目標3", "A", "1件"]])
    assert _stitch(prev, [["目標", "指標", "R3"], ["", "B", "2件"]])
    assert prev.rows_raw[-1] == ["", "B", "2件"]
