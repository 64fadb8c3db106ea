"""`python -m pipeline inspect` (issue 17): page PNGs with boxes, index.html in a real browser,
`--explain` for a row that is there and for one that is missing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import PDF_FIXTURES, ROOT

KOTO = PDF_FIXTURES / "koto" / "2020-plan-summary.pdf"
SUMIDA_TXT = ROOT / "raw" / "sumida" / "2021-plan-summary.txt"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "inspect", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def koto_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("inspect_koto")
    proc = run_cli(str(KOTO), "--out", str(out), "--pages", "1-2")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout and "2 page PNG(s)" in proc.stdout
    return out


def _colour_pixels(png, colour) -> int:
    from PIL import Image

    return _count(Image.open(png).convert("RGB"), colour)


def _count(im, colour) -> int:
    return next((n for n, c in im.getcolors(maxcolors=1 << 24) if c == colour), 0)


def test_pngs_exist_for_the_chosen_pages_only(koto_out):
    assert sorted(p.name for p in koto_out.glob("page-*.png")) == ["page-001.png", "page-002.png"]


def test_page_png_has_the_boxes(koto_out):
    """Page 2 of the koto fixture: three chapter headings (outline level 1), a table, body lines."""
    import pdfplumber
    from pipeline.inspection.render import COLOURS, level_colour

    png = koto_out / "page-002.png"
    with pdfplumber.open(str(KOTO)) as pdf:
        plain = pdf.pages[1].to_image(resolution=100).original.convert("RGB")
    from PIL import Image

    im = Image.open(png)
    assert im.width > plain.width and im.height == plain.height  # the page, and a gutter for the labels
    for colour, least in ((level_colour(1), 300), (COLOURS["table"], 1000), (COLOURS["line"], 1000)):
        drawn = _colour_pixels(png, colour)
        assert drawn >= least, (colour, drawn)
        assert _count(plain, colour) < drawn / 10  # not in the page itself


def test_index_links_outline_nodes_to_pages(koto_out):
    html = (koto_out / "index.html").read_text(encoding="utf-8")
    assert 'href="#page-2"' in html and 'id="page-2"' in html and 'src="page-002.png"' in html
    assert 'class="lab"' in html         # the outline's labels, coloured by level
    assert "not an item:" in html        # and why a node is none
    assert "施策1" in html and "table column" in html
    assert "http://" not in html and "https://" not in html  # opens offline


def _chromium():
    from test_report_browser import _chromium as find

    return find()


def test_index_opens_in_chromium_without_errors(koto_out, tmp_path):
    from test_report_browser import CHROMIUM_FLAGS

    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    proc = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                           (koto_out / "index.html").as_uri()], capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert 'data-ready="true"' in dom, dom[:300]
    assert 'data-errors="0"' in dom
    assert 'data-images="2"' in dom and 'data-images-ok="true"' in dom
    assert int(dom.split('data-nodes="')[1].split('"')[0]) >= 5
    console_errors = [l for l in proc.stderr.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "Error" in l)]
    assert not console_errors


def test_explain_names_the_rule_of_a_table_row():
    proc = run_cli(str(KOTO), "--explain", "施策2")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "initiatives 施策2" in out and "業務を自動化する" in out
    assert "evidence: table column" in out
    assert "rule: a table column headed by a kind word (rules/initiatives.toml" in out
    assert "children: 個別施策2, 個別施策3" in out


def test_explain_names_the_rule_of_an_outline_row():
    """A heading ending in a kind phrase makes the list under it items: the chain names that heading."""
    from pipeline.inspection.analysis import analyse
    from pipeline.inspection.explain import explain

    a = analyse(ROOT / "raw" / "sumida" / "2019-plan.txt")
    rows = [r for r in a.tables.initiatives if r["source"] == "outline" and r["evidence"].startswith("heading:")]
    assert rows
    text = explain(a, rows[0]["initiative_id"])
    assert "rule: a heading above it ends with a kind phrase (rules/outline.toml" in text
    assert "label " in text and "outline node" in text


def test_explain_a_missing_item_gives_the_nearest_nodes_and_why():
    proc = run_cli(str(KOTO), "--explain", "本区の情報化施策の課題")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "no row matches" in out and "Nearest outline nodes" in out
    assert "6 本区の情報化施策の課題" in out
    assert "names no kind" in out or "scaffolding" in out


def test_text_document_marks_the_lines(tmp_path):
    import pipeline

    result = pipeline.inspect(SUMIDA_TXT, out=tmp_path, explain="施策3")
    assert result.pngs == [] and result.text_view is not None
    view = result.text_view.read_text(encoding="utf-8")
    assert 'id="L1"' in view and 'class="ln table"' in view and 'class="row kpi"' in view
    assert "施策3" in result.explanation and "table column" in result.explanation
    index = result.index.read_text(encoding="utf-8")
    assert 'href="text.html#L' in index


def test_pages_and_file_errors():
    from pipeline.inspection.analysis import parse_pages

    assert parse_pages("3-5", 10) == [3, 4, 5]
    assert parse_pages("1,4-5", 4) == [1, 4]
    assert parse_pages(None, 3) == [1, 2, 3]
    for bad in ("5-3", "x", "0"):
        with pytest.raises(ValueError):
            parse_pages(bad, 10)
    assert run_cli(str(KOTO), "--pages", "abc").returncode == 2
    assert run_cli(str(ROOT / "no-such-file.pdf")).returncode == 3
