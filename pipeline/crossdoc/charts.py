"""The report's charts: Vega-Lite specs authored with Altair, and the Vega JavaScript inlined.

Why Vega-Lite (through Altair) rather than Plotly: the page holds hundreds of small charts,
and a Vega-Lite chart is a short declarative spec (axes, legends, tooltips, links to the
source page come from the grammar) over one ~0.9 MB inline runtime (vega + vega-lite +
vega-embed, shipped inside the `vl-convert-python` wheel), where plotly.js alone is ~4.6 MB.
The spec is checkable as data (the tests read its axes), and the same spec renders to PNG
offline through vl-convert (the README's screenshot).

One spec template is built with Altair (validated against the Vega-Lite schema once) and
written into the page once; per chart only the rows and the y-axis title differ, filled in
by the page's script when the chart scrolls into view.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

# kind -> (Japanese label, colour, line dash); the order is the legend's
KINDS: dict[str, tuple[str, str, list[int]]] = {
    "baseline": ("基準値", "#6b7280", [1, 0]),
    "plan": ("計画値", "#2563eb", [5, 3]),
    "actual": ("実績値", "#dc2626", [1, 0]),
    "target": ("目標値", "#059669", [1, 0]),
}
# one shape per edition (a chart draws at most this many editions; older ones are listed)
EDITION_SHAPES = ["circle", "square", "diamond", "triangle-up", "cross", "triangle-down"]
MAX_EDITIONS = len(EDITION_SHAPES)
# the columns of a chart's rows in the page (arrays, not objects: the page stays small)
FIELDS = ["fy", "k", "v", "val", "raw", "doc", "pg", "ed", "cur", "href"]
CHART_W, CHART_H = 340, 170


def template() -> dict[str, Any]:
    """The KPI chart's Vega-Lite spec (see build_template), as Altair built it."""
    return _authored()["template"]


@functools.lru_cache(maxsize=1)
def _authored() -> dict[str, Any]:
    """The template and the Vega-Lite version of the installed Altair. Importing Altair and
    validating the spec take ~0.6 s, a third of a small run, so the result is cached in
    ~/.cache/pipeline per Altair version and per source of this module (any change rebuilds it)."""
    from importlib.metadata import version

    key = hashlib.sha256(Path(__file__).read_bytes() + version("altair").encode()).hexdigest()[:16]
    path = _cache_dir() / f"chart-template-{key}.json"
    body = _read_checked(path)
    if body is not None:
        try:
            return json.loads(body)
        except ValueError:
            pass
    import altair as alt

    authored = {"template": build_template(), "vl_version": ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])}
    _write_checked(path, json.dumps(authored, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return authored


def build_template() -> dict[str, Any]:
    """The KPI chart: x fiscal year, y value; colour = kind (plan dashed, actual solid lines),
    shape and x offset = edition (older editions faded), tooltip = the cell as written, the
    document and the page; a click opens the source page."""
    import altair as alt

    kind_domain = [ja for ja, _, _ in KINDS.values()]
    colour = alt.Color("k:N", title="種別 (kind)", sort=kind_domain,
                       scale=alt.Scale(domain=kind_domain, range=[c for _, c, _ in KINDS.values()]),
                       legend=alt.Legend(orient="bottom", direction="horizontal", titleFontSize=11))
    x = alt.X("fy:O", title="年度 (fiscal year)", sort="ascending",
              axis=alt.Axis(labelAngle=0, labelExpr="datum.value + '年度'", labelOverlap=True))
    offset = alt.XOffset("ed:N", sort="ascending")
    y = alt.Y("v:Q", title="値", scale=alt.Scale(zero=True), axis=alt.Axis(tickCount=5, labelOverlap=True))
    lines = alt.Chart().mark_line(strokeWidth=1.5).encode(
        x=x, xOffset=offset, y=y, color=colour, detail="ed:N",
        strokeDash=alt.StrokeDash("k:N", scale=alt.Scale(domain=kind_domain, range=[d for _, _, d in KINDS.values()]),
                                  legend=None),
        opacity=alt.condition("datum.cur", alt.value(0.9), alt.value(0.35)),
    ).transform_filter(alt.FieldOneOfPredicate(field="k", oneOf=[KINDS["plan"][0], KINDS["actual"][0]]))
    points = alt.Chart().mark_point(filled=True, size=70, cursor="pointer").encode(
        x=x, xOffset=offset, y=y, color=colour,
        shape=alt.Shape("ed:N", title="版 (edition: document)", sort="ascending", scale=alt.Scale(range=EDITION_SHAPES),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=330, titleFontSize=11)),
        opacity=alt.condition("datum.cur", alt.value(1.0), alt.value(0.45)),
        href="href:N",
        tooltip=[alt.Tooltip("k:N", title="種別 (kind)"), alt.Tooltip("fy:O", title="年度 (FY)"),
                 alt.Tooltip("val:N", title="値 (value)"), alt.Tooltip("raw:N", title="記載 (cell as written)"),
                 alt.Tooltip("doc:N", title="文書 (document)"), alt.Tooltip("pg:N", title="頁 (page)"),
                 alt.Tooltip("ed:N", title="版 (edition)")],
    )
    chart = alt.layer(lines, points, data=alt.Data(values=[{}])).properties(width=CHART_W, height=CHART_H).configure(
        font="Hiragino Sans, Noto Sans CJK JP, Yu Gothic, Meiryo, IPAexGothic, IPAGothic, sans-serif",
    ).configure_legend(labelFontSize=11, symbolSize=60)
    spec = chart.to_dict()  # validates against Vega-Lite's schema
    spec.pop("datasets", None)
    spec["data"] = {"values": []}
    return spec


def chart_spec(rows: list[dict[str, Any]], y_title: str, years: list[int]) -> dict[str, Any]:
    """The template with its data, y title and every fiscal year from first to last on x
    (a year without values stays on the axis). The page's script does the same (fill());
    this one serves PNG export and tests."""
    import copy

    spec = copy.deepcopy(template())
    spec["data"] = {"values": rows}
    for layer in spec["layer"]:
        layer["encoding"]["y"]["title"] = y_title
        layer["encoding"]["x"]["scale"] = {"domain": years}
    return spec


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pipeline"


def _read_checked(path: Path) -> bytes | None:
    """A cache file's body when its sha256 line matches (None: missing, damaged or foreign)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    body, _, digest = data.rpartition(b"\n//sha256:")
    return body if hashlib.sha256(body).hexdigest().encode() == digest.strip() else None


def _write_checked(path: Path, body: bytes) -> None:
    """Write a cache file atomically, with its sha256 line; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(body + b"\n//sha256:" + hashlib.sha256(body).hexdigest().encode())
        os.replace(tmp, path)
    except OSError:
        pass  # no writable cache: built again next time


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one inline script, from the vl-convert-python wheel.

    Bundling takes seconds, so it is cached per vl-convert and Vega-Lite version in
    ~/.cache/pipeline (XDG_CACHE_HOME respected); the cache is checked against its sha256."""
    from importlib.metadata import version

    vl_version = _authored()["vl_version"]
    name = f"vega-bundle-vlc{version('vl-convert-python')}-vl{vl_version}.js"
    path = _cache_dir() / name
    body = _read_checked(path)
    if body is not None:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    import vl_convert as vlc

    js = vlc.javascript_bundle(vl_version=vl_version)  # type: ignore[call-arg]  # snippet is optional
    _write_checked(path, js.encode("utf-8"))
    return js
