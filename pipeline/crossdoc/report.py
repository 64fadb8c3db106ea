"""report.html: one self-contained page (no network request: script, styles and data inline).

- KPI series per municipality, one Vega-Lite chart per indicator (charts.py): fiscal years
  on x, value and unit on y, kind by colour and line, each edition its own series (shape,
  offset, legend naming the document; older editions faded), hover = the cell as written,
  the document and the page, a click = the source page. Identical files (same sha256) are
  one edition; a chart draws the newest MAX_EDITIONS editions and names the others.
- Ward × topic from one edition per municipality (the latest by default, selectable per
  ward), as counts or shares; the sum over every edition only on request.
- Filters (municipality, topic, indicator text; kept in the URL's #fragment), collapsed
  document and finding lists, charts drawn when they scroll into view.
- The findings, per document, with links to the source page (and to `pipeline inspect`
  output when <out>/inspect/<doc_id>/index.html exists).

The page records what it drew on <body data-…> (charts, drawn, with axis labels, errors);
`#render=all` draws every chart at once: the browser test reads both.
"""
from __future__ import annotations

import html
import json
import math
import os
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from . import charts
from .series import Comparison, Row

SEVERITY_JA = {"error": "エラー", "warning": "警告"}


def _e(x: object) -> str:
    return html.escape("" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x))


def _num(v: float) -> str:
    return f"{v:,.10g}" if abs(v) >= 10000 else f"{v:.10g}"


def _json_script(obj: object) -> str:
    # inside <script>: no "</" may appear
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


class Links:
    """Relative links from the report to each document's source file (and inspect page)."""

    def __init__(self, out: Path, docs: list[Row]):
        self.out = out.resolve()
        self.src: dict[str, tuple[str, str]] = {}
        for d in docs:
            sp = d.get("source_path")
            if not sp:
                continue
            for base in (self.out.parent, Path.cwd()):
                target = Path(sp) if Path(sp).is_absolute() else base / sp
                if target.is_file():
                    self.src[d["doc_id"]] = (quote(Path(os.path.relpath(target, self.out)).as_posix()),
                                             d.get("source_format") or "")
                    break

    def source(self, doc_id: str, page: object = None) -> str | None:
        found = self.src.get(doc_id)
        if not found:
            return None
        href, fmt = found
        n = _page(page)
        return f"{href}#page={n}" if fmt == "pdf" and n else href

    def inspect(self, doc_id: str, page: object = None) -> str | None:
        index = self.out / "inspect" / doc_id / "index.html"
        if not index.is_file():
            return None
        href = quote(f"inspect/{doc_id}/index.html")
        n = _page(page)
        return f"{href}#page-{n}" if n else href


def _page(page: object) -> int | None:
    """The page number, or None (text documents, missing pages)."""
    if isinstance(page, (int, float)) and not (isinstance(page, float) and math.isnan(page)) and page > 0:
        return int(page)
    return None


def _link(href: str | None, text: str, cls: str = "") -> str:
    if not href:
        return _e(text)
    c = f' class="{cls}"' if cls else ""
    return f'<a{c} href="{_e(href)}" target="_blank" rel="noopener">{_e(text)}</a>'


def _editions(docs: list[Row]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """doc_id -> the doc_id standing for its content (identical files are one edition), and its copies."""
    by_sha: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in sorted(docs, key=lambda d: d["doc_id"]):
        by_sha[(d["municipality"] or "", d.get("source_sha256") or d["doc_id"])].append(d["doc_id"])
    rep = {doc: ids[0] for ids in by_sha.values() for doc in ids}
    copies = {ids[0]: ids[1:] for ids in by_sha.values()}
    return rep, copies


def _chart(rows: list[Row], links: Links, rep: dict[str, str], copies: dict[str, list[str]],
           edition_fy: dict[str, int]) -> tuple[dict, str, list[str]]:
    """(the chart's data for the page, caption HTML, editions not drawn)."""
    rows = [r for r in rows if r["fiscal_year"] is not None and r["value"] is not None and rep.get(r["doc_id"], r["doc_id"]) == r["doc_id"]]
    eds = sorted({r["doc_id"] for r in rows}, key=lambda d: (-edition_fy.get(d, 0), d))
    drawn, hidden = eds[:charts.MAX_EDITIONS], eds[charts.MAX_EDITIONS:]
    label = {}
    for d in drawn:
        n = len(copies.get(d, []))
        label[d] = f"{edition_fy.get(d, 0) or '?'}年度版 {d}" + (f" (他{n}件同一)" if n else "")
    rows = [r for r in rows if r["doc_id"] in label]
    units = sorted({r["unit"] for r in rows if r["unit"]})
    data = []
    for r in rows:
        kind = charts.KINDS.get(r["kind"], (r["kind"], "", []))[0]
        unit = r["unit"] or ""
        data.append([int(r["fiscal_year"]), kind, r["value"], _num(r["value"]) + unit, r.get("raw") or "",
                     r["doc_id"], int(r["page"]) if _page(r.get("page")) else "—", label[r["doc_id"]], bool(r["current"]),
                     links.source(r["doc_id"], r.get("page")) or ""])
    years = sorted({int(r["fiscal_year"]) for r in rows}) or [0]
    revised = _revisions(rows)
    return ({"y": "値" + (f" ({'・'.join(units)})" if units else ""), "years": list(range(years[0], years[-1] + 1)),
             "rows": data}, _sources(drawn, rows, links), revised + [f"古い版 (older edition) {d}: 図示なし" for d in hidden])


def _revisions(rows: list[Row]) -> list[str]:
    """Years and kinds where editions give different values: revisions, named in the caption."""
    by: dict[tuple, dict[float, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[(int(r["fiscal_year"]), r["kind"])][r["value"]].append(r["doc_id"])
    out = []
    for (fy, kind), vals in sorted(by.items()):
        if len(vals) > 1:
            ja = charts.KINDS.get(kind, (kind,))[0]
            out.append(f"改訂 (revised) {fy}年度 {ja}: " + " → ".join(
                f"{_num(v)} ({', '.join(sorted(ds))})" for v, ds in sorted(vals.items(), key=lambda kv: kv[1])))
    return out


def _sources(drawn: list[str], rows: list[Row], links: Links) -> str:
    items = []
    for d in drawn:
        pages = sorted({int(r["page"]) for r in rows if r["doc_id"] == d and _page(r.get("page"))})
        parts = [_link(links.source(d), d)]
        parts += [_link(links.source(d, p), f"p.{p}") for p in pages]
        ins = links.inspect(d, pages[0] if pages else None)
        if ins:
            parts.append(_link(ins, "点検 (inspect)"))
        items.append(" ".join(parts))
    return "出典 (source): " + " ／ ".join(items)


def _kpi_sections(c: Comparison, links: Links, rep: dict[str, str], copies: dict[str, list[str]],
                  edition_fy: dict[str, int]) -> tuple[str, list[dict]]:
    by_muni: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for r in c.kpi_series:
        by_muni[r["municipality"]][r["indicator_key"]].append(r)
    docs_by_muni: dict[str, list[Row]] = defaultdict(list)
    for d in c.documents:
        docs_by_muni[d["municipality"] or ""].append(d)
    many = len(set(by_muni) | set(docs_by_muni)) > 4
    chart_data: list[dict] = []
    sections = []
    for muni in sorted(set(by_muni) | set(docs_by_muni)):
        figures = []
        keys = sorted(by_muni.get(muni, {}), key=lambda k: (-len({r["doc_id"] for r in by_muni[muni][k]}), k))
        for key in keys:
            rows = by_muni[muni][key]
            newest = max(rows, key=lambda r: (r["edition_fy"], r["doc_id"]))
            data, sources, notes = _chart(rows, links, rep, copies, edition_fy)
            if not data["rows"]:
                continue
            n_ed = len({r[5] for r in data["rows"]})
            data["title"] = newest["indicator"]
            chart_data.append(data)
            topics = c.kpi_topics.get((muni, key), [])
            badges = f'<span class="badge">{n_ed}版</span>' if n_ed > 1 else ""
            if any(n.startswith("改訂") for n in notes):
                badges += '<span class="badge rev">改訂あり</span>'
            note_html = ("<details class=notes><summary>改訂・注記 (revisions, notes)</summary><ul>"
                         + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul></details>") if notes else ""
            figures.append(
                f'<figure class="kpi" data-topics="{_e(" ".join(topics))}" data-name="{_e(newest["indicator"])}">'
                f'<figcaption><b>{_e(newest["indicator"])}</b> {badges}</figcaption>'
                f'<div class="vl" data-chart="{len(chart_data) - 1}" role="img" aria-label="{_e(newest["indicator"])}"></div>'
                f'<p class="src">{sources}</p>{note_html}</figure>')
        docs = sorted(docs_by_muni.get(muni, []), key=lambda d: (-(edition_fy.get(d["doc_id"]) or 0), d["doc_id"]))
        doc_rows = "".join(
            f"<tr><td>{_link(links.source(d['doc_id']), d['doc_id'])}</td><td>{_e(d.get('title'))}</td>"
            f"<td>{_e(_period(d))}</td><td>{_e(edition_fy.get(d['doc_id']) or '')}</td><td>{_e(d.get('source_format'))}</td>"
            f"<td>{_e(d.get('pages'))}</td><td>{_e(', '.join(copies.get(d['doc_id'], [])) or ('=' + rep[d['doc_id']] if rep.get(d['doc_id']) != d['doc_id'] else ''))}</td></tr>"
            for d in docs)
        name = muni or "(自治体不明)"
        sections.append(
            f'<section class="muni" data-muni="{_e(muni)}"><details class="muni-body"{"" if many else " open"}>'
            f'<summary><h3>{_e(name)}</h3> <span class="meta">指標 {len(figures)} · 文書 {len(docs)}</span></summary>'
            f'<details class="docs"><summary>文書 (documents) {len(docs)}件</summary><table>'
            "<tr><th>文書 (doc_id)</th><th>題名 (title)</th><th>計画期間 (period)</th><th>版 (edition FY)</th>"
            f"<th>形式</th><th>頁数</th><th>同一ファイル (identical)</th></tr>{doc_rows}</table></details>"
            f'<div class="charts">{"".join(figures) or "<p>KPIなし (no KPI)</p>"}</div></details></section>')
    return "".join(sections), chart_data


def _period(d: Row) -> str:
    a, b = d.get("period_start_fy"), d.get("period_end_fy")
    return f"{a or ''}–{b or ''}年度" if a or b else ""


def _heat_data(c: Comparison, edition_fy: dict[str, int], rep: dict[str, str]) -> dict:
    """Per municipality its plan documents (those with initiatives), newest first; counts per document."""
    inits: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    for r in c.initiative_topics + c.untagged:
        if (r["doc_id"], r["initiative_id"]) not in seen:
            seen.add((r["doc_id"], r["initiative_id"]))
            inits[r["doc_id"]] += 1
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in c.ward_topics:
        counts[r["doc_id"]][r["topic"]] = r["initiatives"]
    muni_of = {d["doc_id"]: d["municipality"] or "" for d in c.documents}
    docs: dict[str, list[str]] = defaultdict(list)
    for doc in inits:
        if rep.get(doc, doc) == doc:  # identical copies are one edition
            docs[muni_of.get(doc, "")].append(doc)
    munis = [{"m": m, "docs": [[d, f"{edition_fy.get(d) or '?'}年度版 {d}", inits[d]]
                              for d in sorted(ds, key=lambda d: (-(edition_fy.get(d) or 0), d))]}
             for m, ds in sorted(docs.items())]
    return {"topics": [[t, label] for t, label in c.topic_labels.items()], "munis": munis,
            "counts": {d: counts.get(d, {}) for ds in docs.values() for d in ds}}


def _findings(c: Comparison, links: Links) -> str:
    muni_of = {d["doc_id"]: d["municipality"] or "" for d in c.documents}
    by_doc: dict[str, list[Row]] = defaultdict(list)
    for r in c.issues:
        by_doc[r["doc_id"]].append(r)
    blocks = []
    for doc in sorted(by_doc):
        rows = by_doc[doc]
        errors = sum(r["severity"] == "error" for r in rows)
        trs = []
        for r in rows:
            page = int(r["page"]) if _page(r.get("page")) else None
            where = _link(links.source(doc, page), f"p.{page}" if page else "文書")
            ins = links.inspect(doc, page)
            if ins:
                where += " " + _link(ins, "点検")
            trs.append(f'<tr class="{_e(r["severity"])}"><td>{_e(SEVERITY_JA.get(r["severity"], r["severity"]))}</td>'
                       f"<td>{_e(r['stage'])}</td><td>{_e(r['message'])}</td><td>{where}</td>"
                       f"<td class=snip>{_e((r.get('snippet') or '')[:160])}</td></tr>")
        summary = f"{_e(doc)} — {len(rows)}件" + (f' <span class="err">エラー {errors}</span>' if errors else "")
        blocks.append(f'<details class="finding" data-muni="{_e(muni_of.get(doc, ""))}"><summary>{summary}</summary>'
                      "<table><tr><th>重大度 (severity)</th><th>段階 (stage)</th><th>内容 (message)</th>"
                      f"<th>箇所 (page)</th><th>原文 (snippet)</th></tr>{''.join(trs)}</table></details>")
    return "".join(blocks) or "<p>指摘なし (no findings)</p>"


def render(c: Comparison, out: Path | None = None) -> str:
    out = out or Path.cwd()
    links = Links(out, c.documents)
    rep, copies = _editions(c.documents)
    edition_fy: dict[str, int] = {}
    for r in c.kpi_series:
        edition_fy[r["doc_id"]] = r["edition_fy"]
    for d in c.documents:
        edition_fy.setdefault(d["doc_id"], d.get("period_start_fy") or 0)
    kpi_html, chart_data = _kpi_sections(c, links, rep, copies, edition_fy)
    munis = sorted({d["municipality"] or "" for d in c.documents} | {r["municipality"] for r in c.kpi_series})
    muni_opts = "".join(f'<option value="{_e(m)}">{_e(m or "(不明)")}</option>' for m in munis)
    topic_opts = "".join(f'<option value="{_e(t)}">{_e(label)}</option>' for t, label in c.topic_labels.items())
    data = {"template": charts.template(), "fields": charts.FIELDS, "charts": chart_data,
            "heat": _heat_data(c, edition_fy, rep)}
    indicators = len({(r["municipality"], r["indicator_key"]) for r in c.kpi_series})
    legend = "".join(f'<span><i style="background:{col}"></i>{ja} ({k})</span>' for k, (ja, col, _) in charts.KINDS.items())
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>window.__errors = []; window.addEventListener("error", e => window.__errors.push(String(e.message)));
document.addEventListener("securitypolicyviolation", e => window.__errors.push("blocked request: " + e.blockedURI));</script>
<title>自治体ICT・DX計画 レポート (municipal ICT/DX plans)</title>
<style>
body {{ font-family: "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo, "IPAexGothic", "IPAGothic", sans-serif; margin: 0 1.5em 2em; color: #222; }}
h1 {{ font-size: 22px; margin: .6em 0 .2em; }} h2 {{ font-size: 18px; margin: 1.2em 0 .4em; border-bottom: 2px solid #ddd; }}
h3 {{ display: inline; font-size: 16px; margin: 0; }} .meta, small, .src {{ color: #555; font-size: 12px; }}
#filters {{ position: sticky; top: 0; background: #fff; padding: 6px 0; border-bottom: 1px solid #ddd; z-index: 5; display: flex; gap: 1em; flex-wrap: wrap; align-items: center; font-size: 13px; }}
#filters select, #filters input {{ font: inherit; }}
.legend span {{ margin-right: 1em; font-size: 12px; }} .legend i {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }}
figure.kpi {{ margin: 0; border: 1px solid #ddd; padding: 6px; width: fit-content; min-width: 400px; max-width: 600px; }}
figcaption {{ font-size: 13px; margin-bottom: 4px; }}
.vl {{ min-height: 250px; }}
.badge {{ font-size: 11px; background: #e5e7eb; border-radius: 3px; padding: 0 4px; margin-left: 4px; }} .badge.rev {{ background: #fde68a; }}
.notes, .docs {{ font-size: 12px; }}
section.muni {{ border-top: 1px solid #eee; padding: 4px 0; }} summary {{ cursor: pointer; }}
table {{ border-collapse: collapse; font-size: 12px; margin: 4px 0; }}
td, th {{ border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; }} th {{ background: #f6f6f6; }}
#heat td.n {{ text-align: right; min-width: 3.5em; }} #heat select {{ font-size: 11px; max-width: 12em; }}
.err {{ color: #b91c1c; }} tr.error td:first-child {{ color: #b91c1c; font-weight: bold; }} td.snip {{ color: #666; max-width: 28em; }}
[hidden] {{ display: none !important; }}
</style></head>
<body data-charts="{len(chart_data)}" data-charts-drawn="0" data-charts-axes="0" data-charts-ok="pending" data-errors="0">
<h1>自治体ICT・DX計画 レポート <small>(municipal ICT/DX plans: KPIs, topics, findings)</small></h1>
<p class="meta">文書 {len(c.documents)}件 · 自治体 {len([m for m in munis if m])} · 指標 (harmonized indicators) {indicators} ·
取組 (initiatives) {c.initiatives_total} (未分類 untagged {len(c.untagged)}) · 指摘 (findings) {len(c.issues)}</p>
<div id="filters">
<label>自治体 (municipality) <select id="f-muni"><option value="">すべて (all)</option>{muni_opts}</select></label>
<label>トピック (topic) <select id="f-topic"><option value="">すべて (all)</option>{topic_opts}</select></label>
<label>指標名 (indicator) <input id="f-q" type="search" placeholder="例: オープンデータ" size="14"></label>
<span id="f-count" class="meta"></span>
</div>
<h2>KPIの推移 (KPI series by fiscal year)</h2>
<p class="legend">{legend} — 線: 計画値は破線、実績値は実線。形: 版 (edition)。薄い印は新しい版で改訂された値 (faded: superseded by a newer edition). 点にカーソルで記載・文書・頁、クリックで出典。</p>
<div id="kpis">{kpi_html}</div>
<h2>自治体 × トピック (ward × topic)</h2>
<p class="meta">各自治体1版のみ比較 (one edition per municipality; latest by default, choose in the header).
<label>表示 (show) <select id="heat-mode"><option value="count">取組数 (initiatives)</option><option value="share">割合 % (share of the edition's initiatives)</option><option value="sum">全版合計 (sum of all editions — not comparable)</option></select></label></p>
<div id="heat"></div>
<h2>指摘 (findings)</h2>
<div id="findings">{_findings(c, links)}</div>
<script id="report-data" type="application/json">{_json_script(data)}</script>
<script>{charts.vega_bundle()}</script>
<script>{_SCRIPT}</script>
</body></html>
"""


_SCRIPT = r"""
(function () {
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const body = document.body;
  const params = new URLSearchParams(location.hash.slice(1));
  const renderAll = params.get("render") === "all";
  const state = {muni: params.get("muni") || "", topic: params.get("topic") || "", q: params.get("q") || ""};
  const $ = id => document.getElementById(id);
  let drawn = 0, withAxes = 0;
  const pending = [];

  function record() {
    body.dataset.chartsDrawn = String(drawn);
    body.dataset.chartsAxes = String(withAxes);
    body.dataset.errors = String(window.__errors.length);
    // every file the page fetched (scripts, styles, images, fonts, fetch/XHR): none, it is all inline
    body.dataset.requests = String(performance.getEntriesByType("resource").length);
    if (window.__errors.length) body.dataset.errorList = window.__errors.join(" | ").slice(0, 2000);
  }

  function spec(c) {
    const s = structuredClone(DATA.template);
    s.data = {values: c.rows.map(r => Object.fromEntries(DATA.fields.map((f, i) => [f, r[i]])))};
    for (const l of s.layer) { l.encoding.y.title = c.y; l.encoding.x.scale = {domain: c.years}; }
    return s;
  }

  function axesLabelled(div) {  // every axis of the drawn chart has tick labels
    const axes = div.querySelectorAll('g.role-axis[aria-roledescription="axis"]');
    let labelled = 0;
    axes.forEach(a => { if (Array.from(a.querySelectorAll(".role-axis-label text")).some(t => t.textContent.trim())) labelled++; });
    return axes.length >= 2 && labelled === axes.length;
  }

  function draw(div) {
    if (div.dataset.state) return null;
    div.dataset.state = "pending";
    const c = DATA.charts[+div.dataset.chart];
    const p = vegaEmbed(div, spec(c), {renderer: "svg", actions: false, tooltip: {theme: "light"}})
      .then(() => { div.dataset.state = "drawn"; drawn++; if (axesLabelled(div)) { withAxes++; div.dataset.axes = "ok"; } record(); })
      .catch(e => { div.dataset.state = "error"; window.__errors.push("chart " + div.dataset.chart + ": " + e); record(); });
    pending.push(p);
    return p;
  }

  const io = "IntersectionObserver" in window ? new IntersectionObserver(entries => {
    for (const e of entries) if (e.isIntersecting) { io.unobserve(e.target); draw(e.target); }
  }, {rootMargin: "300px"}) : null;

  function visible(el) { return el.offsetParent !== null; }

  function applyFilters() {
    const q = state.q.trim();
    let shownCharts = 0, shownMunis = 0;
    document.querySelectorAll("section.muni").forEach(sec => {
      const okMuni = !state.muni || sec.dataset.muni === state.muni;
      let n = 0;
      sec.querySelectorAll("figure.kpi").forEach(f => {
        const ok = okMuni && (!state.topic || f.dataset.topics.split(" ").includes(state.topic))
                   && (!q || f.dataset.name.includes(q));
        f.hidden = !ok;
        if (ok) n++;
      });
      sec.hidden = !okMuni || ((state.topic || q) && n === 0);
      if (!sec.hidden) { shownMunis++; shownCharts += n; }
      if (state.muni && okMuni) sec.querySelector("details.muni-body").open = true;
    });
    document.querySelectorAll("details.finding").forEach(d => { d.hidden = !!state.muni && d.dataset.muni !== state.muni; });
    $("f-count").textContent = `表示: 自治体 ${shownMunis} · 指標 ${shownCharts}`;
    body.dataset.visibleMunis = String(shownMunis);
    body.dataset.visibleCharts = String(shownCharts);
    const h = new URLSearchParams();
    for (const k of ["muni", "topic", "q"]) if (state[k]) h.set(k, state[k]);
    if (renderAll) h.set("render", "all");
    history.replaceState(null, "", h.toString() ? "#" + h.toString() : location.pathname + location.search);
    heat();
    schedule();
  }

  function schedule() {
    document.querySelectorAll(".vl").forEach(div => {
      if (div.dataset.state) return;
      if (renderAll) { if (visible(div)) draw(div); }
      else if (io) io.observe(div); else if (visible(div)) draw(div);
    });
  }

  // ward × topic: one edition per municipality (selectable), counts or shares
  const chosen = {};
  function heat() {
    const H = DATA.heat, mode = $("heat-mode").value;
    const munis = H.munis.filter(m => !state.muni || m.m === state.muni);
    const topics = H.topics.filter(t => !state.topic || t[0] === state.topic);
    const val = (m, t) => {
      if (mode === "sum") return m.docs.reduce((s, d) => s + (H.counts[d[0]][t] || 0), 0);
      const d = m.docs[chosen[m.m] || 0], n = H.counts[d[0]][t] || 0;
      return mode === "share" ? (d[2] ? 100 * n / d[2] : 0) : n;
    };
    let max = 0;
    for (const m of munis) for (const t of topics) max = Math.max(max, val(m, t[0]));
    const esc = s => String(s).replace(/[&<>"]/g, ch => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[ch]));
    let h = "<table><tr><th>トピック (topic)</th>";
    for (const m of munis) {
      h += `<th>${esc(m.m || "(不明)")}`;
      if (mode !== "sum") {
        h += `<br><select data-m="${esc(m.m)}" title="版 (edition)">` + m.docs.map((d, i) =>
          `<option value="${i}"${i === (chosen[m.m] || 0) ? " selected" : ""}>${esc(d[1])} (${d[2]})</option>`).join("") + "</select>";
      }
      h += "</th>";
    }
    h += "</tr>";
    for (const t of topics) {
      h += `<tr><th>${esc(t[1])}</th>`;
      for (const m of munis) {
        const v = val(m, t[0]);
        const a = max ? (0.06 + 0.8 * v / max).toFixed(2) : 0;
        h += `<td class="n" style="background: rgba(220,38,38,${a})">${mode === "share" ? v.toFixed(1) + "%" : v}</td>`;
      }
      h += "</tr>";
    }
    $("heat").innerHTML = munis.length ? h + "</table>" : "<p>該当なし (nothing to show)</p>";
    $("heat").querySelectorAll("select").forEach(s => s.addEventListener("change", () => { chosen[s.dataset.m] = +s.value; heat(); }));
  }

  $("f-muni").value = state.muni; $("f-topic").value = state.topic; $("f-q").value = state.q;
  $("f-muni").addEventListener("change", e => { state.muni = e.target.value; applyFilters(); });
  $("f-topic").addEventListener("change", e => { state.topic = e.target.value; applyFilters(); });
  $("f-q").addEventListener("input", e => { state.q = e.target.value; applyFilters(); });
  $("heat-mode").addEventListener("change", heat);
  document.querySelectorAll("details.muni-body").forEach(d => d.addEventListener("toggle", schedule));
  if (renderAll) document.querySelectorAll("details.muni-body").forEach(d => { if (!d.closest("section").hidden) d.open = true; });
  applyFilters();
  const settle = () => {
    const n = pending.length;
    Promise.allSettled(pending).then(() => {
      if (pending.length !== n) return settle();
      record();
      const expected = renderAll ? document.querySelectorAll("figure.kpi:not([hidden]) .vl").length : drawn;
      body.dataset.chartsExpected = String(expected);
      body.dataset.chartsOk = String(drawn === expected && withAxes === drawn && window.__errors.length === 0);
    });
  };
  settle();
})();
"""


def write_report(out: Path, c: Comparison) -> Path:
    from ..emit.parquet import write_text_atomic

    path = out / "report.html"
    write_text_atomic(render(c, out), path)
    return path
