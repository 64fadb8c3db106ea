"""report.html opened in a real browser (headless Chromium), for the sample corpora and a 200-document run:
every KPI chart drawn with labelled axes, no console error, no request, filters change what is shown."""
import html
import os
import re
import shutil
import subprocess
import sys
import time
from urllib.parse import quote

import pytest

from conftest import ROOT

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0",
                  # let the page's asynchronous chart rendering finish before the DOM is dumped
                  "--virtual-time-budget=120000"]
SIZE_LIMIT_200 = 3_000_000  # bytes: the page at 200 documents


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
    pytest.skip("chromium not installed (apt-get install chromium)")


def _open(report, tmp_path, fragment="render=all"):
    """(the DOM after the page settled, its <body> data attributes, the browser's console errors)."""
    url = report.as_uri() + "#" + quote(fragment, safe="=&")
    proc = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=300)
    dom = proc.stdout
    tag = re.search(r"<body([^>]*)>", dom)
    assert tag, proc.stderr[-2000:]
    attrs = {k: html.unescape(v) for k, v in re.findall(r'data-([\w-]+)="([^"]*)"', tag.group(1))}
    console = [line for line in proc.stderr.splitlines()
               if "CONSOLE" in line and ("Uncaught" in line or "Error" in line or "Refused" in line)]
    return dom, attrs, console


def _chart_divs(dom):
    """Each drawn chart's markup: from one <div class="vl"…> to the next."""
    starts = [m.start() for m in re.finditer(r'<div class="vl[ "]', dom)]
    return [dom[a:b] for a, b in zip(starts, starts[1:] + [len(dom)])]


def _assert_all_drawn(report, dom, attrs, console):
    assert not console, console[:5]
    assert attrs["errors"] == "0", attrs.get("error-list")
    assert attrs["requests"] == "0"  # nothing fetched: no script, style, font, image or data from anywhere
    n = int(attrs["charts"])
    assert attrs["charts-expected"] == attrs["charts-drawn"] == attrs["charts-axes"] == str(n), attrs
    assert attrs["charts-ok"] == "true"
    divs = _chart_divs(dom)
    assert len(divs) == n
    for div in divs:  # read the axes from the drawn SVG: both present, each with tick labels
        assert 'data-state="drawn"' in div and 'data-axes="ok"' in div
        assert re.search(r'aria-label="X-axis titled \'年度 \(fiscal year\)\'', div), div[:300]
        assert re.search(r'aria-label="Y-axis titled \'値', div), div[:300]
        labels = re.findall(r'role-axis-label"[^>]*>(.*?)</g>', div)
        assert len(labels) >= 2 and all(re.search(r"<text[^>]*>[^<]+</text>", g) for g in labels)
        assert re.search(r"<text[^>]*>\d{4}年度</text>", div)  # fiscal years on x, in Japanese
    # self-contained: no tag loads anything from elsewhere, and the page forbids it (CSP)
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert "default-src 'none'" in text
    return n


def test_sample_corpora_reports_render(text_run, pdf_run, tmp_path):
    for out, _ in (text_run, pdf_run):
        report = out / "report.html"
        dom, attrs, console = _open(report, tmp_path)
        n = _assert_all_drawn(report, dom, attrs, console)
        assert n >= (20 if out == text_run[0] else 1)
    # the text corpus: 墨田区's open-data KPI has two editions, each named in the legend
    dom, attrs, console = _open(text_run[0] / "report.html", tmp_path, "muni=墨田区&q=オープンデータ公開件数&render=all")
    assert attrs["visible-charts"] == "1" and attrs["charts-drawn"] == "1"
    assert "sumida/2021-plan-summary" in dom and "sumida/2023-presentation" in dom
    assert dom.count('aria-roledescription="legend"') >= 2  # kind and edition legends


def test_filters_change_what_is_shown(text_run, tmp_path):
    report = text_run[0] / "report.html"
    _, every, _ = _open(report, tmp_path)
    total = int(every["visible-charts"])
    dom, attrs, console = _open(report, tmp_path, "muni=大田区&render=all")
    assert not console and attrs["charts-ok"] == "true"
    assert attrs["visible-munis"] == "1" and 0 < int(attrs["visible-charts"]) < total
    assert attrs["charts-drawn"] == attrs["visible-charts"]  # only the shown charts were drawn
    assert re.search(r'<section class="muni" data-muni="墨田区" hidden', dom)
    heat = dom[dom.index('<div id="heat">'):dom.index("<h2>指摘")]
    assert "大田区" in heat and "墨田区" not in heat  # the ward × topic table follows the filter
    _, attrs, _ = _open(report, tmp_path, "topic=open_data&render=all")
    assert 0 < int(attrs["visible-charts"]) < total


POOL = ("千代田区 新宿区 文京区 台東区 品川区 目黒区 世田谷区 渋谷区 杉並区 豊島区 荒川区 板橋区 練馬区 足立区 葛飾区 "
        "江戸川区 八王子市 立川市 武蔵野市 三鷹市 調布市 町田市 小金井市 小平市 日野市 国分寺市 国立市 狛江市 多摩市 稲城市").split()


@pytest.fixture(scope="module")
def run_200(text_run, tmp_path_factory):
    """200 documents: the sample corpus's tables 40 times under other folder names, the wards
    renamed (set i and set i+10 identical files, as when one plan is filed twice), then
    `python -m pipeline compare` over them. (Extracting 200 text files takes 30-80 s on a
    2-core machine; what is tested here is the cross-document layer and its page.)"""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src, _ = text_run
    out = tmp_path_factory.mktemp("out200")
    for path in sorted(src.glob("*.parquet")):
        table = pq.read_table(path)
        if path.stem not in BASE_TABLES:
            continue
        parts = []
        for i in range(40):
            names = dict(zip(("墨田区", "大田区", "江東区"), (POOL[(3 * i + j) % len(POOL)] for j in range(3)))) if i else {}
            cols = {name: table.column(name).to_pylist() for name in table.column_names}
            cols["doc_id"] = [f"set{i:02d}-{d}" for d in cols["doc_id"]]
            if path.stem == "documents":
                cols["municipality"] = [names.get(m, m) for m in cols["municipality"]]
                cols["title"] = [_rename(t, names) for t in cols["title"]]
                cols["source_sha256"] = [f"{h}{i % 10 if i else ''}" for h in cols["source_sha256"]]
            parts.append(pa.Table.from_pydict(cols, schema=table.schema))
        pq.write_table(pa.concat_tables(parts), out / path.name)
    t = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "compare", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(pq.read_table(out / "documents.parquet")) == 200
    return out, time.monotonic() - t


BASE_TABLES = {"documents", "sections", "initiatives", "kpis", "kpi_values", "glossary", "issues"}


def _rename(text, names):
    for a, b in names.items():
        text = text.replace(a, b) if text else text
    return text


def test_report_at_200_documents(run_200, tmp_path):
    out, seconds = run_200
    report = out / "report.html"
    size = report.stat().st_size
    print(f"200 documents: report.html {size / 1e6:.2f} MB (compare {seconds:.1f} s)")
    assert size < SIZE_LIMIT_200
    text = report.read_text(encoding="utf-8")
    assert text.count('<section class="muni"') >= 30
    assert "<details class=\"muni-body\" open" not in text  # many municipalities: all collapsed at first
    dom, attrs, console = _open(report, tmp_path)
    n = _assert_all_drawn(report, dom, attrs, console)
    assert n > 200
    # a municipality filed under three editions and again as identical copies: one series per edition
    dom, attrs, console = _open(report, tmp_path, "muni=世田谷区&q=オープンデータ公開件数&render=all")
    assert not console and attrs["visible-munis"] == "1" and attrs["charts-drawn"] == attrs["visible-charts"] == "1"
    assert "同一" in dom  # identical copies named, not drawn twice
    assert 0 < int(attrs["charts-drawn"]) < n
