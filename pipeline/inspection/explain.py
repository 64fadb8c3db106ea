"""`inspect --explain`: the chain of evidence for one row, or, for an item that is missing, the
nearest outline nodes and why each was not classified."""
from __future__ import annotations

from difflib import SequenceMatcher

from ..segment.enumerators import parse_label
from ..segment.outline import compile_rules
from ..normalization.chars import normalizer
from .analysis import Analysis, NodeInfo, fold

DEFAULT_NEAREST = 5
DEFAULT_MAX_ROWS = 5

RULE_OF = {
    "heading:": "a heading above it ends with a kind phrase (rules/outline.toml [kinds] words)",
    "heading": "an item block: a numbered heading whose section holds field headings (事業概要, ねらい・効果 …: "
               "rules/initiatives.toml fields), its kind from the group heading above (目標N)",
    "progress_table": "a row of a progress table (rules/initiatives.toml [progress] name_headers, status_headers)",
    "label": "the node's own label names a kind (rules/outline.toml [[style]] kind_label / [kinds] words)",
    "introduction": "a short line right before its list names a kind (rules/outline.toml [kinds] words, "
                    "[limits] max_intro_chars)",
    "count": "a sentence counts its run (rules/outline.toml [kinds] count_pattern)",
    "table column": "a table column headed by a kind word (rules/initiatives.toml kind words)",
    "vocabulary": "the document's own word for a level of items (rules/outline.toml [kinds] vocabulary_pattern) "
                  "over sections holding a table of items",
}


def rule_of(evidence: str | None) -> str:
    """The rule behind a row's evidence, in words, with the rule file that holds it."""
    ev = evidence or ""
    if ev in RULE_OF:
        return RULE_OF[ev]
    head = ev.split(":")[0].split(" (")[0].strip()
    return RULE_OF.get("heading:" if head == "heading" else head, f"source {ev or 'unknown'}")


def find_rows(a: Analysis, query: str) -> tuple[str, list[dict]]:
    """(table, rows) matching the query: an id, a label, a title, an indicator or a term."""
    q = query.strip()
    fq = fold(normalizer(a.rules)(q))
    ini, kpis, terms = a.tables.initiatives, a.tables.kpis, a.tables.glossary
    tests = [
        ("initiatives", ini, lambda r: r["initiative_id"] == q),
        ("kpis", kpis, lambda r: r["kpi_id"] == q),
        ("glossary", terms, lambda r: fold(r["term"]) == fq),
        ("initiatives", ini, lambda r: r["initiative_id"].split("/")[-1] == q
         or fold(f"{r['kind']}{r['number']}") == fq),
        ("initiatives", ini, lambda r: fold(r["title"]) == fq),
        ("kpis", kpis, lambda r: fold(r["indicator"]) == fq),
        ("initiatives", ini, lambda r: len(fq) >= 2 and fq in fold(r["title"])),
        ("kpis", kpis, lambda r: len(fq) >= 2 and fq in fold(r["indicator"])),
        ("glossary", terms, lambda r: len(fq) >= 2 and fq in fold(r["term"])),
    ]
    for table, rows, test in tests:
        hit = [r for r in rows if test(r)]
        if hit:
            return table, hit
    return "", []


def explain(a: Analysis, query: str) -> str:
    table, rows = find_rows(a, query)
    if not rows:
        return explain_missing(a, query)
    out = []
    if len(rows) > 1:
        out.append(f"{len(rows)} {table} rows match {query!r}"
                   + (f"; the first {DEFAULT_MAX_ROWS} shown" if len(rows) > DEFAULT_MAX_ROWS else "") + "\n")
    for row in rows[:DEFAULT_MAX_ROWS]:
        out.append({"initiatives": explain_initiative, "kpis": explain_kpi, "glossary": explain_term}[table](a, row))
    return "\n".join(out)


def _where(a: Analysis, line: int) -> str:
    ln = a.doc.lines[line]
    return f"line {line}" + (f", page {ln.page}" if ln.page else "")


def _node_chain(n: NodeInfo, a: Analysis) -> list[str]:
    out = []
    p = n.node.parent
    while p is not None:
        info = a.by_node.get(id(p))
        tag = f" = {', '.join(info.rows)}" if info and info.rows else ""
        out.append(f"{p.label.text + ' ' if p.label else ''}{p.title} (level {p.level}{tag})")
        p = p.parent
    return out


def explain_initiative(a: Analysis, row: dict) -> str:
    rid = row["initiative_id"]
    lines = [f"initiatives {rid}: {row['kind']} {row['number'] if row['number'] is not None else ''} "
             f"{row['title']}" + (f"   (page {row['page']})" if row["page"] else ""),
             f"  evidence: {row['evidence']}   source: {row['source']}",
             f"  rule: {rule_of(row['evidence'])}"]
    n = a.node_for_row(rid)
    step = 1
    if n is not None:
        lab = n.node.label
        lines.append(f"  {step}. read {_where(a, n.line)}: {n.node.entry.raw.strip()[:70]!r}")
        step += 1
        if lab is not None:
            lines.append(f"  {step}. label {lab.text!r}, style {lab.style} (rules/outline.toml)"
                         + (f", names the kind {lab.kind}" if lab.kind else "")
                         + f" -> {n.tree} outline node, level {n.node.level}")
            step += 1
        chain = _node_chain(n, a)
        if chain:
            lines.append(f"  {step}. under: " + " < ".join(chain))
            step += 1
        ev = row["evidence"] or ""
        if ev.startswith("heading:"):
            lines.append(f"  {step}. the heading {ev[len('heading:'):].strip()!r} ends with the kind phrase "
                         f"-> {row['kind']}")
        elif ev.startswith("introduction:"):
            text = ev[len("introduction:"):].strip()
            k = next((i for i in range(n.line - 1, -1, -1) if a.doc.lines[i].raw.strip() == text), None)
            where = f" ({_where(a, k)})" if k is not None else ""
            lines.append(f"  {step}. the line {text!r}{where} stands right before the list and names {row['kind']}: "
                         "every sibling of the run after it is one")
        elif ev.startswith("count:"):
            lines.append(f"  {step}. the sentence {ev[len('count:'):].strip()!r} counts the run of siblings it precedes")
        elif ev.startswith("label:"):
            lines.append(f"  {step}. the label names the kind itself")
        step += 1
        if n.reasons:
            lines.append(f"  note: {n.reasons[0]}")
    elif (row["evidence"] or "").startswith("table column"):
        lines.append("  " + _table_of(a, row["page"], row["title_raw"] or "", row["title"] or ""))
    else:
        lines.append(f"  read from: {(row['title_raw'] or '')[:80]!r}")
    parent = a.initiative(row["parent_id"]) if row["parent_id"] else None
    if parent is not None:
        lines.append(f"  parent: {parent['initiative_id']} {parent['title']} (evidence: {parent['evidence']}): "
                     "the nearest item above it")
    else:
        lines.append("  parent: none (a top-level item)")
    kids = [r["initiative_id"] for r in a.tables.initiatives if r["parent_id"] == rid]
    if kids:
        lines.append(f"  children: {', '.join(kids[:12])}{' …' if len(kids) > 12 else ''}")
    kpis = [f"{k['kpi_id']} {k['indicator']}" for k in a.tables.kpis if k.get("initiative_id") == rid]
    if kpis:
        lines.append(f"  KPIs: {'; '.join(kpis[:8])}{' …' if len(kpis) > 8 else ''}")
    return "\n".join(lines) + "\n"


def _table_of(a: Analysis, page: int | None, *texts: str) -> str:
    keys = [fold(t)[:12] for t in texts if t and len(fold(t)) >= 2]
    for b in a.doc.blocks:
        if b.kind == "table" and (page is None or b.page == page) and any(
                k in fold(c or "") for k in keys for r in b.rows_raw for c in r):
            header = " | ".join((c or "").replace("\n", " ") for c in (b.rows_raw[0] if b.rows_raw else []))
            return f"read from a table{f' on page {b.page}' if b.page else ''}, header row: {header[:100]}"
    return f"read from a table: {(texts[0] if texts else '')[:60]!r}"


def explain_kpi(a: Analysis, row: dict) -> str:
    vals = [v for v in a.tables.kpi_values if v["kpi_id"] == row["kpi_id"]]
    lines = [f"kpis {row['kpi_id']}: {row['indicator']}" + (f"   (page {row['page']})" if row["page"] else ""),
             f"  baseline {row['baseline_raw']!r} -> {row['baseline_value']} {row['baseline_unit'] or ''} FY{row['baseline_fy']}",
             f"  target   {row['target_raw']!r} -> {row['target_value']} {row['target_unit'] or ''} FY{row['target_fy']}",
             "  rule: a row of a table whose header names indicator / baseline / target (rules/kpis.toml)",
             "  " + _table_of(a, row["page"], row["indicator_raw"] or "", row["indicator"] or "")]
    if row.get("initiative_id"):
        it = a.initiative(row["initiative_id"])
        lines.append(f"  measures: {row['initiative_id']}" + (f" {it['title']}" if it else "")
                     + " (the initiative whose heading encloses the table, or the table's link column)")
    if vals:
        lines.append("  values: " + ", ".join(f"{v['kind']} FY{v['fiscal_year']} {v['raw']}" for v in vals[:8]))
    return "\n".join(lines) + "\n"


def explain_term(a: Analysis, row: dict) -> str:
    return "\n".join([
        f"glossary {row['term']}: {row['definition'] or ''}"[:120] + (f"   (page {row['page']})" if row["page"] else ""),
        f"  source: {row['source']} (footnote: a numbered note cited in the text; inline: a bracket after the term; "
        "note: Xとは… / ※X:…) — rules/glossary.toml, rules/footnotes.toml",
        f"  read from: {(row['raw'] or '')[:100]!r}"]) + "\n"


def nearest(a: Analysis, query: str, k: int = DEFAULT_NEAREST) -> list[NodeInfo]:
    r = compile_rules(a.rules)
    q = normalizer(a.rules)(query.strip())
    lab = parse_label(q, r.styles)
    fq = fold(q)
    scored = []
    for n in a.nodes:
        text = fold(n.heading)
        s = SequenceMatcher(None, fq, text, autojunk=False).ratio()
        if fq and (fq in text or fold(n.node.title) in fq and len(fold(n.node.title)) >= 2):
            s += 1.0
        if lab is not None and n.node.label is not None:
            if lab.number is not None and n.node.label.number == lab.number:
                s += 0.5
            if lab.kind and (n.kind == lab.kind or n.node.label.kind == lab.kind):
                s += 0.3
        if n.tree == "body":
            s += 0.01
        scored.append((s, n))
    scored.sort(key=lambda t: -t[0])
    best = scored[0][0] if scored else 0.0
    return [n for s, n in scored[:k] if s >= max(0.35, best * 0.5)]


def explain_missing(a: Analysis, query: str) -> str:
    lines = [f"no row matches {query!r} (initiative ids, labels and titles; KPI ids and indicators; glossary terms)."]
    near = nearest(a, query)
    if not near:
        lines.append("No outline node is near it: the document's outline has "
                     f"{sum(1 for n in a.nodes if n.tree == 'body')} body nodes; is the item written as a numbered "
                     "line or heading at all?")
        return "\n".join(lines) + "\n"
    lines.append("Nearest outline nodes, and why each is no such row:")
    for n in near:
        parent = n.node.parent
        under = f", under {parent.label.text + ' ' if parent.label else ''}{parent.title[:24]}" if parent else ""
        lines.append(f"  {_where(a, n.line)} ({n.tree}, level {n.node.level}{under}): {n.heading[:60]!r}")
        if n.rows:
            lines.append(f"    is {', '.join(n.rows)} ({n.evidence})")
            continue
        for reason in n.reasons:
            lines.append(f"    - {reason}")
    return "\n".join(lines) + "\n"
