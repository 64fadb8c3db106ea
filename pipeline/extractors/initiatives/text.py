"""Initiatives from running text and headings.

- counted introductions: "…3つの視点" followed by that many short title lines;
- kind sections: a section titled with a kind phrase (3 推進の基礎となる取組) whose
  sub-sections are its items;
- item blocks: headings whose text holds field headings (事業概要, ねらい・効果, 担当);
  their enclosing heading is a group whose kind a "計画の目標"-like section names;
- progress tables, real or flattened into lines (事業名 / 成果目標 / 実施状況 / 達成状況).
"""
from __future__ import annotations

import re

from ...segment.headings import parse_number
from .tables import Item
from ...model import Block, Document, Section
from ...rules import Rules
from ..vocab import Vocab


def counted_intros(doc: Document, v: Vocab, rules: Rules) -> list[Item]:
    conf = rules.get("initiatives").get("counted_intro", {})
    rx = re.compile(conf["pattern"].format(kinds="|".join(re.escape(k) for k in v.kinds)))
    max_chars = int(conf.get("max_title_chars", 30))
    out: list[Item] = []
    position = {id(b): i for i, b in enumerate(doc.blocks)}
    blocks = [b for b in doc.blocks if b.kind in ("paragraph", "heading") and b.text]
    for i, b in enumerate(blocks):
        m = rx.search(b.title or b.text)
        if not m:
            continue
        count = parse_number(m.group("count")) or 0
        kind = m.group("kind")
        titles: list[Block] = []
        j = i + 1
        while j < len(blocks) and len(titles) < count:
            t = blocks[j].text
            if len(t) <= max_chars and not t.endswith("。") and not v.label.match(t):
                titles.append(blocks[j])
                j += 1
                # a title may be followed by one explanatory sentence
                if j < len(blocks) and (blocks[j].text.endswith("。") or len(blocks[j].text) > max_chars):
                    j += 1
            else:
                break
        if len(titles) == count and count:
            for n, tb in enumerate(titles, 1):
                title, mark = v.strip_marks(tb.text)
                out.append(Item(kind, n, title, tb.raw, tb.page, "text", priority_mark=mark, order=position[id(tb)]))
            break  # the first introduction names them; later summaries repeat it
    return out


def _children(doc: Document, sec: Section) -> list[Section]:
    return [s for s in doc.sections if s.parent_id == sec.section_id]


def kind_sections(doc: Document, v: Vocab, rules: Rules) -> list[Item]:
    conf = rules.get("initiatives").get("kind_sections", {})
    min_level = int(conf.get("min_level", 2))
    by_section = section_blocks(doc)
    out = []
    for sec in doc.sections:
        if sec.level < min_level or sec.style == "chapter":
            continue
        kind = next((k for k in v.kinds if sec.title.endswith(k)), None)
        kids = _children(doc, sec)
        if not kind or len(kids) < int(conf.get("min_children", 3)) or sec.title == kind:
            continue
        if any(_field_headings(by_section, k, v) for k in kids):
            continue  # item blocks are read by item_blocks
        for k in kids:
            title, mark = v.strip_marks(k.title)
            num = parse_number(re.sub(r"\D", "", k.label) or None) if k.label else None
            out.append(Item(sec.title, num, title, k.title, k.page, "heading", priority_mark=mark,
                            order=_order(doc, k)))
    return out


def _order(doc: Document, sec: Section) -> float:
    for i, b in enumerate(doc.blocks):
        if b.section_id == sec.section_id and b.kind == "heading":
            return i
    return 0.0


def section_blocks(doc: Document) -> dict[str | None, list[Block]]:
    """Each section's own blocks (its heading excluded), in document order: one pass."""
    out: dict[str | None, list[Block]] = {}
    for b in doc.blocks:
        if b.kind != "heading":
            out.setdefault(b.section_id, []).append(b)
    return out


def _field_headings(by_section: dict[str | None, list[Block]], sec: Section, v: Vocab) -> list[str]:
    words = {w for ws in v.fields.values() for w in ws}
    return [b.text for b in by_section.get(sec.section_id, []) if b.text.strip() in words]


def item_blocks(doc: Document, v: Vocab) -> list[Item]:
    """Headings whose text has field headings (事業概要 …) are items; their parents are groups."""
    by_section = section_blocks(doc)
    by_id = {s.section_id: s for s in doc.sections}
    out: list[Item] = []
    groups: dict[str, Item] = {}
    for sec in doc.sections:
        heads = _field_headings(by_section, sec, v)
        if not heads:
            continue
        kind = next((v.implies[h] for h in heads if h in v.implies), None)
        if kind is None:
            continue
        title, mark = v.strip_marks(sec.title)
        num = parse_number(re.sub(r"[^0-9①-⑳]", "", sec.label) or None)
        it = Item(kind, num, title, sec.title, sec.page, "heading", priority_mark=mark, order=_order(doc, sec))
        _read_fields(by_section.get(sec.section_id, []), it, v)
        parent_sec = by_id.get(sec.parent_id or "")
        if parent_sec is not None:
            if parent_sec.section_id not in groups:
                gtitle, gmark = v.strip_marks(parent_sec.title)
                gnum = parse_number(re.sub(r"[^0-9]", "", parent_sec.label) or None)
                groups[parent_sec.section_id] = Item(_group_kind(doc, parent_sec, v), gnum, gtitle, parent_sec.title,
                                                     parent_sec.page, "heading", priority_mark=gmark,
                                                     order=_order(doc, parent_sec))
            it.parent = groups[parent_sec.section_id]
        out.append(it)
    groups_list = sorted(groups.values(), key=lambda g: g.order)
    for n, g in enumerate(groups_list, 1):
        if g.number is None:
            g.number = n
    return groups_list + out


def _group_kind(doc: Document, group: Section, v: Vocab) -> str:
    """The kind of a group heading: the kind word of a section that names it (計画の目標 lists
    住民サービスの向上 …), else the kind word ending its own parent's title, else 目標."""
    for sec in doc.sections:
        kind = next((k for k in v.kinds if sec.title.endswith(k)), None)
        if kind and sec is not group and group.title in sec.text:
            return kind
    return str(v.conf.get("item_blocks", {}).get("default_group_kind", "目標"))


def _read_fields(blocks: list[Block], it: Item, v: Vocab) -> None:
    current = None
    parts: dict[str, list[str]] = {}
    for b in blocks:
        name = v.field_of(b.text)
        if name:
            current = name
            continue
        if current and b.kind in ("paragraph", "list_item"):
            parts.setdefault(current, []).append(b.text)
    if parts.get("description"):
        it.description = "\n".join(parts["description"])
    if parts.get("effects"):
        it.effects = "\n".join(parts["effects"])
    if parts.get("departments"):
        it.departments = [d for d in v.departments_split.split(parts["departments"][0]) if d]


def progress_items(doc: Document, v: Vocab, rules: Rules) -> list[Item]:
    """Rows of a progress table, whether a real table or flattened into lines."""
    conf = rules.get("initiatives").get("progress", {})
    names = conf.get("name_headers", [])
    stats = conf.get("status_headers", [])
    kind = conf.get("kind", "事業")
    out: list[Item] = []
    for b in doc.blocks:
        if b.kind == "table" and b.rows:
            head = [re.sub(r"\s+", "", c or "") for c in b.rows[0]]
            ni = next((i for i, h in enumerate(head) if h in names), None)
            si = next((i for i, h in enumerate(head) if h in stats), None)
            if ni is None or si is None:
                continue
            for row in b.rows[1:]:
                name = row[ni]
                if name:
                    title, mark = v.strip_marks(name)
                    out.append(Item(kind, len(out) + 1, title, name, b.page, "progress_table",
                                    priority_mark=mark, status=row[si] or None))
    if out:
        return out
    return _flattened_progress(doc, v, names, conf)


def _flattened_progress(doc: Document, v: Vocab, names: list[str], conf: dict) -> list[Item]:
    blocks = [b for b in doc.blocks if b.kind in ("paragraph", "list_item") and b.text]
    start = next((i for i, b in enumerate(blocks) if any(n in b.text for n in names)
                  and _has_any(b.text, conf.get("header_cues", []))), None)
    if start is None:
        return []
    statuses = sorted(set(_legend_statuses(blocks[start:])) | set(conf.get("statuses", [])))
    st_rx = re.compile(r"(?:^|\s)(" + "|".join(re.escape(s) for s in sorted(statuses, key=len, reverse=True)) + r")$")
    out: list[Item] = []
    name_parts: list[str] = []
    in_bullets = False
    page = None
    for b in blocks[start + 1:]:
        t = b.text.strip()
        if t.startswith("※") and not in_bullets:
            break  # the legend after the table (a ※ inside a row's cell is a remark)
        if not in_bullets and " ・" in t and not t.startswith("・"):
            head, _, _rest = t.partition(" ・")
            name_parts.append(head)
            page = page or b.page
            in_bullets = True
        m = st_rx.search(t)
        if not in_bullets and not t.startswith("・"):
            if m and m.start() == 0:
                continue
            if not out and not name_parts and any(t in h for h in conf.get("status_headers", [])):
                continue  # the rest of a header cell wrapped onto its own line (達成 / 状況)
            name_parts.append(t)
            page = page or b.page
        elif t.startswith("・"):
            in_bullets = True
        if m and name_parts:
            title = re.sub(r"\s+(?=[^\sA-Za-z])|(?<=[^\sA-Za-z])\s+", "", " ".join(name_parts))
            title, mark = v.strip_marks(title)
            out.append(Item(conf.get("kind", "事業"), len(out) + 1, title, " ".join(name_parts), page,
                            "progress_table", priority_mark=mark, status=m.group(1)))
            name_parts, in_bullets, page = [], False, None
    return out


def _has_any(text: str, words: list[str]) -> bool:
    return any(w in text for w in words)


def _legend_statuses(blocks: list[Block]) -> list[str]:
    """Statuses the table's legend defines, in the lines right after its ※ line:
    ※達成状況 / 達成:成果目標を達成した事業 / 継続:… / 再検討:…"""
    out: list[str] = []
    at = next((i for i, b in enumerate(blocks) if b.text.startswith("※")), None)
    if at is None:
        return out
    for b in blocks[at: at + 8]:
        for m in re.finditer(r"(?:^|\s)([^\s:：※0-9A-Za-z]{1,6})[:：]", b.text):
            out.append(m.group(1))
    return out
