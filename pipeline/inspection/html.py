"""index.html (the pages, the outline as a clickable tree with each node's evidence and rows,
the rows, the findings linked to their page) and, for text and markdown, text.html with the
marks on the lines. Self-contained: opens offline, no script from elsewhere."""
from __future__ import annotations

from html import escape
from pathlib import Path

from .analysis import Analysis, NodeInfo, fold
from .render import COLOURS, LEGEND, PageMarks, hexc, level_colour, page_png

CSS = """
body { font-family: "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo, "IPAexGothic", sans-serif;
       margin: 1.2em; color: #222; font-size: 14px; }
a { color: #1d4ed8; text-decoration: none; } a:hover { text-decoration: underline; }
.cols { display: flex; gap: 1.5em; align-items: flex-start; }
.side { flex: 0 0 38em; max-height: 95vh; overflow: auto; position: sticky; top: 0; }
.main { flex: 1 1 auto; min-width: 0; }
details { margin-left: 1em; } summary { cursor: pointer; }
.leaf { margin-left: 2em; }
.lab { font-weight: bold; padding: 0 .3em; border-radius: 3px; color: white; }
.ev { color: #047857; font-size: 12px; } .why { color: #888; font-size: 12px; }
.row { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 3px; font-size: 12px; padding: 0 .3em; margin-left: .3em; }
.row.kpi { background: #e0f2fe; border-color: #0284c7; } .row.term { background: #fae8ff; border-color: #c026d3; }
.node.selected > summary, .leaf.selected { background: #fde68a; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; }
.sev-error { color: #b91c1c; font-weight: bold; } .sev-warning { color: #b45309; }
.page img { max-width: 100%; border: 1px solid #ccc; }
.legend span.sw { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin: 0 .3em 0 1em; border: 2px solid; }
pre.src { font-family: inherit; margin: 0; }
.ln { display: flex; gap: .5em; border-left: 4px solid transparent; padding-left: .3em; }
.ln .no { color: #999; width: 4em; text-align: right; flex: none; }
.ln .tx { white-space: pre-wrap; flex: 1 1 auto; }
.ln.line { border-left-color: #ccc; } .ln.table { background: #eff6ff; border-left-color: #1d4ed8; }
.ln.footnote { background: #fdf4ff; border-left-color: #c800a0; } .ln.outline { font-weight: bold; }
.ln.contents { color: #64748b; border-left-color: #64748b; }
.ln:target { background: #fde68a; }
"""

SCRIPT = """
(function () {
  window.addEventListener("load", function () {
    const imgs = Array.from(document.querySelectorAll("img"));
    const ok = imgs.filter(i => i.complete && i.naturalWidth > 0);
    document.body.dataset.images = String(imgs.length);
    document.body.dataset.imagesOk = String(ok.length === imgs.length);
    document.body.dataset.nodes = String(document.querySelectorAll(".node, .leaf").length);
    document.body.dataset.errors = String(window.__errors.length);
    document.body.dataset.ready = "true";
  });
  document.addEventListener("click", function (ev) {
    const a = ev.target.closest("a[data-node]");
    if (!a) return;
    document.querySelectorAll(".selected").forEach(e => e.classList.remove("selected"));
    const n = document.getElementById(a.dataset.node);
    if (n) n.classList.add("selected");
  });
})();
"""


def _head(title: str) -> str:
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<script>window.__errors = []; window.addEventListener("error", e => window.__errors.push(String(e.message)));'
            f'</script><style>{CSS}</style></head>')


def _page_href(a: Analysis, page: int | None, line: int | None, rendered: set[int]) -> str:
    if a.is_pdf:
        return f"#page-{page}" if page in rendered else ""
    return f"text.html#L{_src_line(a, line) + 1}" if line is not None and _src_line(a, line) is not None else ""


def _src_line(a: Analysis, line: int | None):
    if line is None:
        return None
    return getattr(a, "_src_of", {}).get(line)


def _where_link(a: Analysis, page: int | None, line: int | None, rendered: set[int], nid: str = "") -> str:
    href = _page_href(a, page, line, rendered)
    text = f"p.{page}" if page else (f"line {(_src_line(a, line) or 0) + 1}" if line is not None else "")
    if not text:
        return ""
    data = f' data-node="{nid}"' if nid else ""
    return f'<a href="{href}"{data}>{text}</a>' if href else f"<span>{text}</span>"


def _node_html(a: Analysis, info: NodeInfo, children: list[str], rendered: set[int]) -> str:
    colour = hexc(level_colour(info.node.level))
    lab = f'<span class="lab" style="background:{colour}">{escape(info.label)}</span>' if info.label else ""
    rows = "".join(f'<span class="row">{escape(r)}</span>' for r in info.rows)
    rows += "".join(f'<span class="row kpi">KPI {escape(k)}</span>' for k in info.kpis)
    ev = f' <span class="ev">{escape(info.evidence)}</span>' if info.evidence else ""
    why = (f' <span class="why" title="{escape(chr(10).join(info.reasons))}">not an item: {escape(info.reasons[0][:90])}</span>'
           if info.reasons and not info.rows else "")
    head = (f'{lab} {escape(info.node.title)} {_where_link(a, info.page, info.line, rendered, info.nid)}'
            f'{ev}{rows}{why}')
    if children:
        return f'<details open class="node" id="{info.nid}"><summary>{head}</summary>{"".join(children)}</details>'
    return f'<div class="leaf" id="{info.nid}">{head}</div>'


def outline_html(a: Analysis, tree: str, rendered: set[int]) -> str:
    roots = a.doc.outline.body if tree == "body" else a.doc.outline.contents

    def rec(nodes) -> list[str]:
        return [_node_html(a, a.by_node[id(n)], rec(n.children), rendered) for n in nodes]

    return "".join(rec(roots)) or "<p>(none)</p>"


def _legend() -> str:
    levels = "".join(f'<span class="sw" style="border-color:{hexc(level_colour(k))}"></span>outline level {k}'
                     for k in range(1, 5))
    rest = "".join(f'<span class="sw" style="border-color:{hexc(COLOURS[k])}"></span>{escape(t)}' for k, t in LEGEND)
    return f'<p class="legend">{levels}{rest}</p>'


def _rows_tables(a: Analysis, rendered: set[int]) -> str:
    t = a.tables
    ini = "".join(
        f'<tr><td>{escape(r["initiative_id"])}</td><td>{escape(r["kind"] or "")}</td><td>{escape(r["title"] or "")}</td>'
        f'<td>{escape(r["parent_id"] or "")}</td><td>{escape(r["source"] or "")}</td><td>{escape(r["evidence"] or "")}</td>'
        f'<td>{_where_link(a, r["page"], _line_of_row(a, r), rendered)}</td></tr>' for r in t.initiatives)
    kpis = "".join(
        f'<tr><td>{escape(k["kpi_id"])}</td><td>{escape(k["indicator"] or "")}</td><td>{escape(k["initiative_id"] or "")}</td>'
        f'<td>{escape(str(k["baseline_raw"] or ""))}</td><td>{escape(str(k["target_raw"] or ""))}</td>'
        f'<td>{_where_link(a, k["page"], None, rendered)}</td></tr>' for k in t.kpis)
    terms = "".join(
        f'<tr><td>{escape(g["term"] or "")}</td><td>{escape((g["definition"] or "")[:80])}</td><td>{escape(g["source"] or "")}</td>'
        f'<td>{_where_link(a, g["page"], None, rendered)}</td></tr>' for g in t.glossary)
    return (f'<h2 id="initiatives">initiatives ({len(t.initiatives)})</h2><table><tr><th>id</th><th>kind</th><th>title</th>'
            f'<th>parent</th><th>source</th><th>evidence</th><th>where</th></tr>{ini}</table>'
            f'<h2 id="kpis">kpis ({len(t.kpis)})</h2><table><tr><th>id</th><th>indicator</th><th>initiative</th>'
            f'<th>baseline</th><th>target</th><th>where</th></tr>{kpis}</table>'
            f'<h2 id="glossary">glossary ({len(t.glossary)})</h2><table><tr><th>term</th><th>definition</th><th>source</th>'
            f'<th>where</th></tr>{terms}</table>')


def _line_of_row(a: Analysis, row: dict) -> int | None:
    n = a.node_for_row(row["initiative_id"])
    return n.line if n else None


def _findings(a: Analysis, rendered: set[int], page: int | None = None) -> str:
    fs = [f for f in a.doc.findings if page is None or f.page == page]
    if not fs:
        return "" if page is not None else "<p>(none)</p>"
    rows = "".join(
        f'<tr><td class="sev-{f.severity}">{f.severity}</td><td>{escape(f.stage)}</td><td>{escape(f.message)}</td>'
        f'<td>{_where_link(a, f.page, None, rendered) if page is None else ""}</td><td>{escape(f.snippet[:80])}</td></tr>'
        for f in fs)
    return f'<table class="findings"><tr><th>severity</th><th>stage</th><th>message</th><th>page</th><th>text</th></tr>{rows}</table>'


def write_index(a: Analysis, out: Path, marks: dict[int, PageMarks]) -> Path:
    rendered = set(marks)
    d = a.doc
    title = f"inspect: {a.path.name}"
    counts = {name: len(getattr(a.tables, name)) for name in ("sections", "initiatives", "kpis", "kpi_values", "glossary")}
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    if a.is_pdf:
        page_list = " ".join(f'<a href="#page-{p}">{p}</a>' for p in sorted(rendered))
        pages = "".join(
            f'<section class="page" id="page-{p}"><h2>page {p}</h2>'
            f'<p class="why">{escape(", ".join(f"{k} {v}" for k, v in sorted(marks[p].counts.items())))}</p>'
            f'{_findings(a, rendered, p)}<img src="{page_png(p)}" alt="page {p} with the boxes the tool saw"></section>'
            for p in sorted(rendered))
        where = f"{d.pages} page(s); rendered: {page_list or '(none)'}"
    else:
        pages = f'<p>The lines with their marks: <a href="text.html">text.html</a></p>'
        where = f'{len(d.lines)} line(s); <a href="text.html">the lines with their marks</a>'
    body = f"""<body data-ready="pending">
<h1>{escape(title)}</h1>
<p>{escape(d.title or "")} — {escape(d.municipality or "")} {escape(str(d.period_start_fy or ""))}–{escape(str(d.period_end_fy or ""))}<br>
doc_id <code>{escape(d.doc_id)}</code>, {escape(d.source_format)}, {where}<br>rows: {escape(summary)};
<a href="#findings">findings {len(d.findings)}</a></p>
{_legend() if a.is_pdf else ""}
<div class="cols"><div class="side">
<h2>outline</h2><p class="why">click a page link to see the node on its page; green: the evidence that made it an item;
grey: why it is none (hover for every reason)</p>
{outline_html(a, "body", rendered)}
<h2>contents</h2>{outline_html(a, "contents", rendered)}
<h2 id="findings">findings ({len(d.findings)})</h2>{_findings(a, rendered)}
</div><div class="main">{pages}{_rows_tables(a, rendered)}</div></div>
<script>{SCRIPT}</script>
</body></html>"""
    path = out / "index.html"
    path.write_text(_head(title) + body, encoding="utf-8")
    return path


def map_source_lines(a: Analysis, source: list[str]) -> dict[int, int]:
    """doc.lines index -> source line index (in order; a joined markdown paragraph by its first line)."""
    out: dict[int, int] = {}
    j = 0
    folded = [fold(s) for s in source]
    for i, ln in enumerate(a.doc.lines):
        key = fold(ln.raw)[:12]
        if not key:
            continue
        for k in range(j, len(source)):
            if key in folded[k] or (folded[k] and folded[k] in key and len(folded[k]) >= 4):
                out[i] = k
                j = k + 1
                break
    return out


def write_text_view(a: Analysis, out: Path) -> Path:
    """text.html: every source line, marked as what the tool saw it as, with the rows beside it."""
    from ..ingest.text import decode

    text, _enc = decode(a.path.read_bytes())
    source = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    src_of = map_source_lines(a, source)
    a._src_of = src_of  # type: ignore[attr-defined]
    role: dict[int, str] = {k: "line" for k in src_of.values()}
    chips: dict[int, list[str]] = {}
    style: dict[int, str] = {}
    for n in a.nodes:
        k = src_of.get(n.line)
        if k is None:
            continue
        role[k] = "outline" if n.tree == "body" else "contents"
        colour = hexc(level_colour(n.node.level))
        style[k] = f"border-left-color:{colour}"
        lab = f'<span class="lab" style="background:{colour}">{escape(n.label)} L{n.node.level}</span>'
        ev = f'<span class="ev">{escape(n.evidence)}</span>' if n.evidence else (
            f'<span class="why" title="{escape(chr(10).join(n.reasons))}">{escape(n.reasons[0][:80])}</span>' if n.reasons else "")
        chips.setdefault(k, []).append(lab + ev + "".join(f'<span class="row">{escape(r)}</span>' for r in n.rows))
    folded = [fold(s) for s in source]
    for b in a.doc.blocks:
        if b.kind in ("table", "footnote"):
            for part in b.raw.split("\n"):
                fp = fold(part)[:20]
                k = next((x for x, s in enumerate(folded) if fp and fp in s and role.get(x) != b.kind), None)
                if k is not None:
                    role[k] = b.kind
    for r in a.tables.initiatives:
        if r["source"] in ("outline", "contents"):
            continue
        key = fold(r["title_raw"] or r["title"])[:16]
        k = next((x for x, s in enumerate(folded) if key and key in s), None)
        if k is not None:
            chips.setdefault(k, []).append(f'<span class="row" title="{escape(r["evidence"] or "")}">{escape(r["initiative_id"])}</span>')
    for kp in a.tables.kpis:
        key = fold(kp["indicator_raw"] or kp["indicator"])
        k = next((x for x, s in enumerate(folded) if key and key in s and role.get(x) == "table"), None)
        if k is not None:
            chips.setdefault(k, []).append(f'<span class="row kpi">KPI: {escape(kp["indicator"])}</span>')
    for g in a.tables.glossary:
        key = fold(g["raw"])[:16]
        k = next((x for x, s in enumerate(folded) if key and key in s), None)
        if k is not None:
            chips.setdefault(k, []).append(f'<span class="row term">term: {escape(g["term"])}</span>')
    finds: dict[int, list[str]] = {}
    for f in a.doc.findings:
        key = fold(f.snippet)[:16]
        k = next((x for x, s in enumerate(folded) if len(key) >= 4 and key in s), None)
        if k is not None:
            finds.setdefault(k, []).append(f.message)
    lines = []
    for k, s in enumerate(source):
        cls = role.get(k, "")
        extra = "".join(chips.get(k, []))
        extra += "".join(f'<span class="sev-warning" title="{escape(m)}"> ⚠ finding</span>' for m in finds.get(k, []))
        lines.append(f'<div class="ln {cls}" id="L{k + 1}" style="{style.get(k, "")}"><span class="no">{k + 1}</span>'
                     f'<span class="tx">{escape(s)}</span><span>{extra}</span></div>')
    title = f"inspect: {a.path.name} (lines)"
    legend = ('<p class="legend"><b>bold, coloured edge</b>: outline node (colour = level), grey edge: body line, '
              'blue: table, magenta: footnote, slate: contents; chips: the rows each line became; '
              '<a href="index.html">index</a></p>')
    body = f'<body data-ready="pending"><h1>{escape(title)}</h1>{legend}<div class="src">{"".join(lines)}</div><script>{SCRIPT}</script></body></html>'
    path = out / "text.html"
    path.write_text(_head(title) + body, encoding="utf-8")
    return path
