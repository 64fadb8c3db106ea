"""report.html: a self-contained page (no network: inline CSS, SVG and script).

Per municipality, each KPI's series as a chart (baseline, planned, actual, target by
fiscal year); the ward × topic heat map; the findings from issues.parquet. A small
inline script checks that every chart drew its marks and records the result (and any
script error) on <body>, which the browser test reads.
"""
from __future__ import annotations

import html
import math
from collections import defaultdict
from pathlib import Path

from .series import Comparison, Row

KIND_STYLE = {  # colour, dash pattern, marker radius
    "baseline": ("#6b7280", "", 4), "plan": ("#2563eb", "4 3", 3), "actual": ("#dc2626", "", 4),
    "target": ("#059669", "", 5),
}
DEFAULT_CHART_W, DEFAULT_CHART_H = 360, 180


def _e(x: object) -> str:
    return html.escape("" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x))


def chart_svg(rows: list[Row], title: str) -> str:
    """One indicator: points per kind by fiscal year; plan and actual joined by lines."""
    rows = [r for r in rows if r["fiscal_year"] is not None and r["value"] is not None]
    w, h, pad = DEFAULT_CHART_W, DEFAULT_CHART_H, 34
    years = sorted({int(r["fiscal_year"]) for r in rows})
    vmax = max([float(r["value"]) for r in rows] + [1.0])
    x0, x1 = (years[0], years[-1]) if years else (0, 1)
    span = max(x1 - x0, 1)

    def px(y: float) -> float:
        return pad + (y - x0) / span * (w - 2 * pad)

    def py(v: float) -> float:
        return h - pad - v / vmax * (h - 2 * pad)

    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{_e(title)}">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<text x="4" y="{pad - 8}" font-size="10" fill="#555">max {vmax:g}</text>']
    for y in years:
        parts.append(f'<text x="{px(y):.1f}" y="{h - pad + 14}" font-size="10" text-anchor="middle">FY{y}</text>')
    for kind, (colour, dash, radius) in KIND_STYLE.items():
        pts = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["fiscal_year"])
        coords = [(px(int(r["fiscal_year"])), py(float(r["value"])), r) for r in pts]
        if kind in ("plan", "actual") and len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-dasharray="{dash}" points="{path}"/>')
        for cx, cy, r in coords:
            parts.append(f'<circle class="mark" cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{colour}">'
                         f'<title>{_e(kind)} FY{int(r["fiscal_year"])}: {r["value"]:g}{_e(r["unit"])} ({_e(r["doc_id"])})'
                         "</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def heatmap(c: Comparison) -> str:
    topics, munis, counts = c.topic_matrix()
    if not topics:
        return "<p>No tagged initiatives.</p>"
    top = max(list(counts.values()) + [1])
    head = "".join(f"<th>{_e(m)}</th>" for m in munis)
    rows = []
    for topic in topics:
        cells = "".join(f'<td class="heat" style="background: rgba(220,38,38,{0.08 + 0.8 * counts.get((topic, m), 0) / top:.2f})">'
                        f"{counts.get((topic, m), 0)}</td>" for m in munis)
        rows.append(f"<tr><th>{_e(topic)}</th>{cells}</tr>")
    return f'<table class="heatmap"><tr><th>topic</th>{head}</tr>{"".join(rows)}</table>'


def render(c: Comparison) -> str:
    legend = " ".join(f'<span style="color:{col}">● {k}</span>' for k, (col, _, _) in KIND_STYLE.items())
    sections = []
    by_muni: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for r in c.kpi_series:
        by_muni[r["municipality"]][r["indicator_key"]].append(r)
    for muni in sorted(by_muni):
        charts = []
        for key in sorted(by_muni[muni]):
            rows = by_muni[muni][key]
            name = max(rows, key=lambda r: r["edition_fy"])["indicator"]
            docs = ", ".join(sorted({r["doc_id"] for r in rows}))
            charts.append(f'<figure><figcaption>{_e(name)}<br><small>{_e(docs)}</small></figcaption>'
                          f"{chart_svg(rows, name)}</figure>")
        sections.append(f"<section><h2>{_e(muni)}: KPI series</h2><p class=legend>{legend}</p>"
                        f'<div class="charts">{"".join(charts)}</div></section>')
    finding_rows = "".join(
        f"<tr><td>{_e(r['doc_id'])}</td><td>{_e(r['stage'])}</td><td>{_e(r['severity'])}</td><td>{_e(r['message'])}</td>"
        f"<td>{_e(r['page'])}</td></tr>" for r in c.issues)
    indicators = len({r["indicator_key"] for r in c.kpi_series})
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<script>window.__errors = []; window.addEventListener("error", e => window.__errors.push(String(e.message)));</script>
<title>Municipal ICT/DX plans: KPIs, topics, findings</title>
<style>
body {{ font-family: "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo, "IPAexGothic", sans-serif; margin: 1.5em; color: #222; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 12px; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 6px; }}
figcaption {{ font-size: 12px; max-width: {DEFAULT_CHART_W}px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ddd; padding: 3px 6px; }}
td.heat {{ text-align: center; min-width: 3em; }}
.legend span {{ margin-right: 1em; }}
</style></head>
<body data-charts-ok="pending">
<h1>Municipal ICT/DX plans</h1>
<p>{len(c.documents)} documents, {indicators} harmonized indicators,
{c.initiatives_total} initiatives ({len(c.untagged)} untagged), {len(c.issues)} findings.</p>
{"".join(sections)}
<section><h2>Ward × topic (initiatives per topic)</h2>{heatmap(c)}</section>
<section><h2>Findings</h2><table><tr><th>document</th><th>stage</th><th>severity</th><th>message</th><th>page</th></tr>
{finding_rows}</table></section>
<script>
(function () {{
  const charts = Array.from(document.querySelectorAll("svg.chart"));
  const drawn = charts.filter(svg => svg.querySelectorAll(".mark").length > 0
                                  && svg.getBoundingClientRect().width > 0);
  document.body.dataset.charts = String(charts.length);
  document.body.dataset.chartsDrawn = String(drawn.length);
  document.body.dataset.chartsOk = String(charts.length > 0 && drawn.length === charts.length);
  document.body.dataset.errors = String(window.__errors.length);
}})();
</script>
</body></html>
"""


def write_report(out: Path, c: Comparison) -> Path:
    from ..emit.parquet import write_text_atomic

    path = out / "report.html"
    write_text_atomic(render(c), path)
    return path
