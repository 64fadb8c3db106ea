"""Initiatives classified from the document's outline.

A node is an item when evidence says so, in this order: a kind word in its own label (施策3,
基本目標Ⅱ, 第2項); a heading above it whose title ends with a kind phrase (主な施策,
具体的な取り組み, 5 計画推進の視点), or a short introduction line just before its list
(【主な施策】, DX推進の方向性). A run of siblings is classified together: a run that holds the
plan's scaffolding (1 基本方針 / 2 基本目標 / 3 施策の体系) is not a list of items. The parent
is the nearest classified ancestor. Contents entries and body headings that are one node (the
same kind, number and title) give one item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...model import Document, OutlineNode
from ...rules import Rules
from ...ja.tokens import tokenize
from ...normalization.chars import normalizer
from ...segment.enumerators import ordinal
from ...segment.outline import OutlineRules, compile_rules, line_entry, walk
from .tables import Item

_TRAILING_BRACKETS = re.compile(r"\s*(?:[「『(（【［\[][^「『(（【［\[]*[」』)）】］\]]\s*)+$")


def kind_phrase(title: str, r: OutlineRules) -> str | None:
    """The kind a heading's title names by its ending (ICT活用施策, 方向性), or None.
    A trailing bracket (重点目標「3つのD」, 施策展開の方向性(重点施策)) is looked into too."""
    t = title.strip()
    inner = re.fullmatch(r"[(（](.+)[)）]", t)
    if inner:
        t = inner.group(1)
    for cand in (t, _TRAILING_BRACKETS.sub("", t)):
        m = r.kind_tail.search(cand)
        if m and m.group("phrase") not in r.not_kinds:
            return m.group("phrase")
    return None


def clean_title(title: str, r: OutlineRules) -> str:
    """An item's title without a trailing tag, subtitle or English tagline:
    窓口の改善(行政) -> 窓口の改善; …の向上 Smart Office for 「Everyone」 -> …の向上."""
    t = r.tagline.sub("", title)
    t = _TRAILING_BRACKETS.sub("", t).strip()
    return t or title.strip()


def is_container(title: str, r: OutlineRules) -> bool:
    """A title that names a list of items rather than an item: 基本目標, 施策の体系, 重点的な取り組み."""
    t = title.strip()
    return kind_phrase(t, r) is not None or any(p.search(t) for p in r.container_titles)


def _siblings(n: OutlineNode, roots: list[OutlineNode]) -> list[OutlineNode]:
    pool = n.parent.children if n.parent else roots
    key = n.label.key if n.label else None
    return [s for s in pool if (s.label.key if s.label else None) == key]


def _heading_kind(n: OutlineNode, r: OutlineRules) -> tuple[str, str] | None:
    """The kind named by the nearest ancestor heading whose title ends with a kind phrase."""
    a = n.parent
    labelled: set[str] = set()
    while a is not None:
        if a.label is not None and a.label.kind:
            labelled.add(a.label.kind)
        else:
            k = kind_phrase(a.title, r)
            if k:
                if any(k.endswith(w) for w in labelled):
                    return None  # the heading's items are the labelled ones above; this is their detail
                return k, f"heading: {a.label.text + ' ' if a.label else ''}{a.title}"
        a = a.parent
    return None


def classify(doc: Document, roots: list[OutlineNode], cues: dict[int, tuple[str, str]], r: OutlineRules,
             source: str) -> list[tuple[OutlineNode, Item]]:
    out: list[tuple[OutlineNode, Item]] = []
    item_of: dict[int, Item] = {}
    for n in walk(roots):
        lab = n.label
        if lab is None or lab.structural:
            continue
        if lab.kind:
            if any(p.search(n.title) for p in r.container_titles):
                continue  # 主要施策 3 施策の体系: a kind word before a page number, not a label
            kind, evidence = lab.kind, f"label: {lab.text}"
        else:
            if any(is_container(s.title, r) for s in _siblings(n, roots)):
                continue
            found = _heading_kind(n, r) or cues.get(id(n)) or _inherited_cue(n, cues)
            if found is None:
                continue
            kind, evidence = found
        parent = n.parent
        while parent is not None and id(parent) not in item_of:
            parent = parent.parent
        if n.entry.cut:
            doc.find("initiatives", "the text ends inside this entry (the file's last line has no line break): "
                     "left out as possibly cut short", page=n.entry.page, snippet=n.title)
            continue
        title = clean_title(n.title, r)
        if title.endswith(r.unfinished_endings) or _ends_mid_clause(title, r):
            # a title cut off (…図り、東京・ / …活用を支え): a clause, not an item
            doc.find("initiatives", f"{kind} entry left out: its title stops mid-clause", page=n.entry.page,
                     snippet=n.title)
            continue
        it = Item(kind, lab.number, title, n.entry.raw, n.entry.page, source,
                  parent=item_of[id(parent)] if parent is not None else None)
        it.label = lab.text
        it.label_named = bool(lab.kind) or lab.style in SELF_NAMED
        it.evidence = evidence
        it.order = n.entry.line
        item_of[id(n)] = it
        out.append((n, it))
    return out


# styles whose label is a full id by itself (4.1, 1-2, 【2-1】): the id keeps it as written
SELF_NAMED = ("dotted2", "dotted3", "bracket_number")


def _ends_mid_clause(title: str, r: OutlineRules) -> bool:
    """Sudachi: the title's last word is a verb in a continuative form (…を支え, …を進め)."""
    last = tokenize(title)[-1:] if title else ()
    return bool(last) and last[0].pos[0] in r.unfinished_pos and any(
        last[0].pos[5].startswith(f) for f in r.unfinished_forms)


def _inherited_cue(n: OutlineNode, cues: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
    a = n.parent
    while a is not None:
        if id(a) in cues:
            return cues[id(a)]
        a = a.parent
    return None


@dataclass
class LineCues:
    """What a document's lines say about the lists around them, read once per document (the body
    outline and the contents are both classified with it): short lines that name a kind
    (line index, text, kind) and sentences that count a kind ("3つの基本目標": line index, match)."""
    intros: list[tuple[int, str, str]]
    counts: list[tuple[int, re.Match[str]]]


def line_cues(doc: Document, r: OutlineRules, norm) -> LineCues:
    intros: list[tuple[int, str, str]] = []
    counts: list[tuple[int, re.Match[str]]] = []
    for i, ln in enumerate(doc.lines):
        counts += [(i, m) for m in r.count.finditer(norm(ln.raw))]
        text = ln.raw.strip()
        if not text or len(text) > 30 or text.endswith("。"):
            continue
        bare = text.strip("【】[]［］■●◆□○▶ ")
        kind = kind_phrase(bare, r) if len(bare) <= r.max_intro_chars else None
        if kind and line_entry(text, i, ln.page, r, lambda s: s).label is None:
            intros.append((i, text, kind))
    return LineCues(intros, counts)


def cues_of(doc: Document, roots: list[OutlineNode], r: OutlineRules, found: LineCues) -> dict[int, tuple[str, str]]:
    """The kind each node is given by an introduction or a count (an introduction wins)."""
    cues = intro_cues(doc, roots, found)
    for k, v in counted_cues(roots, found).items():
        cues.setdefault(k, v)
    return cues


def intro_cues(doc: Document, roots: list[OutlineNode], found: LineCues) -> dict[int, tuple[str, str]]:
    """Short unlabeled lines that name a kind (主な施策, 【重点施策】, DX推進の方向性) introduce the
    numbered run that follows them: every sibling of the first node after the line."""
    cues: dict[int, tuple[str, str]] = {}
    if not found.intros:
        return cues
    by_line = sorted(walk(roots), key=lambda n: n.entry.line)
    for i, text, kind in found.intros:
        first = next((n for n in by_line if n.entry.line > i), None)
        between = [x for x in doc.lines[i + 1:first.entry.line] if x.raw.strip()] if first else []
        if first is None or between:
            continue  # the introduction stands right before its list
        for s in first.parent.children if first.parent else roots:
            if s.label and first.label and s.label.key == first.label.key and s.entry.line >= first.entry.line:
                cues.setdefault(id(s), (kind, f"introduction: {text}"))
    return cues


def counted_cues(roots: list[OutlineNode], found: LineCues) -> dict[int, tuple[str, str]]:
    """"…を3つの基本目標として定めます": the first run of exactly three numbered siblings after
    the sentence (with no kind of their own) are the 基本目標."""
    cues: dict[int, tuple[str, str]] = {}
    if not found.counts:
        return cues
    groups: dict[tuple, list[OutlineNode]] = {}
    for n in walk(roots):
        if n.label is None or n.label.structural or n.label.kind:
            continue
        groups.setdefault((id(n.parent), n.label.key), []).append(n)
    runs = sorted(groups.values(), key=lambda g: g[0].entry.line)
    taken: set[int] = set()
    for i, m in found.counts:
        count = ordinal(m.group("count"))
        run = next((g for g in runs if g[0].entry.line > i and len(g) == count and id(g[0]) not in taken), None)
        if run is None:
            continue
        taken.add(id(run[0]))
        for n in run:
            cues.setdefault(id(n), (m.group("kind"), f"count: {m.group(0)}"))
    return cues


def outline_items(doc: Document, rules: Rules) -> list[Item]:
    """Items of the body outline and of the contents, one item where both give the same one."""
    r = compile_rules(rules)
    items: list[Item] = []
    seen: dict[tuple, Item] = {}
    found = line_cues(doc, r, normalizer(rules))
    for roots, source in ((doc.outline.contents, "contents"), (doc.outline.body, "outline")):
        cues = cues_of(doc, roots, r, found)
        classified = classify(doc, roots, cues, r, source)
        _report_silent_lists(doc, roots, {id(n) for n, _ in classified}, r)
        for _node, it in classified:
            key = (it.kind, it.number, re.sub(r"\s+", "", it.title))
            first = seen.get(key)
            if first is not None:
                if first.parent is None and it.parent is not None:
                    first.parent = seen.get(_key(it.parent), it.parent)
                continue
            if it.parent is not None:
                it.parent = seen.get(_key(it.parent), it.parent)
            seen[key] = it
            items.append(it)
    return items


def _key(it: Item) -> tuple:
    return (it.kind, it.number, re.sub(r"\s+", "", it.title))


def _report_silent_lists(doc: Document, roots: list[OutlineNode], items: set[int], r: OutlineRules) -> None:
    """A heading that names a kind of item over a numbered list of which none became an item."""
    for n in walk(roots):
        kind = kind_phrase(n.title, r)
        kids = [k for k in n.children if k.label is not None and not k.label.structural]
        if kind and len(kids) >= 2 and not any(id(k) in items for k in kids) and not (n.label and n.label.kind):
            if all(is_container(k.title, r) for k in kids):
                continue  # 1 基本目標 / 2 基本方針: the plan's scaffolding, said to be no items
            doc.find("initiatives", f"heading names {kind} items but its numbered list of {len(kids)} gave none "
                     "(read as plan scaffolding)", page=n.entry.page, snippet=f"{n.title}: {kids[0].title}")


def section_items(doc: Document, table_found: list[Item], rules: Rules) -> list[Item]:
    """Items of a table (a column headed 目標) sit in a section each ((1) 窓口業務の見直し).
    Where the document's own words name a level of items that nothing else is (各重点項目の取組を
    進めます), those sections, with every section of their style in the same chapter,
    are the items of that kind and the table's items hang under them."""
    r = compile_rules(rules)
    norm = normalizer(rules)
    holders = {it.section_id for it in table_found if it.parent is None and it.section_id}
    if not holders:
        return []
    used = {it.kind for it in table_found}
    named = [m.group("kind") for ln in doc.lines for m in r.vocabulary.finditer(norm(ln.raw))]
    kind = next((k for k in named if k not in used), None)
    by_id = {s.section_id: s for s in doc.sections}
    held = [by_id[h] for h in holders if h in by_id]
    if kind is None or not held:
        return []

    def chapter(s) -> str | None:
        while s.parent_id and s.parent_id in by_id:
            s = by_id[s.parent_id]
        return s.section_id

    shapes = {(s.style, s.level, chapter(s)) for s in held}
    out: dict[str, Item] = {}
    for s in doc.sections:
        if (s.style, s.level, chapter(s)) in shapes:
            number = ordinal(re.sub(r"[()（）\s]", "", s.label)) if s.label else None
            it = Item(kind, number, s.title, f"{s.label} {s.title}".strip(), s.page, "section")
            it.evidence = f"vocabulary: 各{kind}; section holding a table of items"
            it.order = -1
            it.section_id = s.section_id
            out[s.section_id] = it
    for it in table_found:
        if it.parent is None and it.section_id in out:
            it.parent = out[it.section_id]
    return list(out.values())
