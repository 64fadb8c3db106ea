"""Extract initiatives.parquet rows: the plan's hierarchy of goals, measures and actions.

Sources, in document order: tables headed by kind words, labeled lines, counted
introductions, kind-titled sections, item blocks under headings, progress tables.
An item seen in two places (a table and a line) is one row. Numbers that restart
under each parent get the parent's id as prefix (目標1/事業3). A gap in a numbered
series and an item whose parent cannot be determined are findings.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from difflib import SequenceMatcher

from ...segment.outline import compile_rules
from .classify import outline_items, section_items
from .tables import Item, kind_header, table_items
from .text import counted_intros, item_blocks, kind_sections, progress_items
from ...model import Document, Tables
from ...rules import Rules
from ..vocab import Vocab, vocab

NAME = "initiatives"
WRITES = ("initiatives",)


def collect(doc: Document, rules: Rules) -> list[Item]:
    v = vocab(rules)
    items: list[Item] = []
    carried: tuple[list, str | None] | None = None  # the header of the kind-headed table just read
    for bi, b in enumerate(doc.blocks):
        if b.kind != "table":
            continue
        continues = (carried is not None and bi > 0 and doc.blocks[bi - 1].kind == "table" and b.rows
                     and not kind_header(b.rows[0], v) and len(b.rows[0]) == len(carried[0]))
        header = carried[0] if continues and carried else None
        for it in table_items(b, v, header, compile_rules(rules).bullet):
            it.order = bi + it.order / 10_000
            it.section_id = carried[1] if continues and carried else b.section_id
            it.evidence = "table column" + (" (continued from the table before)" if continues else "")
            items.append(it)
        if b.rows and kind_header(b.rows[0], v):
            carried = (b.rows[0], b.section_id)
        elif not continues:
            carried = None
    items = section_items(doc, items, rules) + items
    items += counted_intros(doc, v, rules)
    items += kind_sections(doc, v, rules)
    items += item_blocks(doc, v)
    field_words = tuple(w for words in v.fields.values() for w in words)
    items += [it for it in _not_seen(outline_items(doc, rules), items)
              if not it.title.startswith(field_words)]  # 1 概要: … is a legend of a sheet's fields
    progress = progress_items(doc, v, rules)
    merged = _repeats_dropped(doc, _dedupe(items))
    merged.sort(key=lambda it: it.order)
    return merged + progress


# Two long titles this similar are one item written twice (a check sheet repeating the plan's goals).
DEFAULT_REPEAT_SIMILARITY = 0.9
DEFAULT_REPEAT_MIN_CHARS = 20


def _repeats_dropped(doc: Document, items: list[Item]) -> list[Item]:
    """A long item that repeats an earlier one of the same kind almost word for word (a 点検票 form
    copying the plan's goals) is that item: dropped, and where the wording differs, a finding."""
    out: list[Item] = []
    for it in items:
        t = _fold(it.title)
        same = None
        if len(t) >= DEFAULT_REPEAT_MIN_CHARS:
            same = next((o for o in out if o.kind == it.kind and len(_fold(o.title)) >= DEFAULT_REPEAT_MIN_CHARS
                         and SequenceMatcher(None, _fold(o.title), t, autojunk=False).ratio() >= DEFAULT_REPEAT_SIMILARITY),
                        None)
        if same is None:
            out.append(it)
            continue
        if _fold(same.title) != t:
            doc.find("initiatives", f"{it.kind} repeated with other wording (page {it.page}); the first is kept",
                     page=it.page, snippet=f"{same.title[:60]} / {it.title[:60]}")
    return out


def _fold(title: str) -> str:
    return "".join(title.split())


def _not_seen(found: list[Item], items: list[Item]) -> list[Item]:
    """Outline items whose title another source already gave are that item: the outline adds
    only what the others missed, and its parents point at the items kept."""
    by_title = {_fold(it.title): it for it in items}
    out = []
    alias: dict[int, Item] = {}
    for it in found:
        same = by_title.get(_fold(it.title))
        if same is not None:
            alias[id(it)] = same
            continue
        if it.parent is not None:
            it.parent = alias.get(id(it.parent), it.parent)
        out.append(it)
    return out


def _dedupe(items: list[Item]) -> list[Item]:
    """One row per (kind, number, parent): a later sighting fills what the first lacked.
    Outline items also differ by title (two lists of 基本目標 in one plan are two lists)."""
    seen: dict[tuple, Item] = {}
    alias: dict[int, Item] = {}
    out = []
    for it in items:
        if it.parent is not None:
            it.parent = alias.get(id(it.parent), it.parent)
        outline = it.source in ("outline", "contents")
        # numbers restart under each parent: the same number under another parent is another item
        # a section holding a table of items is its own item, and so are the table's items under it
        by_section = it.source == "section" or bool(it.parent and it.parent.source == "section")
        key = (it.kind, it.label or it.number, _fold(it.title) if it.number is None or outline else None,
               _key(it.parent) if it.parent and (it.source == "heading" or outline or by_section) else None,
               it.section_id if it.source == "section" else None)
        first = seen.get(key)
        if first is None:
            seen[key] = it
            out.append(it)
            continue
        alias[id(it)] = first
        for attr in ("description", "effects", "status", "priority_mark", "page"):
            if getattr(first, attr) is None and getattr(it, attr) is not None:
                setattr(first, attr, getattr(it, attr))
        if first.parent is None and it.parent is not None:
            first.parent = it.parent
        if not first.departments:
            first.departments = it.departments
    return out


def _key(it: Item) -> tuple:
    return (it.kind, it.number, it.title)


def assign_ids(items: list[Item], progress_prefix: str) -> None:
    counts = Counter((it.kind, it.number, it.source == "progress_table") for it in items)
    restarts = {k[0] for k, c in counts.items() if c > 1 and not k[2]}
    used: set[str] = set()
    for it in items:  # parents come first in document order
        # the label as the plan writes it (施策1-2, 4.1, 第2項); a bare ordinal (1, ②, (1)) names
        # the item under its parent (基本目標3/②), and at the top its kind does (施策1)
        ordinal_only = it.label is not None and not it.label_named
        if it.label and (it.label_named or it.parent is not None):
            base = it.label.strip("【】[]［］")
        elif it.number is not None:
            base = f"{it.kind}{it.number}"
        else:
            base = f"{it.kind}:{it.title[:16]}"
        if it.source == "progress_table":
            base = f"{progress_prefix}/{base}"
        elif it.parent is not None and (it.kind in restarts or ordinal_only):
            base = f"{it.parent.item_id or _key(it.parent)}/{base}"
        iid, k = base, 2
        while iid in used:
            iid, k = f"{base}~{k}", k + 1
        used.add(iid)
        it.item_id = iid


def _legend_marks(doc: Document, v: Vocab) -> set[str]:
    marks = set()
    texts = [b.text for b in doc.blocks if b.text] + [c or "" for b in doc.blocks if b.kind == "table" for r in b.rows for c in r]
    for t in texts:
        for m in v.legend.finditer(t):
            marks.add(m.group("mark").replace("＊", "*"))
    return marks


def report(doc: Document, items: list[Item]) -> None:
    by_kind: dict[str, set[int]] = defaultdict(set)
    for it in items:
        if it.number is not None and it.source != "progress_table" and it.kind not in {x.kind for x in items if x.source == "heading" and x.parent}:
            by_kind[it.kind].add(it.number)
    for kind, nums in by_kind.items():
        ordered = sorted(nums)
        for a, b in zip(ordered, ordered[1:]):
            if b > a + 1:
                missing = f"{kind}{a + 1}" if b == a + 2 else f"{kind}{a + 1}–{kind}{b - 1}"
                doc.find("initiatives", f"gap in a numbered series: {kind}{a} -> {kind}{b} ({missing} not in the document)",
                         snippet=f"{kind}{a} … {kind}{b}")
    parented = {it.kind for it in items if it.parent is not None}
    for it in items:
        # the outline knows a top-level item: only other sources may have lost a parent
        if it.parent is None and it.kind in parented and it.source not in ("progress_table", "outline", "contents"):
            doc.find("initiatives", f"{it.item_id}: parent could not be determined; left empty", page=it.page,
                     snippet=it.title)


def extract(doc: Document, out: Tables, rules: Rules) -> None:
    v = vocab(rules)
    items = collect(doc, rules)
    assign_ids(items, rules.get("initiatives").get("progress", {}).get("id_prefix", "進捗"))
    legend = _legend_marks(doc, v)
    unexplained = {it.priority_mark for it in items if it.priority_mark and it.priority_mark not in legend}
    for mark in sorted(unexplained):
        doc.find("initiatives", f"priority mark {mark} has no legend in the document; read as a priority anyway",
                 snippet=mark)
    report(doc, items)
    for it in items:
        out.initiatives.append({
            "doc_id": doc.doc_id, "initiative_id": it.item_id, "kind": it.kind, "number": it.number,
            "title": it.title, "parent_id": it.parent.item_id if it.parent else None,
            "priority": bool(it.priority_mark), "description": it.description, "effects": it.effects,
            "departments": it.departments, "status": it.status, "page": it.page, "source": it.source,
            "title_raw": it.raw, "evidence": it.evidence or it.source,
        })
