"""What the tool saw in one document: the model, its rows, and for every outline node the
evidence that made it an item (or why nothing did), and which rows it produced.

The document is built by the runner's own stages (`build_document`, `document_rows`); the
classification is re-run from `extractors/initiatives/classify.py` (no side effects) so each node
can be tied to its evidence. For a PDF the pages are read once (`ingest.pdf.read_pages`) and kept:
their lines carry the coordinates the page renders need.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..extractors.initiatives.classify import (classify, clean_title, cues_of, line_cues, is_container,
                                               kind_phrase, _ends_mid_clause, _siblings)
from ..model import Document, Line, OutlineNode, Tables
from ..normalization.chars import normalizer
from ..rules import Rules, load_rules
from ..runner.run import DEFAULT_SUFFIXES, build_document, document_rows
from ..segment.outline import OutlineRules, compile_rules, walk


def fold(s: str | None) -> str:
    return "".join((s or "").split())


@dataclass
class NodeInfo:
    """One outline node as inspect shows it."""

    node: OutlineNode
    tree: str                       # "body" or "contents"
    nid: str                        # html anchor: n12
    kind: str | None = None         # the kind it was classified as
    evidence: str | None = None     # what made it an item (classify's evidence)
    rows: list[str] = field(default_factory=list)   # initiative ids it became
    kpis: list[str] = field(default_factory=list)   # kpi ids measuring those rows
    reasons: list[str] = field(default_factory=list)  # why it is no row

    @property
    def line(self) -> int:
        return self.node.entry.line

    @property
    def page(self) -> int | None:
        return self.node.entry.page

    @property
    def label(self) -> str:
        return self.node.label.text if self.node.label else ""

    @property
    def heading(self) -> str:
        return f"{self.label} {self.node.title}".strip()


@dataclass
class Analysis:
    path: Path
    doc: Document
    tables: Tables
    rules: Rules
    nodes: list[NodeInfo]
    by_node: dict[int, NodeInfo]
    pdf_pages: list = field(default_factory=list)   # ingest.pdf._Page objects (PDF only)
    line_geometry: dict[int, object] = field(default_factory=dict)  # doc.lines index -> ingest _Line

    @property
    def is_pdf(self) -> bool:
        return self.doc.source_format == "pdf"

    def node_for_row(self, initiative_id: str) -> NodeInfo | None:
        return next((n for n in self.nodes if initiative_id in n.rows and n.tree == "body"), None) or \
            next((n for n in self.nodes if initiative_id in n.rows), None)

    def initiative(self, initiative_id: str) -> dict | None:
        return next((r for r in self.tables.initiatives if r["initiative_id"] == initiative_id), None)


def analyse(path: str | Path, rules: Rules | None = None) -> Analysis:
    """Build one document as `extract` does and tie its outline to its rows."""
    path = Path(path)
    if path.suffix.lower() not in DEFAULT_SUFFIXES:
        raise ValueError(f"{path}: not a .pdf, .txt or .md file")
    rules = rules or load_rules()
    pdf_pages: list = []
    if path.suffix.lower() == ".pdf":
        from ..ingest.pdf import PdfError, read_pages
        from ..runner.run import PdfPages

        try:
            total, pdf_pages, failed = read_pages(str(path), rules)
            doc = build_document(path, path.parent, rules, PdfPages(total, pdf_pages, failed))
        except PdfError:
            pdf_pages = []
            doc = build_document(path, path.parent, rules)  # records the reason as a finding
    else:
        doc = build_document(path, path.parent, rules)
    tables = document_rows(doc, rules)
    nodes = _node_infos(doc, tables, rules)
    a = Analysis(path, doc, tables, rules, nodes, {id(n.node): n for n in nodes}, pdf_pages)
    if pdf_pages:
        a.line_geometry = match_lines(doc.lines, pdf_pages)
    return a


def match_lines(lines: list[Line], pages: list) -> dict[int, object]:
    """doc.lines index -> the ingested PDF line it was made from (same page, same text, in order)."""
    from ..ingest.pdf import _Line

    by_page: dict[int, list] = {}
    for p in pages:
        by_page[p.number] = [it for _, it in p.items if isinstance(it, _Line)] + list(p.footnotes)
    pos: dict[int, int] = {}
    used: set[int] = set()
    out: dict[int, object] = {}
    for i, ln in enumerate(lines):
        cands = by_page.get(ln.page or -1, [])
        start = pos.get(ln.page or -1, 0)
        for k in list(range(start, len(cands))) + list(range(0, start)):
            c = cands[k]
            if id(c) not in used and c.marked == ln.raw:
                out[i] = c
                used.add(id(c))
                pos[ln.page or -1] = k + 1
                break
    return out


def _row_key(kind: str, number, title: str) -> tuple:
    return kind, number, fold(title)


def _node_infos(doc: Document, tables: Tables, rules: Rules) -> list[NodeInfo]:
    r = compile_rules(rules)
    norm = normalizer(rules)
    rows = tables.initiatives
    by_key: dict[tuple, list[dict]] = {}
    by_title: dict[str, list[dict]] = {}
    for row in rows:
        by_key.setdefault(_row_key(row["kind"], row["number"], row["title"] or ""), []).append(row)
        by_title.setdefault(fold(row["title"]), []).append(row)
    kpis_of: dict[str, list[str]] = {}
    for k in tables.kpis:
        if k.get("initiative_id"):
            kpis_of.setdefault(k["initiative_id"], []).append(k["kpi_id"])
    out: list[NodeInfo] = []
    count = 0
    findings = list(doc.findings)  # classify may record findings: they are the run's already
    found = line_cues(doc, r, norm)
    for roots, tree, source in ((doc.outline.body, "body", "outline"), (doc.outline.contents, "contents", "contents")):
        cues = cues_of(doc, roots, r, found)
        classified = {id(n): it for n, it in classify(doc, roots, cues, r, source)}
        for n in walk(roots):
            count += 1
            info = NodeInfo(n, tree, f"n{count}")
            it = classified.get(id(n))
            if it is not None:
                info.kind, info.evidence = it.kind, it.evidence
                same = by_key.get(_row_key(it.kind, it.number, it.title)) or by_title.get(fold(it.title)) or []
                info.rows = [s["initiative_id"] for s in same]
                if not same:
                    info.reasons.append(f"classified as {it.kind} ({it.evidence}) but no row kept it: "
                                        "a field legend (概要, 担当 …) or a repeat of another item")
                elif all(s["source"] not in ("outline", "contents") for s in same):
                    info.reasons.append(f"classified as {it.kind} ({it.evidence}); the row came first from "
                                        f"another source ({same[0]['source']}: {same[0]['evidence']})")
            else:
                info.reasons = why_not(doc, n, roots, cues, r)
                other = [s for s in by_title.get(fold(clean_title(n.title, r)), []) if s["source"] != source]
                if other:  # another reader (an item block, a table) made the row of this heading
                    info.rows = [s["initiative_id"] for s in other]
                    info.kind = other[0]["kind"]
                    info.evidence = f"{other[0]['source']}: {other[0]['evidence']}" if other[0]["evidence"] != other[0]["source"] \
                        else other[0]["source"]
                    info.reasons = ["the outline did not classify it: " + "; ".join(info.reasons)]
            info.kpis = [k for rid in info.rows for k in kpis_of.get(rid, [])]
            out.append(info)
    doc.findings[:] = findings
    return out


def why_not(doc: Document, n: OutlineNode, roots: list[OutlineNode], cues: dict, r: OutlineRules) -> list[str]:
    """Why classify made no item of this node, in the order classify asks."""
    lab = n.label
    if lab is None:
        return ["no label: only numbered lines are outline items"]
    if lab.structural:
        return [f"label {lab.text} ({lab.style}) is document structure (structural in rules/outline.toml): never an item"]
    if lab.kind:
        if any(p.search(n.title) for p in r.container_titles):
            return [f"kind label {lab.text} before a title naming a list ({n.title}: rules/outline.toml "
                    "[kinds] container_patterns): a contents line, not an item"]
        if n.title.endswith(r.unfinished_endings):
            return [f"title ends unfinished ('{n.title[-3:]}', rules/outline.toml [titles] unfinished_endings): a sentence"]
        return ["kind label, but no item kept (see the rows of the same title)"]
    reasons: list[str] = []
    run = _siblings(n, roots)
    for s in run:
        if is_container(s.title, r):
            what = (f"names a kind ({kind_phrase(s.title, r)})" if kind_phrase(s.title, r)
                    else "matches rules/outline.toml [kinds] container_patterns")
            who = "it" if s is n else f"its sibling {s.label.text if s.label else ''} {s.title}"
            return [f"{who} {what}: a run holding plan scaffolding is no list of items"]
    reasons.append(f"its label {lab.text} ({lab.style}) names no kind (rules/outline.toml [kinds] words)")
    # headings above
    heads = []
    a = n.parent
    labelled: set[str] = set()
    blocked = None
    while a is not None:
        if a.label is not None and a.label.kind:
            labelled.add(a.label.kind)
        else:
            k = kind_phrase(a.title, r)
            if k and any(k.endswith(w) for w in labelled):
                blocked = (a, k)
                break
        heads.append(f"{a.label.text + ' ' if a.label else ''}{a.title}")
        a = a.parent
    if blocked is not None:
        reasons.append(f"the heading '{blocked[0].title}' names {blocked[1]}, but the kind-labelled items above "
                       f"({'/'.join(sorted(labelled))}) are its items; this node is their detail")
    elif heads:
        reasons.append("no heading above ends with a kind phrase: " + " / ".join(h[:30] for h in heads))
    else:
        reasons.append("a top-level node: no heading above it")
    # the line introducing its run
    first = min(run, key=lambda s: s.entry.line) if run else n
    j = first.entry.line - 1
    while j >= 0 and not doc.lines[j].raw.strip():
        j -= 1
    if j >= 0:
        text = doc.lines[j].raw.strip()
        bare = text.strip("【】[]［］■●◆□○▶ ")
        if len(text) > 30 or text.endswith("。"):
            why = "is over 30 characters or a sentence, not a short introduction"
        elif len(bare) > r.max_intro_chars:
            why = f"is longer than max_intro_chars ({r.max_intro_chars}, rules/outline.toml [limits])"
        elif kind_phrase(bare, r) is None:
            why = "names no kind"
        else:
            why = "names a kind but is itself a labelled line" if first is not n else "names a kind"
        reasons.append(f"the line before its list (line {j}, page {doc.lines[j].page}) '{text[:40]}' {why}")
    if getattr(n.entry, "cut", False):
        reasons.insert(0, "the text ends inside this entry (no line break after the file's last line): left out as cut short")
    reasons.append(f"no sentence counting its run of {len(run)} (rules/outline.toml count_pattern, e.g. 4つの基本目標) "
                   "comes before it")
    title = clean_title(n.title, r)
    if title.endswith(r.unfinished_endings) or _ends_mid_clause(title, r):
        reasons.append(f"and its title ends unfinished ('{title[-3:]}')")
    return reasons


_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def parse_pages(spec: str | None, total: int | None) -> list[int]:
    """'3-5', '3', '1,4-6' -> page numbers (1-based) within the document; None -> every page."""
    last = total or 0
    if not spec:
        return list(range(1, last + 1))
    out: list[int] = []
    for part in spec.split(","):
        m = _RANGE.match(part)
        if not m:
            raise ValueError(f"--pages {spec!r}: write pages as 3, 3-5 or 1,4-6")
        a = int(m.group(1))
        b = int(m.group(2) or a)
        if a < 1 or b < a:
            raise ValueError(f"--pages {spec!r}: pages start at 1 and a range goes up (3-5)")
        out += [p for p in range(a, b + 1) if not total or p <= total]
    if total and not out:
        raise ValueError(f"--pages {spec!r}: the document has {total} page(s)")
    return sorted(set(out))
