"""Initiatives from tables: columns headed by kind words (指針 / 施策 / 取組, 施策 / 個別施策).

An empty cell under a filled one is a merged cell: its row belongs to the item
above. A cell may list several items (取組1 … 取組2 …). A table that repeats its
header side by side (目標 施策 取組 目標 施策 取組) is read as two tables.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field

from ...segment.headings import parse_number
from ...model import Block
from ...segment.enumerators import ordinal
from ..vocab import Vocab


@dataclass
class Item:
    kind: str
    number: int | None
    title: str
    raw: str
    page: int | None
    source: str
    parent: "Item | None" = None
    priority_mark: str | None = None
    description: str | None = None
    effects: str | None = None
    departments: list[str] = field(default_factory=list)
    status: str | None = None
    item_id: str = ""
    order: float = 0.0
    label: str | None = None     # the label as written (施策1-2, 4.1, 主要施策-1, ②, (1))
    label_named: bool = False    # the label is a full id by itself (施策1-2, 4.1, 第2項), not an ordinal (②)
    evidence: str = ""           # the rule or signal that made this an item
    section_id: str | None = None  # the section whose table gave it


@dataclass
class _Group:
    cols: list[int]
    kind: str | None
    field: str | None


def parse_items(text: str, kind: str, v: Vocab, page: int | None, source: str) -> list[Item]:
    """Items in one cell or line: labeled (取組1 A 取組2 B) or a leading bare number (1 A)."""
    text = text.strip()
    if not text:
        return []
    labels = [m for m in v.label.finditer(text) if m.group("kind") == kind or kind is None]
    items = []
    if labels and labels[0].start() <= 2:
        for m, nxt in zip(labels, labels[1:] + [None]):
            chunk = text[m.end(): nxt.start() if nxt else len(text)].strip()
            items.append(_item(m.group("kind"), parse_number(m.group("num")), chunk, text, page, source, v))
        return [i for i in items if i.title]
    head = text.split(None, 1)
    if len(head) == 2 and head[0].isascii() and head[0].isdigit():
        return [i for i in [_item(kind, int(head[0]), head[1], text, page, source, v)] if i.title]
    numbered = _NUMBERED_ITEM.match(text)  # ①窓口での案内を… / 1-1 手続のオンライン化 / (2) … in a kind column
    if numbered:
        num = numbered.group("num") or numbered.group("paren")
        it = _item(kind, ordinal(num), numbered.group("title"), text, page, source, v)
        if re.search(r"[-‐−.]", num):
            it.label, it.label_named = num, True
        return [it] if it.title else []
    return []


_NUMBERED_ITEM = re.compile(r"^(?:(?P<num>[①-⑳]|[0-9]{1,2}(?:[-‐−.][0-9]{1,2})+)|\((?P<paren>[0-9]{1,2})\))\s*(?P<title>\S.*)$", re.S)


def _item(kind: str, num: int | None, chunk: str, raw: str, page: int | None, source: str, v: Vocab) -> Item:
    title, mark = v.strip_marks(" ".join(chunk.split()))
    return Item(kind, num, title, raw, page, source, priority_mark=mark)


def _groups(header: list, v: Vocab) -> list[_Group]:
    groups: list[_Group] = []
    for ci, cell in enumerate(header):
        if (cell is None or cell == "") and groups:
            groups[-1].cols.append(ci)
            continue
        groups.append(_Group([ci], v.kind_of_header(cell), v.field_of(cell)))
    return groups


def _blocks(groups: list[_Group]) -> list[list[_Group]]:
    """Split side-by-side copies of the same header into separate tables."""
    out: list[list[_Group]] = [[]]
    seen: set[str] = set()
    for g in groups:
        if g.kind and g.kind in seen:
            out.append([])
            seen = set()
        if g.kind:
            seen.add(g.kind)
        out[-1].append(g)
    return [b for b in out if any(g.kind for g in b)]


def table_items(block: Block, v: Vocab, header: list | None = None,
                bullet: re.Pattern[str] | None = None) -> list[Item]:
    """Items of a table with a column headed by a kind word; `header`: the header row of the
    table this one continues (a table broken by a page comes back without its header)."""
    rows = [header, *block.rows] if header is not None else block.rows
    if len(rows) < 2:
        return []
    groups = _groups(rows[0], v)
    if not any(g.kind for g in groups):
        return []
    items: list[Item] = []
    for part in _blocks(groups):
        kinded = [g for g in part if g.kind]
        unlabelled = {gi for gi, g in enumerate(kinded) if _no_labels(rows[1:], g, v)}
        current: dict[int, list[Item]] = {}
        for r, row in enumerate(rows[1:], 1):
            new: dict[int, list[Item]] = {}
            for gi, g in enumerate(kinded):
                text = " ".join(_cells(row, g.cols))
                if not text.strip():
                    continue  # merged cell: the row belongs to the item above
                found = parse_items(text, g.kind or "", v, block.page, "table")
                if not found and gi in unlabelled and len(rows) == 2 and not (bullet and bullet.match(text)):
                    # the one cell of a column headed 目標 that numbers nothing: the 1st item
                    found = [_item(g.kind or "", 1, text, text, block.page, "table", v)]
                if found:
                    new[gi] = found
                    current[gi] = found
                    for deeper in range(gi + 1, len(kinded)):
                        if deeper not in new:
                            current.pop(deeper, None)
            for gi, found in new.items():
                parent = None
                for left in range(gi - 1, -1, -1):
                    cands = current.get(left)
                    if cands and len(cands) == 1:
                        parent = cands[0]
                        break
                for it in found:
                    it.parent = parent
                    it.order = r
                items.extend(found)
            # field columns (取り組みの方向性 …) describe the row's deepest new item
            deepest = max(new) if new else None
            if deepest is not None and len(new[deepest]) == 1:
                target = new[deepest][0]
                for g in part:
                    if g.field in ("description", "effects", "departments"):
                        text = "\n".join(_cells(row, g.cols))
                        if text.strip():
                            _set_field(target, g.field, text.strip(), v)
    return items


def kind_header(row: list, v: Vocab) -> bool:
    """Does this row head a table of items (a cell that is a kind word: 目標, 施策 …)?"""
    return any(g.kind for g in _groups(row, v))


def _no_labels(rows: list, g: _Group, v: Vocab) -> bool:
    return not any(parse_items(" ".join(_cells(row, g.cols)), g.kind or "", v, None, "table") for row in rows)


def _cells(row: list, cols: list[int]) -> list[str]:
    """The non-empty cells of `row` at `cols`."""
    return [c for c in (row[i] for i in cols if i < len(row)) if c]


def _set_field(item: Item, name: str, text: str, v: Vocab) -> None:
    if name == "description":
        item.description = text
    elif name == "effects":
        item.effects = text
    elif name == "departments":
        item.departments = [d for d in v.departments_split.split(text) if d]
