"""report.html without a browser: the chart spec (axes, fiscal years, kinds, editions, hover), fair
ward × topic data, Japanese labels, no network, source links."""
import json
import re

from pipeline.crossdoc import charts


def _data(out):
    text = (out / "report.html").read_text(encoding="utf-8")
    blob = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S).group(1)
    return text, json.loads(blob)


def test_chart_template_has_axes_kinds_editions_and_hover():
    spec = charts.template()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    for layer in spec["layer"]:
        enc = layer["encoding"]
        assert enc["x"]["field"] == "fy" and enc["x"]["type"] == "ordinal" and enc["x"]["title"].startswith("年度")
        assert enc["y"]["field"] == "v" and enc["y"]["type"] == "quantitative"
        assert enc["xOffset"]["field"] == "ed"  # editions side by side, not one dot over another
        assert enc["color"]["scale"]["domain"] == ["基準値", "計画値", "実績値", "目標値"]
        assert enc["x"]["axis"].get("labels", True) and enc["y"]["axis"].get("labels", True)  # tick labels on
    points = spec["layer"][1]
    assert points["encoding"]["shape"]["field"] == "ed" and points["encoding"]["shape"]["title"].startswith("版")
    tips = {t["field"]: t["title"] for t in points["encoding"]["tooltip"]}
    assert tips["raw"].startswith("記載") and tips["doc"].startswith("文書") and tips["pg"].startswith("頁")
    assert points["encoding"]["href"]["field"] == "href"


def test_chart_template_cache_is_what_altair_builds_and_survives_damage(tmp_path, monkeypatch):
    # the template is cached (Altair's import and validation cost ~0.6 s a run); the cached copy must be
    # Altair's spec exactly, and a damaged cache file is rebuilt, never read
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    charts._authored.cache_clear()
    try:
        built = charts.template()
        (cached,) = (tmp_path / "pipeline").glob("chart-template-*.json")
        charts._authored.cache_clear()
        assert charts.template() == built == json.loads(json.dumps(charts.build_template()))
        cached.write_bytes(cached.read_bytes().replace(b'"fy"', b'"fx"', 1))
        charts._authored.cache_clear()
        assert charts.template() == built
    finally:
        charts._authored.cache_clear()


def test_report_is_self_contained_and_japanese_first(text_run):
    text, data = _data(text_run[0])
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert "window.vegaEmbed=" in text  # the runtime is inline
    assert "default-src 'none'" in text  # and the page may fetch nothing
    for heading in ("KPIの推移", "自治体 × トピック", "指摘 (findings)", "自治体 (municipality)", "トピック (topic)"):
        assert heading in text
    assert set(data["fields"]) >= {"fy", "k", "v", "raw", "doc", "pg", "ed", "href"}


def test_sumida_open_data_two_editions_and_revision(text_run):
    text, data = _data(text_run[0])
    chart = next(c for c in data["charts"] if c["title"] == "オープンデータ公開件数"
                 and any(r[5].startswith("sumida/") for r in c["rows"]))
    f = {name: i for i, name in enumerate(data["fields"])}
    editions = {r[f["ed"]] for r in chart["rows"]}
    assert len(editions) == 2 and all("年度版 sumida/" in e for e in editions)
    assert chart["y"] == "値 (件)"
    assert chart["years"] == list(range(min(chart["years"]), max(chart["years"]) + 1))
    base = {r[f["doc"]]: (r[f["v"]], r[f["cur"]], r[f["raw"]]) for r in chart["rows"] if r[f["k"]] == "基準値" and r[f["fy"]] == 2021}
    assert base["sumida/2021-plan-summary"][:2] == (118, False) and base["sumida/2023-presentation"][:2] == (130, True)
    assert all(raw for _, _, raw in base.values())  # the cell as written, for the tooltip
    assert "改訂 (revised) 2021年度 基準値: 118 (sumida/2021-plan-summary) → 130 (sumida/2023-presentation)" in text


def test_ward_topics_one_edition_per_municipality(text_run):
    _, data = _data(text_run[0])
    heat = data["heat"]
    sumida = next(m for m in heat["munis"] if m["m"] == "墨田区")
    years = [int(d[1].split("年度版")[0]) for d in sumida["docs"]]
    assert years == sorted(years, reverse=True) and len(years) >= 2  # the latest first: the default column
    for doc, _, n_inits in sumida["docs"]:
        assert sum(heat["counts"][doc].values()) >= 1 and n_inits >= 1


def test_source_links_resolve_from_the_output_folder(text_run):
    out = text_run[0]
    text, data = _data(out)
    hrefs = set(re.findall(r'<a href="([^"#]+)[^"]*" target="_blank"', text))
    assert hrefs
    for href in hrefs:
        from urllib.parse import unquote
        assert (out / unquote(href)).resolve().is_file(), href
