"""Text ingest: encodings, tables in three syntaxes, markdown, dump footnotes."""
from pipeline.ingest.text import decode, text_blocks
from pipeline.model import Document
from pipeline.ingest.text import ingest_text


def test_decodes_utf8_bom_and_shift_jis():
    assert decode("計画".encode("utf-8"))[0] == "計画"
    assert decode(b"\xef\xbb\xbf" + "計画".encode("utf-8")) == ("計画", "utf-8-sig")
    assert decode("墨田区の計画".encode("cp932")) == ("墨田区の計画", "cp932")


def test_crlf_and_tab_table_with_merged_cells():
    blocks = text_blocks("指針\t施策\r\n指針1 A\t施策1：B\r\n\t施策2：C\r\n", markdown=False)
    assert [b.kind for b in blocks] == ["table"]
    assert blocks[0].rows_raw == [["指針", "施策"], ["指針1 A", "施策1：B"], ["", "施策2：C"]]


def test_pipe_table_and_html_table_with_spans():
    md = "| 指標 | R3 |\n|---|---|\n| A | 1件 |\n\n<table><tr><td rowspan=2>目標1</td><td><ul><li>x</li><li>y</li></ul></td></tr><tr><td>z</td></tr></table>\n"
    blocks = text_blocks(md, markdown=True)
    assert blocks[0].rows_raw == [["指標", "R3"], ["A", "1件"]]
    assert blocks[1].rows_raw == [["目標1", "x\ny"], [None, "z"]]


def test_markdown_heading_list_and_footnote():
    blocks = text_blocks("# 第1章 総論\n\n- 項目[^1]\n\n[^1]: ICT:情報通信技術\n", markdown=True)
    assert [(b.kind, b.hard_heading) for b in blocks] == [("line", 1), ("list_item", 0), ("footnote", 0)]
    doc = ingest_text(Document("d", "d.md", "md", ""), "# 第1章 総論\n\n- 項目[^1]\n\n[^1]: ICT:情報通信技術\n".encode())
    assert doc.blocks[1].refs == [1] and doc.blocks[1].raw == "項目"


def test_dump_footnote_block_after_a_line_of_spaces():
    dump = "本文の行 \n\n" + " " * 40 + "\n1 ICT（Information）：情報通信技術。情報\n通信技術のこと \n 次のページ\n"
    blocks = text_blocks(dump, markdown=False)
    notes = [b for b in blocks if b.kind == "footnote"]
    assert len(notes) == 1 and notes[0].number == 1 and notes[0].raw.endswith("通信技術のこと")
    assert blocks[-1].raw.strip() == "次のページ"


def test_empty_and_undecodable_files_are_findings():
    doc = ingest_text(Document("e", "e.txt", "txt", ""), b"  \n")
    assert not doc.readable and "empty" in doc.findings[0].message


def test_markdown_soft_wrapped_paragraph_is_one_block():
    blocks = text_blocks("本計画は、デジタル技術を活用し\n業務を見直すものです。\n\n次の段落\n", markdown=True)
    assert [b.raw for b in blocks] == ["本計画は、デジタル技術を活用し業務を見直すものです。", "次の段落"]


def test_markdown_numbered_lines_are_not_joined():
    blocks = text_blocks("アジェンダ\n\n1. 墨田区について\n2. 計画と方針\n3. 事例紹介\n", markdown=True)
    assert [b.raw for b in blocks] == ["アジェンダ", "1. 墨田区について", "2. 計画と方針", "3. 事例紹介"]
