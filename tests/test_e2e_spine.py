"""End-to-end: the CLI over raw/ and over the PDF fixtures, asserting on content."""
from __future__ import annotations

import shutil
import zlib

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import PDF_FIXTURES, ROOT, read_tables, run_extract
from pipeline.emit.schema import SCHEMAS

RADICALS = [chr(cp) for cp in range(0x2E80, 0x2FE0)]


def _text_cells(tables):
    for name, df in tables.items():
        for col in df.columns:
            if col.endswith("_raw") or col in ("raw", "snippet", "title_raw"):
                continue
            if df[col].dtype == object:
                for v in df[col].dropna():
                    if isinstance(v, str):
                        yield name, col, v


@pytest.mark.parametrize("which", ["text_run", "pdf_run"])
def test_all_tables_exist_with_full_schema(which, request):
    out, _ = request.getfixturevalue(which)
    for name, schema in SCHEMAS.items():
        got = pq.read_schema(out / f"{name}.parquet")
        for field in schema:
            assert got.field(field.name).type == field.type, (name, field.name)
            assert got.field(field.name).metadata[b"description"]


@pytest.mark.parametrize("which", ["text_run", "pdf_run"])
def test_no_radicals_in_any_text_column(which, request):
    out, _ = request.getfixturevalue(which)
    bad = [(n, c, v[:40]) for n, c, v in _text_cells(read_tables(out)) if any(r in v for r in RADICALS)]
    assert not bad


@pytest.mark.parametrize("which", ["text_run", "pdf_run"])
def test_radicals_become_japanese_kanji(which, request):
    out, _ = request.getfixturevalue(which)
    text = "\n".join(pd.read_parquet(out / "sections.parquet").query("doc_id == 'sumida/2019-plan'")["text"])
    assert "戸籍" in text and "電子黒板" in text and "区民" in text
    assert "戶" not in text and "黑" not in text


@pytest.mark.parametrize("which", ["text_run", "pdf_run"])
def test_sumida_2019_section_tree(which, request):
    out, _ = request.getfixturevalue(which)
    s = pd.read_parquet(out / "sections.parquet").query("doc_id == 'sumida/2019-plan'")
    chapters = s[s["level"] == 1 & s["style"].eq("chapter")]
    chapters = s[(s["level"] == 1) & (s["style"] == "chapter")]
    assert list(chapters["label"]) == ["第1章", "第2章", "第3章"]
    assert list(chapters["title"])[1:] == ["計画の方針", "行政情報化推進事業"]
    by_id = dict(zip(s["section_id"], s["parent_id"]))
    ch2 = chapters.iloc[1]["section_id"]
    kids = s[s["parent_id"] == ch2]
    assert list(kids["label"]) == ["1", "2", "3"]
    assert list(kids["title"]) == ["見直しの目的", "基本方針", "計画のコンセプトと目標"]
    ch1 = chapters.iloc[0]["section_id"]
    assert list(s[s["parent_id"] == ch1]["title"]) == [
        "ICTを取り巻く環境", "国の動向", "東京都の動向", "区の情報化の歩み", "区の情報化の現状と課題"]
    assert all(p is None or p in by_id for p in by_id.values())


def test_corrupt_text_is_reported(text_run):
    out, _ = text_run
    issues = pd.read_parquet(out / "issues.parquet")
    hit = issues[(issues["doc_id"] == "sumida/2021-plan-summary") & issues["message"].str.contains("corrupt")]
    assert len(hit) >= 1 and "й" in hit.iloc[0]["snippet"]


def test_documents_table(text_run, pdf_run):
    for out, _ in (text_run, pdf_run):
        d = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
        assert list(d.index) == ["koto/2020-plan-summary", "ota/2021-plan-summary", "sumida/2019-plan",
                                 "sumida/2021-plan-summary", "sumida/2023-presentation"]
        assert d.loc["sumida/2019-plan", "municipality"] == "墨田区"
        assert d.loc["ota/2021-plan-summary", "municipality"] == "大田区"
        assert (d.loc["koto/2020-plan-summary", ["period_start_fy", "period_end_fy"]] == [2020, 2024]).all()
        assert (d.loc["sumida/2019-plan", ["period_start_fy", "period_end_fy"]] == [2018, 2020]).all()
    pdf = pd.read_parquet(pdf_run[0] / "documents.parquet").set_index("doc_id")
    assert pdf.loc["sumida/2019-plan", "pages"] == 26 and pdf.loc["sumida/2019-plan", "source_format"] == "pdf"


def _bad_inputs(folder):
    good = PDF_FIXTURES / "sumida" / "2021-plan-summary.pdf"
    data = good.read_bytes()
    (folder / "good").mkdir()
    shutil.copy(good, folder / "good" / "plan.pdf")
    (folder / "good" / "notes.md").write_text("# 第1章 総論\n\n1 目的\n\n本計画は…\n", encoding="utf-8")
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (folder / "junk.pdf").write_bytes(zlib.compress(b"not a pdf at all" * 50))
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image_only.pdf").write_bytes(_image_only_pdf())
    (folder / "encrypted.pdf").write_bytes(_encrypted_pdf())
    (folder / "sjis.txt").write_bytes("第1章 計画の概要\n\n墨田区の計画です。\n".encode("cp932"))


def _image_only_pdf() -> bytes:
    """A one-page PDF with no text layer, as a scanner makes."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>"]
    stream = b"0 0 0 rg 10 10 100 100 re f"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble(objs, b"<< /Size 5 /Root 1 0 R >>")


def _encrypted_pdf() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"]
    return _assemble(objs, b"<< /Size 4 /Root 1 0 R /Encrypt 3 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] >>")


def _assemble(objs: list[bytes], trailer: bytes) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_bad_inputs_are_findings_and_good_documents_still_written(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _bad_inputs(raw)
    out = tmp_path / "out"
    proc = run_extract(raw, out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    issues = pd.read_parquet(out / "issues.parquet")
    errors = issues[issues["severity"] == "error"].set_index("doc_id")["message"].to_dict()
    assert "run OCR first" in errors["image_only"]
    assert "encrypted" in errors["encrypted"]
    assert "corrupt" in errors["truncated"] or "not a readable PDF" in errors["truncated"]
    assert "not a readable PDF" in errors["junk"]
    # empty.pdf and empty.txt share a name: two documents, their doc_ids keep the extension
    assert "empty" in errors["empty.pdf"] and "empty" in errors["empty.txt"]
    shared = issues[issues["message"].str.contains("also named 'empty'")]
    assert set(shared["doc_id"]) == {"empty.pdf", "empty.txt"}
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert docs.loc["good/plan", "readable"] and docs.loc["good/notes", "readable"] and docs.loc["sjis", "readable"]
    sections = pd.read_parquet(out / "sections.parquet")
    assert "計画の概要" in set(sections[sections["doc_id"] == "sjis"]["title"])
    assert len(sections[sections["doc_id"] == "good/plan"]) > 5
    assert "could not read" in proc.stdout


def test_two_runs_give_the_same_rows(tmp_path, text_run):
    out2 = tmp_path / "again"
    assert run_extract(ROOT / "raw", out2).returncode == 0
    first, second = read_tables(text_run[0]), read_tables(out2)
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_regression_footnote_continued_on_next_page(pdf_run):
    """sumida/2019-plan's footnote 15 (ICT-BCP) runs over a page break in the PDF."""
    g = pd.read_parquet(pdf_run[0] / "glossary.parquet").set_index(["doc_id", "term"])
    definition = g.loc[("sumida/2019-plan", "ICT-BCP"), "definition"]
    assert definition.endswith("早急に復旧させるための計画")


def test_regression_superscript_citations_are_split_off(pdf_run, text_run):
    """ＩＣＴ1の: the footnote number glued to a word is not part of the text."""
    for out, _ in (pdf_run, text_run):
        s = pd.read_parquet(out / "sections.parquet").query("doc_id == 'sumida/2019-plan'")
        text = "\n".join(s["text"])
        assert "ICTの活用による区民サービスの向上" in text and "ICT1の" not in text


def test_a_malformed_rule_file_is_a_clear_error(tmp_path):
    import os
    import subprocess
    import sys

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with (rules / "kpis.toml").open("a", encoding="utf-8") as fh:
        fh.write("\nbroken = [\n")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--raw", str(ROOT / "raw"), "--out",
                           str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PIPELINE_RULES_DIR=str(rules)))
    assert proc.returncode == 2
    assert "kpis.toml: not valid TOML" in proc.stderr and "Traceback" not in proc.stderr
