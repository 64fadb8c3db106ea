"""KPI sheets whose table structure was lost: read the text as a stream of cells.

Evaluation sheets reach us flattened: one cell per line, the whole sheet on one line,
values printed before their labels, or space-separated lines. The text outside tables is
split into cells; each cell is a header with a role (rules/kpi_roles.toml: baseline,
target, plan, actual, a year), a caption above a group of columns (整備計画時の目標 | 実績),
a value (1,453世帯, 30.3%, ―), a `role:value` pair (初年度:25.4 %), an indicator label
(plain, or starting with a list marker ①/・) or other text. A run of two or more header
cells is a header row; what follows it is read in one of these shapes:

- labelled rows: `label v1 … vk` repeated (one row per indicator);
- values first: k·n values, then (after further header groups) n labels in order;
- a numbered list: values in order fill the ①…⑩ rows that have none written beside them,
  a row whose next item is a group of ・ rows is their heading, a row that has one value
  beside it takes the next value of the same unit;
- years as rows: `label1 … labelm` then `year v1 … vm` rows (actuals under a 実績 caption).

`role:value` pairs with no indicator (初年度:25.4 % above a table of actuals) go to the one
indicator of the sheet whose values have the same unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...ja.fiscal import find_years
from ...model import Document
from ...rules import Rules


@dataclass
class Tok:
    text: str
    kind: str  # role, year, caption, value, kvrole, label, note, text
    block: int
    roles: list[tuple[str, int | None]] = field(default_factory=list)  # role tokens: (role, fy)
    fy: int | None = None
    unit: str | None = None
    bare: bool = False  # a value without a unit


@dataclass
class SheetCol:
    role: str  # baseline, target, plan, actual
    fy: int | None = None


@dataclass
class SheetRow:
    name: str
    block: int
    cells: list[tuple[SheetCol, str]] = field(default_factory=list)
    marker: int | None = None  # ⑦ -> 7: the number a link table refers to


@dataclass
class Link:
    kind: str
    number: int
    title: str


def read_links(doc: Document, rules: Rules) -> dict[int, Link]:
    """Indicator number -> the initiative a link table puts it under (基本施策 1.情報の共有化 ② ③ ④)."""
    from ..vocab import vocab
    conf = rules.get("kpi_roles").get("links", {})
    if not conf:
        return {}
    kinds = "|".join(re.escape(k) for k in vocab(rules).kinds)
    head = re.compile(conf["header_pattern"].replace("{kinds}", kinds))
    entry = re.compile(conf["entry_pattern"])
    text = " ".join(b.text for b in doc.blocks if b.kind != "table" and b.text)
    out: dict[int, Link] = {}
    for h in head.finditer(text):
        for m in entry.finditer(text, h.end()):
            for ref in re.findall(r"[①-⑳]", m.group("refs")):
                out.setdefault(_marker_num(ref), Link(h.group("kind"), int(m.group("num")), m.group("title")))
    return out


@dataclass(frozen=True)
class _R:
    role_of: dict[str, str]
    tails: tuple[tuple[str, str], ...]
    cap_actual: tuple[str, ...]
    cap_target: tuple[str, ...]
    cap_max: int
    year: re.Pattern[str]
    value: re.Pattern[str]
    unit_only: re.Pattern[str]
    marker: re.Pattern[str]
    note: re.Pattern[str]
    money: tuple[str, ...]
    no_value: frozenset[str]
    page_digits: int
    split: re.Pattern[str]
    tail: re.Pattern[str]
    head: re.Pattern[str]
    role_end: re.Pattern[str]  # text ending with a role word (and a bracket): may hold a header
    rules: Rules  # for find_years


def _compile(rules: Rules) -> _R:
    conf = rules.get("kpi_roles")
    role_of: dict[str, str] = {}
    for role, words in conf["roles"].items():
        for w in words:
            role_of[w] = role
    role_of = dict(sorted(role_of.items(), key=lambda wr: -len(wr[0])))  # longest word first, once
    tails = tuple(sorted(((w[i:], r) for w, r in role_of.items() for i in range(1, len(w) - 1) if len(w[i:]) >= 2),
                         key=lambda t: -len(t[0])))
    cap = conf["captions"]
    tok = conf["tokens"]
    return _R(role_of, tails, tuple(cap["actual"]), tuple(cap["target"]), int(cap.get("max_chars", 16)),
              re.compile(tok["year_suffix_pattern"]), re.compile(tok["value_pattern"]),
              re.compile(tok["unit_only_pattern"]), re.compile(tok["marker_pattern"]), re.compile(tok["note_pattern"]),
              tuple(tok.get("money_units", [])),
              frozenset(rules.get("kpis").get("cells", {}).get("no_value", [])),
              int(conf.get("page_numbers", {}).get("max_digits", 3)),
              *_split_patterns(rules),
              re.compile("(?:" + "|".join(map(re.escape, role_of)) + r")(?:\s*\([^()]+\))?$"), rules)


def _split_patterns(rules: Rules) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    tok = rules.get("kpi_roles")["tokens"]
    units = set(tok.get("split_units", [])) | set(rules.get("kpis").get("cells", {}).get("units", []))
    u = "(?:" + "|".join(map(re.escape, sorted(units, key=len, reverse=True))) + ")(?:" + tok["per_pattern"] + ")?"
    num = r"[0-9][0-9,]*(?:\.[0-9]+)?"
    # a number glued to a one-character no-value mark (8―) is split from it; the list order does not matter
    dash = "|".join(re.escape(w) for w in rules.get("kpis").get("cells", {}).get("no_value", []) if len(w) == 1)
    split = re.compile(f"(?P<a>{num}{u})(?=[0-9])|(?P<b>{num})(?=(?:{dash})$)")
    tail = re.compile(f"^(?P<label>.{{3,}}?[^0-9,.第約年全計])(?P<value>{num}{u})$")
    head = re.compile(f"^(?P<unit>{u})(?P<rest>[0-9].*)$")
    return split, tail, head


def _pieces(piece: str, r: "_R") -> list[str]:
    """Cells that normalization joined: 人/年4,000人/年, 利用者数6,800人/年, 件15件, 8―."""
    m = r.head.match(piece)
    if m:
        return [m.group("unit")] + _pieces(m.group("rest"), r)
    m = r.split.search(piece)
    if m:
        parts = [piece[:m.end()], piece[m.end():]]
        return [q for p in parts for q in _pieces(p, r)]
    if r.role_end.search(piece):  # a header of two role words ends with one: only such pieces are scanned
        for p in range(2, len(piece) - 3):
            roles = _roles_of(piece[p:], r)
            if roles and len(roles) >= 2:  # ①市民の割合状値目標値: a label, then a header broken by it
                return [piece[:p], piece[p:]]
    m = r.tail.match(piece)
    if m and not r.value.match(piece):
        return [m.group("label"), m.group("value")]
    return [piece]


def _roles_of(text: str, r: _R) -> list[tuple[str, int | None]] | None:
    """現状値 -> [baseline]; 目標値(R7) -> [(target, 2025)]; 状値目標値 (a header broken by an
    interleaved cell: a role word's tail, then role words) -> [baseline, target]."""
    fy = None
    m = re.match(r"^(.*?)\s*\(([^()]+)\)$", text)
    if m and m.group(1):
        ys = find_years(m.group(2), r.rules)
        if ys:
            text, fy = m.group(1), ys[0].fiscal_year
    out: list[tuple[str, int | None]] = []
    rest = text
    words = r.role_of  # longest first (compiled so)
    first = True
    while rest:
        w = next((w for w in words if rest.startswith(w)), None)
        if w is not None:
            out.append((r.role_of[w], None))
            rest = rest[len(w):]
        elif first:
            t = next((t for t in r.tails if rest.startswith(t[0])), None)
            if t is None or len(rest) == len(t[0]):
                return None
            out.append((t[1], None))
            rest = rest[len(t[0]):]
        else:
            return None
        first = False
    if not out:
        return None
    if fy is not None:
        out[-1] = (out[-1][0], fy)
    return out


def _year_of(text: str, r: _R) -> int | None:
    m = r.year.match(text)
    if not m:
        return None
    ys = find_years(m.group("y"), r.rules)
    return ys[0].fiscal_year if ys and ys[0].end == len(m.group("y")) and ys[0].start == 0 else None


def _classify(text: str, block: int, r: _R) -> Tok:
    t = Tok(text, "text", block)
    vm = r.value.match(text)
    if vm and not any(text.endswith(u) for u in r.money):
        t.kind, t.unit = "value", vm.group("unit") or None
        t.bare = not vm.group("unit") and not vm.group("pre")
        return t
    if text in r.no_value:
        t.kind = "value"
        return t
    fy = _year_of(text, r)
    if fy is not None:
        t.kind, t.fy = "year", fy
        return t
    roles = _roles_of(text, r)
    if roles:
        t.kind, t.roles = "role", roles
        return t
    if r.note.match(text):
        t.kind = "note"
    elif r.marker.match(text):
        t.kind = "label"
    elif len(text) <= r.cap_max and any(w in text for w in r.cap_actual + r.cap_target):
        t.kind = "caption"
    return t


def _join(a: str, b: str) -> str:
    return a + b if not (a[-1:].isascii() and b[:1].isascii()) else a + " " + b


def tokens(doc: Document, rules: Rules) -> list[Tok]:
    r = rules.memo("kpi_sheets", _compile)
    raw: list[tuple[str, int]] = []
    for bi, b in enumerate(doc.blocks):
        if b.kind == "table" or not b.text:
            continue
        for piece in (q for p in b.text.split() for q in _pieces(p, r)):
            # 初年度:25.4 -> 初年度: | 25.4
            m = re.match(r"^([^:]+):(.*)$", piece)
            if m and _roles_of(m.group(1), r):
                raw.append((m.group(1) + ":", bi))
                if m.group(2):
                    raw.append((m.group(2), bi))
            else:
                raw.append((piece, bi))
    out: list[Tok] = []
    for text, bi in raw:
        roles = _roles_of(text[:-1], r) if text.endswith(":") else None
        if roles:
            out.append(Tok(text[:-1], "kvrole", bi, roles=roles))
            continue
        prev = out[-1] if out else None
        # 2,100 人/年 ; ― %
        if prev is not None and prev.kind == "value" and prev.unit is None and r.unit_only.match(text) \
                and not r.value.match(text):
            merged = _classify(prev.text + text, prev.block, r)
            if merged.kind == "value":
                out[-1] = merged
                continue
            if prev.text in r.no_value:
                prev.text, prev.unit = prev.text + text, text
                continue
        t = _classify(text, bi, r)
        if prev is not None and t.kind in ("text", "caption") and prev.kind in ("label", "note") and prev.block == bi:
            prev.text = _join(prev.text, text)
            continue
        out.append(t)
    return out


def _value_units(toks: list[Tok]) -> bool:
    vals = [t for t in toks if t.kind == "value" and t.text]
    return bool(vals) and sum(1 for t in vals if t.bare) <= 1 and len(vals) >= 4


def _is_page_number(t: Tok, r: _R, all_units: bool) -> bool:
    return all_units and t.kind == "value" and t.bare and t.text.isdigit() and len(t.text) <= r.page_digits


def _header_run(toks: list[Tok], i: int, r: _R) -> tuple[list[SheetCol], int, list[Tok]] | None:
    """Header cells from i: role/year tokens (2+ columns). Returns columns, end index, captions."""
    j = i
    cells: list[Tok] = []
    while j < len(toks) and toks[j].kind in ("role", "year"):
        cells.append(toks[j])
        j += 1
    # a bracketed year right after role headers qualifies them, it is no column
    qual_fy = None
    if cells and cells[-1].kind == "year" and cells[-1].text.startswith("(") and len(cells) >= 2:
        qual_fy = cells[-1].fy
        cells = cells[:-1]
    # a caption (実績) written as a role word in front of year columns is the caption
    caps = [t for t in toks[max(0, i - 4):i] if t.kind in ("caption", "role") or (t.kind == "text" and len(t.text) <= 3)]
    lead: list[Tok] = []
    after_caption = i > 0 and toks[i - 1].kind == "caption"
    while len(cells) >= 2 and cells[0].kind == "role" and len(cells[0].roles) == 1 and cells[0].roles[0][0] == "actual" \
            and (cells[1].kind == "year" or after_caption):
        lead.append(cells.pop(0))
    caps = caps + lead
    cols: list[SheetCol] = []
    actual_cap = any(c.kind in ("caption", "role") and _names_actual(c.text, r) for c in caps)
    for c in cells:
        if c.kind == "role":
            for role, fy in c.roles:
                cols.append(SheetCol(role, fy))
        else:
            cols.append(SheetCol("actual" if actual_cap else "plan", c.fy))
    if len(cols) < 2 or not any(c.kind == "role" for c in cells):
        if not (len(cells) >= 2 and actual_cap):
            return None
    if qual_fy is not None:
        target = next((c for c in cols if c.role == "baseline" and c.fy is None), None) or \
            next((c for c in cols if c.fy is None), None)
        if target is not None:
            target.fy = qual_fy
    return cols, j, caps


def _names_actual(text: str, r: _R) -> bool:
    """A caption above year columns that makes them actuals (rules/kpi_roles.toml captions.actual)."""
    return any(w in text for w in r.cap_actual)


def _compatible(unit: str | None, t: Tok) -> bool:
    return unit is None or t.unit is None and t.text.rstrip("%") == t.text or t.unit == unit


def read_sheets(doc: Document, rules: Rules) -> list[SheetRow]:
    r = rules.memo("kpi_sheets", _compile)
    toks = tokens(doc, rules)
    rows: list[SheetRow] = []
    orphans: list[tuple[SheetCol, Tok]] = []
    i = 0
    pending: list[tuple[list[SheetCol], list[Tok]]] = []
    while i < len(toks):
        t = toks[i]
        if t.kind == "kvrole" and i + 1 < len(toks) and toks[i + 1].kind == "value":
            orphans.append((SheetCol(t.roles[0][0], t.roles[0][1]), toks[i + 1]))
            i += 2
            continue
        tr = _transposed(toks, i, r)
        if tr is not None:
            new, i = tr
            rows.extend(new)
            continue
        hr = _header_run(toks, i, r) if t.kind in ("role", "year") else None
        if hr is None:
            if pending and t.kind in ("text", "caption"):
                n = len(pending[0][1]) // len(pending[0][0])
                labels = toks[i:i + n]
                if len(labels) == n and all(x.kind in ("text", "caption") for x in labels):
                    for cols, vals in pending:
                        for ri, lab in enumerate(labels):
                            row = _row_of(rows, lab)
                            k = len(cols)
                            row.cells.extend(zip(cols, [v.text for v in vals[ri * k:(ri + 1) * k]]))
                    pending = []
                    i += n
                    continue
                pending = []
            i += 1
            continue
        cols, j, _caps = hr
        k = len(cols)
        region_end = _region_end(toks, j)
        region = toks[j:region_end]
        all_units = _value_units(region)
        markers = [x for x in toks[max(0, i - 3):region_end] if x.kind == "label"]
        if markers and sum(1 for x in region if x.kind == "value") >= k:
            rows.extend(_fill_list(toks, max(0, i - 3), j, region_end, cols, r, all_units))
            i = region_end
            continue
        if j < len(toks) and toks[j].kind == "value":
            vals = []
            while j < len(toks) and toks[j].kind == "value":
                if not _is_page_number(toks[j], r, all_units):
                    vals.append(toks[j])
                j += 1
            if len(vals) % k == 0:
                n = len(vals) // k
                if not pending or len(pending[0][1]) // len(pending[0][0]) == n:
                    pending.append((cols, vals))
            elif vals:  # which value belongs to which column is not known: say so rather than guess
                doc.find("kpis", f"{len(vals)} values under a header of {k} columns "
                         f"({', '.join(c.role for c in cols)}): not a whole number of rows, not read",
                         page=doc.blocks[vals[0].block].page,
                         snippet=" ".join(v.text for v in vals))
            i = j
            continue
        # labelled rows: label v1 … vk
        while j < len(toks) and toks[j].kind in ("text", "caption") and \
                all(j + 1 + c < len(toks) and toks[j + 1 + c].kind == "value" for c in range(k)):
            row = _row_of(rows, toks[j])
            row.cells.extend(zip(cols, [toks[j + 1 + c].text for c in range(k)]))
            j += 1 + k
        i = max(j, i + 1)
    _attach_orphans(rows, orphans)
    return [x for x in rows if any(_num(v) for _c, v in x.cells)]


def _num(text: str) -> bool:
    return bool(re.match(r"^\D{0,3}[0-9]", text))


def _row_of(rows: list[SheetRow], lab: Tok) -> SheetRow:
    for x in rows:
        if x.name == lab.text:
            return x
    x = SheetRow(lab.text, lab.block)
    rows.append(x)
    return x


def _region_end(toks: list[Tok], j: int) -> int:
    """The cells after a header row up to three plain text cells in a row or the next header."""
    plain = 0
    k = j
    while k < len(toks):
        t = toks[k]
        if t.kind in ("role",) or (t.kind == "kvrole"):
            break
        plain = plain + 1 if t.kind in ("text", "caption") else 0
        if plain >= 3:
            return k - 2
        k += 1
    return k


def _transposed(toks: list[Tok], i: int, r: _R) -> tuple[list[SheetRow], int] | None:
    """`label1 … labelm` then two or more `year v1 … vm` rows (a caption 実績 before: actuals)."""
    for m in range(1, 7):
        labels = toks[i:i + m]
        if len(labels) < m or not all(x.kind in ("text",) for x in labels):
            return None
        j = i + m
        body: list[tuple[int, list[Tok]]] = []
        while j + m < len(toks) + 0 and toks[j].kind == "year" and all(
                j + 1 + c < len(toks) and toks[j + 1 + c].kind == "value" for c in range(m)):
            body.append((toks[j].fy or 0, toks[j + 1:j + 1 + m]))
            j += 1 + m
        if len(body) >= 2:
            caps = toks[max(0, i - 2):i]
            kind = "actual" if any(_names_actual(c.text, r) for c in caps if c.kind in ("caption", "role")) else "plan"
            rows = []
            for c, lab in enumerate(labels):
                row = SheetRow(lab.text, lab.block)
                for fy, vals in body:
                    row.cells.append((SheetCol(kind, fy), vals[c].text))
                rows.append(row)
            return rows, j
    return None


def _fill_list(toks: list[Tok], start: int, j: int, end: int, cols: list[SheetCol], r: _R,
               all_units: bool) -> list[SheetRow]:
    """Rows ①…⑩ and ・ sub-rows filled from values in order (values printed before labels)."""
    k = len(cols)
    x = start
    mains: list[tuple[int, Tok, list[Tok]]] = []
    free: list[object] = []  # values (Tok) not beside a label, and runs of ・ rows: [(tok, values)]
    while x < end:
        t = toks[x]
        if t.kind == "label":
            inline: list[Tok] = []
            y = x + 1
            while y < end and len(inline) < k:
                u = toks[y]
                if u.kind == "note" or _is_page_number(u, r, all_units):
                    y += 1
                    continue
                if u.kind != "value" or (inline and not _compatible(inline[0].unit, u)):
                    break
                inline.append(u)
                y += 1
            if t.text.startswith("・"):
                if free and isinstance(free[-1], list):
                    free[-1].append((t, inline))
                else:
                    free.append([(t, inline)])
            else:
                mains.append((_marker_num(t.text), t, inline))
            x = y
            continue
        if x >= j and t.kind == "value" and not _is_page_number(t, r, all_units):
            free.append(t)
        x += 1
    mains.sort(key=lambda m: m[0])
    rows: list[SheetRow] = []
    for _n, lab, inline in mains:
        vals = list(inline)
        if not vals and free and isinstance(free[0], list):
            bullets = free.pop(0)
            assert isinstance(bullets, list)  # a run of ・ rows: (token, values) pairs
            for bt, bvals in bullets:
                row = SheetRow(_strip_marker(bt.text), bt.block)
                row.cells.extend(zip(cols, [v.text for v in bvals]))
                rows.append(row)
            continue
        while len(vals) < k:
            unit = vals[0].unit if vals else None
            pick = next((f for f in free if isinstance(f, Tok) and (not vals or _compatible(unit, f))), None)
            if pick is None:
                break
            free.remove(pick)
            vals.append(pick)
        row = SheetRow(_strip_marker(lab.text), lab.block, marker=_marker_num(lab.text) or None)
        row.cells.extend(zip(cols, [v.text for v in vals]))
        rows.append(row)
    return rows


def _marker_num(text: str) -> int:
    c = text[:1]
    return ord(c) - ord("①") + 1 if "①" <= c <= "⑳" else 0


def _strip_marker(text: str) -> str:
    return re.sub(r"^(?:[①-⑳]|・)\s*", "", text)


def _attach_orphans(rows: list[SheetRow], orphans: list[tuple[SheetCol, Tok]]) -> None:
    for col, tok in orphans:
        unit = tok.unit
        cands = [x for x in rows if any(_unit_of(v) == unit for _c, v in x.cells)]
        if len(cands) == 1:
            cands[0].cells.insert(0, (col, tok.text))


def _unit_of(text: str) -> str | None:
    m = re.match(r"^\D{0,3}[0-9][0-9,.]*\s*(.*)$", text)
    return (m.group(1) or None) if m else None
