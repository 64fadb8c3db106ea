"""The document outline: every enumerated line, list item and contents entry as one tree.

Lines -> entries (a label, a title, contents flags) -> trees (levels from the document's own
order of styles) -> nodes. Contents entries (目次, dot leaders, page numbers, a whole contents
printed on one line) form a tree of their own, kept apart from the body's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Document, Entry, Label, Outline, OutlineNode as Node
from ..normalization.chars import normalizer
from ..rules import Rules
from .enumerators import Style, parse_label

_SPACE = re.compile(r"\s+")
# a document may open mid-list on a short numbered heading (an excerpt: "5 重点取組")
DEFAULT_OPENING_TITLE_CHARS = 20
# a contents printed on one line: its heading (目次) stands in the first characters of a long line
DEFAULT_CONTENTS_HEAD_CHARS = 200
DEFAULT_PACKED_MIN_CHARS = 40


@dataclass(frozen=True)
class OutlineRules:
    styles: list[Style]
    kind_tail: re.Pattern[str]       # a title that ends with a kind word
    container_titles: list[re.Pattern[str]]
    contents_heading: list[re.Pattern[str]]
    contents_inline: re.Pattern[str]  # a contents heading inside a line (a contents printed on one line)
    leader: re.Pattern[str]          # a leader, with the page number after it
    max_title_chars: int
    max_intro_chars: int             # an introduction line naming a kind is a heading, not a sentence
    sentence_endings: tuple[str, ...]
    bullet: re.Pattern[str]
    vocabulary: re.Pattern[str]      # "各推進項目": the document's own word for a level of items
    count: re.Pattern[str]           # "４つの基本目標": a count of items of a kind
    tagline: re.Pattern[str]         # an English tagline after an item's title
    unfinished_endings: tuple[str, ...]  # a title ending so is cut off
    unfinished_pos: tuple[str, ...]      # … or ending with a word of these parts of speech
    unfinished_forms: tuple[str, ...]    # … in these conjugation forms (Sudachi)
    not_kinds: frozenset[str]        # phrases that end with a kind word but name the plan's own making


def compile_rules(rules: Rules) -> OutlineRules:
    """rules/outline.toml, compiled once per rule set."""
    return rules.memo("outline", _compile)


def _compile(rules: Rules) -> OutlineRules:
    conf = rules.get("outline")
    words = sorted(conf["kinds"]["words"], key=len, reverse=True)
    kinds = "|".join(re.escape(w) for w in words)
    styles = [Style(s["name"], int(s.get("rank", 5)), re.compile(s["pattern"].replace("{kinds}", kinds)),
                    bool(s.get("structural")), s.get("kind")) for s in conf["style"]]
    c = conf["contents"]
    lim = conf["limits"]
    # the noun compound glued to a kind word's front: kanji, katakana, Latin letters (ICT活用施策)
    glued = r"[\u4e00-\u9fffァ-ヺーA-Za-z0-9々]*"
    return OutlineRules(
        styles=styles,
        kind_tail=re.compile(f"(?P<phrase>{glued}(?:{kinds}))$"),
        container_titles=[re.compile(p) for p in conf["kinds"]["container_patterns"]],
        contents_heading=[re.compile(p) for p in c["heading_patterns"]],
        contents_inline=re.compile(c["inline_heading_pattern"]),
        leader=re.compile(f"\\s*{c['leader_pattern']}\\s*(?P<page>{c['page_pattern']})?(?=\\s|$)"),
        max_title_chars=int(lim["max_title_chars"]),
        max_intro_chars=int(lim["max_intro_chars"]),
        sentence_endings=tuple(lim["sentence_endings"]),
        bullet=re.compile(conf["bullets"]["pattern"]),
        tagline=re.compile(conf["titles"]["tagline_pattern"]),
        vocabulary=re.compile(conf["kinds"]["vocabulary_pattern"].replace("{kinds}", kinds)),
        count=re.compile(conf["kinds"]["count_pattern"].replace("{kinds}", kinds)),
        unfinished_endings=tuple(conf["titles"]["unfinished_endings"]),
        unfinished_pos=tuple(conf["titles"]["unfinished_pos"]),
        unfinished_forms=tuple(conf["titles"]["unfinished_forms"]),
        not_kinds=frozenset(conf["kinds"].get("not_kinds", [])),
    )


def _strip_bullet(text: str, r: OutlineRules) -> str:
    m = r.bullet.match(text)
    return text[m.end():] if m and m.end() < len(text) else text


def _is_contents_heading(text: str, r: OutlineRules) -> bool:
    return any(p.match(text.strip()) for p in r.contents_heading)


def packed_entries(text: str, line: int, page: int | None, r: OutlineRules, norm) -> list[Entry]:
    """A whole contents printed on one line: split it at the labels. A number right after a
    leader, or followed by another label, a number or the line's end, is a page number."""
    marked = r.leader.sub(lambda m: f" \x00{m.group('page') or ''} ", text)
    marked = " ".join(norm(t) if not t.startswith("\x00") else t for t in _SPACE.split(marked) if t)
    tokens: list[tuple[str, Label | None]] = []
    pos = 0
    while pos < len(marked):
        if marked[pos] == " ":
            pos += 1
            continue
        tok_end = marked.find(" ", pos)
        tok_end = len(marked) if tok_end < 0 else tok_end
        tok = marked[pos:tok_end]
        if re.fullmatch(r"[0-9]{1,3}", tok):
            tokens.append((tok, Label("number", tok, int(tok), None, len(tok))))
            pos = tok_end
            continue
        lab = parse_label(marked, r.styles, pos) if not tok.startswith("\x00") else None
        if lab is not None and lab.number != 0:
            tokens.append((marked[pos:lab.end], Label(lab.style, lab.text, lab.number, lab.kind, lab.end - pos, lab.structural)))
            if lab.end < tok_end:   # the title glued to the label: (1)デジタル教材の活用
                rest = marked[lab.end:tok_end].strip(" :：.、")
                if rest:
                    tokens.append((rest, None))
                pos = tok_end
            else:
                pos = lab.end
            continue
        tokens.append((tok, None))
        pos = tok_end
    entries: list[Entry] = []
    cur: Entry | None = None
    parts: list[str] = []
    pending: list[Entry] = []   # labels seen with no title yet (a scrambled two-column read)

    def close() -> None:
        nonlocal cur, parts
        if cur is None:
            return
        words = list(parts)
        if pending and len(words) >= 2:
            # 基本目標Ⅰ 1 <goal title> <item title>: the first label's title comes first
            pending[0].title = norm(" ".join(words[:-1]))
            words = words[-1:]
        cur.title = norm(" ".join(words))
        for e in pending:
            if e is not cur and e.title:
                entries.append(e)
        if cur.title or cur.label is None:
            entries.append(cur)
        pending.clear()
        cur, parts = None, []

    for i, (tok, lab) in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.startswith("\x00"):
            if cur is not None:
                cur.contents = True
                cur.page_ref = tok[1:] or cur.page_ref
            close()
            continue
        if lab is not None and lab.style == "number" and tok.isdigit():
            # a bare number: a label when a title follows, else a page number
            if nxt is None or nxt[0].startswith("\x00") or nxt[1] is not None:
                if cur is not None:
                    cur.page_ref = tok
                    cur.contents = True
                close()
                continue
        if lab is not None:
            if cur is not None and not parts and cur.label is not None:
                pending.append(cur)   # a label with no title, directly followed by another label
            elif cur is not None:
                close()
            cur = Entry(lab, "", line, page, contents=True, raw=tok, packed=True)
            parts = []
            continue
        if cur is None:
            cur = Entry(None, "", line, page, contents=True, raw=tok, packed=True)
            parts = []
        parts.append(tok)
    close()
    return entries


def line_entry(text: str, line: int, page: int | None, r: OutlineRules, norm) -> Entry:
    """One line as one entry: its label, its title without leaders and page number."""
    s = " ".join(norm(t) for t in _strip_bullet(text.strip(), r).split())
    lab = parse_label(s, r.styles)
    if lab is not None and lab.number == 0:
        lab = None
    title = s[lab.end:] if lab else s
    entry = Entry(lab, "", line, page, raw=text)
    m = r.leader.search(title)
    if m and not title[m.end():].strip():
        entry.contents, entry.page_ref = True, m.group("page")
        title = title[: m.start()]
    title = title.strip().lstrip(":：.．、 ").strip()
    entry.title = norm(title)
    return entry


def is_packed(text: str, r: OutlineRules) -> bool:
    """A whole contents printed on one line: two leaders or more, or a contents heading (目次) near
    the start of a long line followed by at least three leaders or chapter/section labels."""
    leaders = len(r.leader.findall(text))
    if leaders >= 2:
        return True
    head = r.contents_inline.search(text[:DEFAULT_CONTENTS_HEAD_CHARS])
    if head is None or len(text) <= DEFAULT_PACKED_MIN_CHARS:
        return False
    labels = sum(1 for m in re.finditer(r"(?:^|\s)(\S)", text[head.end():])
                 if (lab := parse_label(text, r.styles, head.end() + m.start(1))) is not None and lab.structural)
    return text[: head.start()].strip() == "" or leaders + labels >= 3


def entries_of(lines: list[tuple[str, int | None]], r: OutlineRules, norm) -> list[Entry]:
    """Entries for every line; a line holding only a label takes the next line as its title."""
    out: list[Entry] = []
    in_contents = False
    last = -1
    for i, (text, page) in enumerate(lines):
        t = text.strip()
        if not t:
            continue
        if _is_contents_heading(t, r):
            in_contents = True
            continue
        if is_packed(t, r):
            out.extend(packed_entries(t, i, page, r, norm))
            continue
        e = line_entry(t, i, page, r, norm)
        if in_contents and not e.contents and _ends_contents(e, out, r):
            in_contents = False
        e.contents = e.contents or (in_contents and e.label is not None and len(e.title) <= r.max_title_chars)
        prev = out[-1] if out else None
        if prev is not None and prev.label is not None and not prev.title and prev.line == last and e.label is None:
            prev.title, prev.contents, prev.page_ref = e.title, prev.contents or e.contents, e.page_ref
            last = i
            continue
        e.line = i
        last = i
        out.append(e)
    return _contents_region(out)


def _ends_contents(e: Entry, before: list[Entry], r: OutlineRules) -> bool:
    """The body starts after a contents page: a long unlabelled line, plain text once the
    contents has given page numbers, or a heading that repeats a contents entry."""
    if e.label is not None and not e.title:
        return False  # a label alone on its line: its title (and page number) is on the next
    if e.label is None and len(e.title) > r.max_title_chars:
        return True
    listed = [x for x in before if x.contents]
    if not any(x.page_ref for x in listed):
        return False
    if e.label is None:
        return True
    return any(_fold(x.title) == _fold(e.title) for x in listed)


def _contents_region(entries: list[Entry]) -> list[Entry]:
    """Labelled entries between the first and the last leader line, and just before the first,
    belong to the contents too (a chapter line of a contents page has no page number)."""
    marked = [k for k, e in enumerate(entries) if e.contents]
    if not marked:
        return entries
    first, last = marked[0], marked[-1]
    for e in entries[first:last]:
        if e.label is not None and len(e.title) <= 40:
            e.contents = True
    k = first - 1
    while k >= 0 and entries[k].label is not None and len(entries[k].title) <= 40:
        entries[k].contents = True
        k -= 1
    return entries


def in_page_order(entries: list[Entry]) -> list[Entry]:
    """Contents read across two columns come out of order: where the page numbers fall back
    more than once, the entries are put in the order of the pages they point to (an entry with
    no page number goes with the next one that has one)."""
    pages = [int(e.page_ref) for e in entries if e.page_ref and e.page_ref.isdigit()]
    falls = sum(1 for a, b in zip(pages, pages[1:]) if b < a)
    if falls < 2:
        return entries
    keyed: list[tuple[int, int, Entry]] = []
    waiting: list[Entry] = []
    for e in entries:
        waiting.append(e)
        if e.page_ref and e.page_ref.isdigit():
            keyed += [(int(e.page_ref), len(keyed) + k, w) for k, w in enumerate(waiting)]
            waiting = []
    last = keyed[-1][0] if keyed else 0
    keyed += [(last, len(keyed) + k, w) for k, w in enumerate(waiting)]
    return [w for _p, _i, w in sorted(keyed, key=lambda t: (t[0], t[1]))]


def reads_as_heading(e: Entry, r: OutlineRules) -> bool:
    t = e.title
    if not t or len(t) > r.max_title_chars:
        return False
    return not t.endswith(r.sentence_endings) and "。" not in t


def build_tree(entries: list[Entry], r: OutlineRules) -> list[Node]:
    """Levels from the document itself: a style seen before closes back to its level, a new
    style nests under the open node; a structural style (章, 節) never nests under a list item.
    A new list that does not start at 1 (or 2) is not a list: a page number, a figure."""
    roots: list[Node] = []
    stack: list[Node] = []
    for e in entries:
        lab = e.label
        if lab is None or not reads_as_heading(e, r):
            continue
        idx = next((k for k, n in enumerate(stack) if n.label and n.label.key == lab.key), None)
        if idx is not None:
            prev = stack[idx].label
            if lab.number is not None and prev and prev.number is not None and not (
                    lab.number == 1 or prev.number < lab.number <= prev.number + 2):
                continue
            del stack[idx:]
        else:
            if lab.structural:
                while stack and not (stack[-1].label and stack[-1].label.structural
                                     and _rank(stack[-1], r) < _rank_of(lab, r)):
                    stack.pop()
            elif lab.kind:
                # a kind label (基本目標3) never nests under a kind-labelled item of a deeper rank (第1項)
                while (stack and stack[-1].label is not None and stack[-1].label.kind
                       and not stack[-1].label.structural and _rank(stack[-1], r) > _rank_of(lab, r)):
                    stack.pop()
            if lab.style in ("number", "number_dot") and lab.number is not None and lab.number > 2 and (
                    e.packed or stack or len(e.title) > DEFAULT_OPENING_TITLE_CHARS):
                # a new list starts at 1: this is a page number or a figure's label (a document
                # that opens on a short numbered heading is an excerpt starting mid-list)
                continue
        node = Node(e, stack[-1] if stack else None, level=len(stack) + 1)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _rank_of(lab: Label, r: OutlineRules) -> int:
    return next((s.rank for s in r.styles if s.name == lab.style), 5)


def _rank(n: Node, r: OutlineRules) -> int:
    return _rank_of(n.label, r) if n.label else 99


def walk(nodes: list[Node]):
    for n in nodes:
        yield n
        yield from walk(n.children)


def build_outline(doc: Document, rules: Rules) -> Outline:
    """The outline of a document from its ingested lines (before paragraphs were joined)."""
    r = compile_rules(rules)
    norm = normalizer(rules)
    entries = entries_of([(ln.raw, ln.page) for ln in doc.lines], r, norm)
    last = doc.lines[-1].raw.rstrip() if doc.lines else ""
    led = bool(re.search(f"(?:{r.leader.pattern})$", last))
    if doc.ends_mid_line and entries and entries[-1].line == len(doc.lines) - 1 and not led:
        # the file stops inside its last line, and not after a title's leader: that entry may be cut short
        entries[-1].cut = True
    outline = Outline(body=build_tree([e for e in entries if not e.contents], r),
                      contents=build_tree(in_page_order([e for e in entries if e.contents]), r))
    _report_contents(doc, outline, entries, norm)
    if doc.lines and not outline.body and not outline.contents:
        doc.find("segment", "no numbered heading, list or contents entry found: the document has no outline",
                 page=doc.lines[0].page, snippet=doc.lines[0].raw[:80])
    return outline


def _fold(s: str) -> str:
    return "".join(s.split())


def _report_contents(doc: Document, outline: Outline, entries: list[Entry], norm) -> None:
    """Contents entries whose titles never appear in the body: the body's headings were not
    found (or the document is only its contents page, whose tree then stands for the outline)."""
    titles = [n.title for n in walk(outline.contents) if len(_fold(n.title)) >= 4]
    if len(titles) < 3:
        return
    contents_lines = {e.line for e in entries if e.contents}
    # a heading may wrap over two lines of the body: the body is searched as one folded text
    body = "".join(_fold(norm(ln.raw)) for i, ln in enumerate(doc.lines) if i not in contents_lines)
    missing = [t for t in titles if _fold(t) not in body]
    if len(missing) * 2 > len(titles):
        page = next((e.page for e in entries if e.contents), None)
        doc.find("segment", f"{len(missing)} of {len(titles)} contents entries never appear in the body; "
                 "the contents tree stands for the outline there", page=page, snippet="; ".join(missing[:3]))
