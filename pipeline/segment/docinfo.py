"""Document-level facts from evidence: title, municipality (with its 全国地方公共団体コード) and
plan period (rules/documents.toml, rules/municipalities.tsv).

Each fact records where it was read (`*_source`); evidence that disagrees becomes a finding.
- title: the cover page's title block (its largest text, with an edition line beside it) and
  the PDF's Title metadata, checked against each other; text documents: the running header,
  else the first title-like line.
- municipality: whole names of the official list, from the cover, issuer lines (〇〇市長,
  団体名：…), the title, the PDF's Author, and only then the body (where one name must
  dominate; never in a document a national body issues).
- period: a statement of it (計画期間は…, a heading 計画期間 and its first sentence, a range
  with its length 〜までの10年間) in the front part of the document; else a fiscal year the
  title names (令和6年度 予算編成方針).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..ja.fiscal import YearRef, find_years
from ..model import Document
from ..memo import TextMemo
from ..rules import Rules, load_rules

DEFAULT_MUNICIPALITIES_FILE = "municipalities.tsv"
# characters of context around a name match that are tokenized to check its word boundaries
DEFAULT_BOUNDARY_CONTEXT = 10


@dataclass(frozen=True)
class Place:
    code: str
    kind: str  # prefecture / municipality
    prefecture: str
    name: str


@dataclass
class Gazetteer:
    places: dict[str, list[Place]]
    regex: re.Pattern[str]
    # find_places' answer per text (running headers and repeated labels come back on every page;
    # each match is checked against Sudachi's word boundaries)
    found: TextMemo[list["Mention"]] = field(default_factory=TextMemo)


def _load_gazetteer(rules: Rules) -> Gazetteer:
    path = rules.root / DEFAULT_MUNICIPALITIES_FILE
    places: dict[str, list[Place]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#") or line.startswith("code\t"):
                continue
            cols = line.split("\t")
            if len(cols) >= 4:
                places.setdefault(cols[3], []).append(Place(cols[0], cols[1], cols[2], cols[3]))
    names = sorted(places, key=len, reverse=True)
    rx = re.compile("|".join(re.escape(n) for n in names)) if names else re.compile(r"(?!x)x")
    return Gazetteer(places, rx)


def gazetteer(rules: Rules) -> Gazetteer:
    return rules.memo("docinfo.gazetteer", _load_gazetteer)


def _on_word_bounds(text: str, start: int, end: int) -> bool:
    """The match [start, end) begins and ends where Sudachi's finest split has a boundary."""
    from ..ja.tokens import tokenize

    lo = max(0, start - DEFAULT_BOUNDARY_CONTEXT)
    hi = min(len(text), end + DEFAULT_BOUNDARY_CONTEXT)
    window = text[lo:hi]
    bounds = {0, len(window)}
    for t in tokenize(window, "A"):
        bounds.add(t.begin)
        bounds.add(t.end)
    return (start - lo) in bounds and (end - lo) in bounds


@dataclass(frozen=True)
class Mention:
    name: str
    start: int
    end: int
    prefecture: str = ""  # a prefecture written right before the name (北海道〇〇村)


def find_places(text: str, rules: Rules) -> list[Mention]:
    """Whole names of prefectures and municipalities in `text`, in order. A ward written right
    after a city (大阪市北区) is part of that city, not the list's ward of the same name."""
    gz = gazetteer(rules)
    return list(gz.found(text, lambda t: _places_in(t, gz)))


def _places_in(text: str, gz: Gazetteer) -> list[Mention]:
    out: list[Mention] = []
    for m in gz.regex.finditer(text):
        if not _on_word_bounds(text, m.start(), m.end()):
            continue
        name = m.group(0)
        prev = out[-1] if out else None
        gap = text[prev.end:m.start()] if prev else None
        if prev and gap == "" and name.endswith("区") and prev.name.endswith("市"):
            continue  # a designated city's ward
        if prev and gap is not None and (gap == "" or re.fullmatch(r"\s*\S{1,4}郡\s*", gap)) \
                and any(p.kind == "prefecture" for p in gz.places.get(prev.name, [])):
            out.append(Mention(name, m.start(), m.end(), prev.name))
            continue
        out.append(Mention(name, m.start(), m.end()))
    return out


def _resolve(name: str, prefectures: Counter[str], rules: Rules, written: str = "") -> tuple[Place | None, bool]:
    """The list entry for a name (and whether it stayed ambiguous): the prefecture written before
    it decides, else the prefecture the document names most."""
    cands = gazetteer(rules).places.get(name, [])
    if not cands:
        return None, False
    if len(cands) == 1:
        return cands[0], False
    if written:
        for c in cands:
            if c.prefecture == written:
                return c, False
    ranked = sorted(cands, key=lambda c: -prefectures.get(c.prefecture, 0))
    if prefectures.get(ranked[0].prefecture, 0) > prefectures.get(ranked[1].prefecture, 0):
        return ranked[0], False
    return ranked[0], True


# ---------------------------------------------------------------------------------------- text


def _norm(text: str, rules: Rules) -> str:
    from ..normalization.chars import normalize_text

    return normalize_text(text, rules)


def _texts(doc: Document, limit: int | None = None) -> list[str]:
    out = [b.text for b in doc.blocks if b.kind in ("heading", "paragraph", "list_item") and b.text]
    return out[:limit] if limit else out


def _squash(s: str) -> str:
    return re.sub(r"[\s・･]+", "", s)


def _looks_titled(t: str, rules: Rules) -> bool:
    conf = rules.get("documents").get("title", {})
    core = re.sub(r"\s*([「(\[【].*|\S*版)$", "", t).strip()
    return core.endswith(tuple(conf.get("plan_words", []))) if core else False


def _join_title(parts: list[str]) -> str:
    from ..ja.textutil import join_wrapped

    return join_wrapped(parts)


def cover_title(doc: Document, rules: Rules) -> str:
    """The cover page's title block: its largest lines (one group of them, wrapped lines joined),
    with an edition or year line right above or below (令和8年度, 第2次)."""
    conf = rules.get("documents").get("title", {})
    lines = [(_norm(t, rules).strip(), size, top) for t, size, top in doc.cover_lines]
    lines = [ln for ln in lines if ln[0] and not re.fullmatch(r"[-–—\s0-9]*", ln[0])]
    if not lines:
        return ""
    lines.sort(key=lambda ln: ln[2])
    biggest = max(size for _, size, _ in lines)
    share = float(conf.get("size_share", 0.9))
    gap = float(conf.get("max_gap_lines", 2.5))
    groups: list[list[int]] = []
    for i, (_, size, top) in enumerate(lines):
        if size < biggest * share:
            continue
        if groups and top - (lines[groups[-1][-1]][2] + lines[groups[-1][-1]][1]) <= gap * size \
                and all(lines[j][1] >= biggest * share for j in range(groups[-1][-1] + 1, i)):
            groups[-1].append(i)
        else:
            groups.append([i])
    texts = [" ".join(lines[j][0] for j in g) for g in groups]
    pick = next((g for g, t in zip(groups, texts) if _looks_titled(t, rules)), None)
    if pick is None:
        pick = max(groups, key=lambda g: len(_squash("".join(lines[j][0] for j in g))))
    edition = rules.regex(conf.get("edition_pattern", r"(?!x)x"))
    ed_share = float(conf.get("edition_size_share", 0.4))
    before: list[str] = []
    after: list[str] = []
    first, last = pick[0], pick[-1]
    if first > 0:
        t, size, top = lines[first - 1]
        if edition.match(_squash(t)) and size >= biggest * ed_share and lines[first][2] - (top + size) <= gap * lines[first][1]:
            before.append(t)
    if last + 1 < len(lines):
        t, size, top = lines[last + 1]
        if edition.match(_squash(t)) and size >= biggest * ed_share and top - (lines[last][2] + lines[last][1]) <= gap * lines[last][1]:
            after.append(t)
    while len(pick) > 1 and edition.match(_squash(lines[pick[0]][0])):
        before.append(lines[pick[0]][0])
        pick = pick[1:]
    while len(pick) > 1 and edition.match(_squash(lines[pick[-1]][0])):
        after.insert(0, lines[pick[-1]][0])
        pick = pick[:-1]
    main = _join_title([lines[j][0] for j in pick])
    prefix = [_squash(t) for t in before + after]
    # a year names the edition apart from the title (令和6年度 予算編成方針); an ordinal is part of it
    words = [p for p in prefix if re.search(r"年度?$", p)]
    ordinals = [p for p in prefix if p not in words]
    title = "".join(ordinals) + main
    return (" ".join(words) + " " + title).strip() if words else title


def metadata_title(doc: Document, rules: Rules) -> str:
    """The PDF's Title metadata, unless it is a file name or a program's placeholder."""
    raw = (doc.meta.get("Title") or "").strip()
    if not raw:
        return ""
    conf = rules.get("documents").get("title", {})
    stem = doc.source_path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    if stem and stem in raw.lower():
        return ""
    if any(rules.regex(p).search(raw) for p in conf.get("metadata_reject_patterns", [])):
        return ""
    return _norm(raw, rules).strip()


def _in_text(title: str, doc: Document, rules: Rules) -> bool:
    """The title (or its name part without a prefecture) is written in the document's text."""
    want = _squash(title)
    places = find_places(title, rules)
    alts = {want}
    if places and places[0].start == 0 and places[0].name != title:
        alts.add(_squash(title[places[0].end:]))
    body = _squash("".join(_texts(doc)))
    return any(a and a in body for a in alts)


def find_title(doc: Document, rules: Rules, running_header: str = "") -> tuple[str, str]:
    """(title, source)."""
    cover = cover_title(doc, rules) if doc.cover_lines else ""
    meta = metadata_title(doc, rules)
    limit = int(rules.get("documents").get("title", {}).get("max_chars", 60))
    if cover and len(cover) > limit:
        cover = ""
    if cover and meta:
        a, b = _squash(cover), _squash(meta)
        if a == b or a in b or b in a:
            return cover, "cover+metadata"
        if not _looks_titled(cover, rules) and (_looks_titled(meta, rules) or _in_text(meta, doc, rules)):
            doc.find("docinfo", "page 1's largest text is no title (no cover page, or its title is an image): "
                                "title from the PDF's Title metadata", page=1, snippet=f"{cover} / {meta}")
            return meta, "metadata"
        doc.find("docinfo", "the PDF's Title metadata differs from the cover's title; the cover is kept",
                 page=1, snippet=f"{cover} / {meta}")
        return cover, "cover"
    if cover and (_looks_titled(cover, rules) or not running_header):
        return cover, "cover"
    if meta:
        return meta, "metadata"
    if cover and _prominent(doc, rules):
        return cover, "cover"
    if running_header:
        return running_header, "running_header"
    return _text_title(doc, rules), "text"


def _prominent(doc: Document, rules: Rules) -> bool:
    """The cover's largest text is set well above the body size (a title, whatever its words)."""
    sizes: Counter[float] = Counter()
    for b in doc.blocks:
        if b.size and b.text:
            sizes[round(b.size, 1)] += len(b.text)
    if not sizes or not doc.cover_lines:
        return False
    body = sizes.most_common(1)[0][0]
    share = float(rules.get("documents").get("title", {}).get("prominent_size_ratio", 1.4))
    return max(size for _, size, _ in doc.cover_lines) >= share * body


def _starts_with_municipality(t: str, rules: Rules) -> bool:
    """The text opens with a municipality's name (after its prefecture, if written)."""
    ms = find_places(t, rules)
    gz = gazetteer(rules)
    if ms and ms[0].start == 0 and any(p.kind == "prefecture" for p in gz.places.get(ms[0].name, [])) and len(ms) > 1:
        ms = ms[1:] if ms[1].prefecture else ms
    return bool(ms) and (ms[0].start == 0 or bool(ms[0].prefecture)) and any(
        p.kind == "municipality" for p in gz.places.get(ms[0].name, []))


def _text_title(doc: Document, rules: Rules) -> str:
    conf = rules.get("documents").get("title", {})
    limit = int(conf.get("max_chars", 60))
    head = _texts(doc)
    standalone = [b.text for b in doc.blocks if b.kind in ("heading", "paragraph") and b.text and not b.label]
    for need_name in (True, False):
        for t in standalone:
            if need_name and not _starts_with_municipality(t, rules):
                continue
            if len(t) <= limit and _looks_titled(t, rules) and not t.endswith("。") and t[0] not in "・●○■□◆※-*(":
                return t
    return head[0] if head else ""


# -------------------------------------------------------------------------------- municipality


def _issuer_lines(texts: list[str], rules: Rules) -> list[str]:
    """Names written as an issuer: 〇〇市長 …, 団体名：〇〇村, 〇〇市総務課."""
    conf = rules.get("documents").get("municipality", {})
    after = rules.regex(conf.get("issuer_after_pattern", r"(?!x)x"))
    before = rules.regex(conf.get("issuer_before_pattern", r"(?!x)x"))
    out = []
    for t in texts:
        if len(t) > 60:
            continue
        for m in find_places(t, rules):
            if after.match(t[m.end:]) or before.search(t[:m.start]):
                out.append(m.name if not m.prefecture else m.prefecture + m.name)
    return out


def _pick(mentions: list[Mention], rules: Rules) -> tuple[str, str] | None:
    """(name, written prefecture) of the zone's most named place; a municipality over the
    prefecture it lies in (北海道〇〇村 -> 〇〇村)."""
    if not mentions:
        return None
    gz = gazetteer(rules)
    counts: Counter[str] = Counter(m.name for m in mentions)
    munis = [n for n in counts if any(p.kind == "municipality" for p in gz.places.get(n, []))]
    pool = munis or list(counts)
    order = {m.name: i for i, m in reversed(list(enumerate(mentions)))}
    name = max(pool, key=lambda n: (counts[n], -order[n]))
    written = next((m.prefecture for m in mentions if m.name == name and m.prefecture), "")
    return name, written


def find_municipality(doc: Document, rules: Rules) -> tuple[str, str, str]:
    """(name, code, source)."""
    conf = rules.get("documents").get("municipality", {})
    national = rules.regex(conf.get("national_issuer_pattern", r"(?!x)x"))
    cover = [_norm(t, rules) for t, _, _ in doc.cover_lines]
    texts = _texts(doc)
    front = cover or texts[: int(conf.get("head_blocks", 40))]
    issuers = _issuer_lines(front, rules)
    zones: list[tuple[str, list[Mention]]] = [
        ("cover", [m for t in cover for m in find_places(t, rules)]),
        ("issuer", [m for t in issuers for m in find_places(t, rules)]),
        ("title", find_places(doc.title, rules)),
        ("metadata", find_places(_norm(doc.meta.get("Author", "") or "", rules), rules)),
    ]
    prefectures: Counter[str] = Counter()
    body_mentions = [m for t in texts for m in find_places(t, rules)]
    gz = gazetteer(rules)
    for m in body_mentions + [m for _, ms in zones for m in ms]:
        if any(p.kind == "prefecture" for p in gz.places.get(m.name, [])):
            prefectures[m.name] += 1
        if m.prefecture:
            prefectures[m.prefecture] += 1
    found: list[tuple[str, str, str]] = []
    for source, mentions in zones:
        got = _pick(mentions, rules)
        if got:
            found.append((got[0], got[1], source))
    nationally_issued = any(national.search(t) for t in front[:12]) and not found
    if not found and body_mentions and not nationally_issued:
        counts = Counter(m.name for m in body_mentions)
        name, n = counts.most_common(1)[0]
        if n >= int(conf.get("body_min_mentions", 3)) and n >= float(conf.get("body_min_share", 0.6)) * sum(counts.values()):
            got = _pick([m for m in body_mentions if m.name == name], rules)
            if got:
                found.append((got[0], got[1], "text"))
    if not found:
        if nationally_issued and body_mentions:
            doc.find("docinfo", "issued by a national body: the municipalities its text names are not its issuer",
                     snippet="; ".join(sorted({m.name for m in body_mentions}))[:200])
        elif not nationally_issued:
            named = Counter(m.name for m in body_mentions).most_common(5)
            doc.find("docinfo", "no municipality found: none on the cover, in an issuer line, the title or the PDF's "
                                "Author, and no name dominates the body text; municipality and its code are left empty",
                     snippet="; ".join(f"{n} ×{k}" for n, k in named))
        return "", "", ""
    name, written, source = found[0]
    others = sorted({n for n, _, s in found[1:] if n != name and s in ("cover", "issuer", "title")})
    if others and not any(_contains(name, o, rules) for o in others):
        doc.find("docinfo", f"the document names other municipalities where its issuer is expected; {name} ({source}) is kept",
                 snippet="; ".join(others))
    place, ambiguous = _resolve(name, prefectures, rules, written)
    if ambiguous:
        doc.find("docinfo", f"{name}: several municipalities have this name and the document names none of their "
                            "prefectures; the code is left empty", snippet=name)
        return name, "", source
    return name, place.code if place else "", source


def _contains(name: str, other: str, rules: Rules) -> bool:
    """`other` is the prefecture `name` lies in (or the same place)."""
    return other == name or any(p.prefecture == other for p in gazetteer(rules).places.get(name, []))


# ------------------------------------------------------------------------------------- period


def _sentences(doc: Document, rules: Rules) -> list[tuple[str, str, int]]:
    """(sentence, heading above it, page) over the text blocks, wrapped blocks joined."""
    out: list[tuple[str, str, int]] = []
    heading = ""
    buf = ""
    page = 0
    first_after_heading = False

    def flush() -> None:
        nonlocal buf, first_after_heading
        for s in re.split(r"(?<=。)", buf):
            if s.strip():
                out.append((s.strip(), heading if first_after_heading else "", page))
                first_after_heading = False
        buf = ""

    for b in doc.blocks:
        if b.kind == "heading" or b.hard_heading or b.label:
            flush()
            heading = b.text or b.title
            first_after_heading = True
            page = b.page or page
            continue
        if b.kind not in ("paragraph", "list_item", "line") or not b.text:
            flush()
            continue
        if not buf:
            page = b.page or page
        buf += b.text
        if buf.endswith("。"):
            flush()
    flush()
    return out


def _front_limit(doc: Document, rules: Rules) -> int | None:
    conf = rules.get("documents").get("period", {})
    if doc.pages:
        return max(int(conf.get("front_min_pages", 6)), int(doc.pages * float(conf.get("front_share", 0.5))))
    return None


def _ranges(text: str, rules: Rules) -> list[tuple[int, int, str]]:
    """Year ranges in a text: (start, end, 'range'|'length'|'range+length')."""
    conf = rules.get("documents").get("period", {})
    joiners = "|".join(re.escape(j) for j in conf.get("joiners", []))
    length = rules.regex(conf.get("length_pattern", r"(?!x)x"))
    ys: list[YearRef] = find_years(text, rules)
    out: list[tuple[int, int, str]] = []
    for i, a in enumerate(ys):
        b = ys[i + 1] if i + 1 < len(ys) else None
        between = text[a.end:b.start] if b else ""
        if b and re.fullmatch(f"\\s*(?:{joiners})\\s*", between) and a.fiscal_year <= b.fiscal_year:
            n = length.match(text[b.end:])
            kind = "range+length" if n and int(n.group("n")) == b.fiscal_year - a.fiscal_year + 1 else "range"
            out.append((a.fiscal_year, b.fiscal_year, kind))
            continue
        m = re.match(f"\\s*(?:{joiners})\\s*", text[a.end:])
        if m:
            n = length.match(text[a.end + m.end():])
            if n and 1 < int(n.group("n")) <= 50:
                out.append((a.fiscal_year, a.fiscal_year + int(n.group("n")) - 1, "length"))
    return out


def find_period(doc: Document, rules: Rules) -> tuple[int | None, int | None, str]:
    conf = rules.get("documents").get("period", {})
    cues = conf.get("cue_words", [])
    limit = _front_limit(doc, rules)
    sents = _sentences(doc, rules)
    if limit is None:
        sents = sents[: max(40, len(sents) // 2)]
    else:
        sents = [s for s in sents if s[2] <= limit]
    cover = [_norm(t, rules) for t, _, _ in doc.cover_lines]
    stated: list[tuple[int, int, str, str]] = []
    for t in cover:
        if any(c in t for c in cues):
            stated += [(a, b, "cover", t) for a, b, _ in _ranges(t, rules)]
    for sent, heading, _ in sents:
        cue = next((c for c in cues if c in sent), None)
        if cue:
            rs = _ranges(sent[sent.index(cue):], rules)
        elif any(c in heading for c in cues):
            rs = _ranges(sent, rules)
        else:
            rs = []
        stated += [(a, b, "period_phrase", sent) for a, b, _ in rs]
    if not stated:
        for sent, _, _ in sents:
            stated += [(a, b, "duration_phrase", sent) for a, b, k in _ranges(sent, rules) if k == "range+length"]
    if stated:
        a, b, source, sent = stated[0]
        other = sorted({(x, y) for x, y, _, _ in stated if (x, y) != (a, b)})
        if other:
            doc.find("docinfo", f"the plan period is stated more than once with other years; the first ({a}–{b}) is kept",
                     snippet="; ".join(f"{x}–{y}" for x, y in other))
        return a, b, source
    title_years = find_years(doc.title, rules)
    rs = _ranges(doc.title, rules)
    if rs:
        return rs[0][0], rs[0][1], "title"
    fy = [y for y in title_years if "年度" in y.text]
    if len(fy) == 1:
        return fy[0].fiscal_year, fy[0].fiscal_year, "title"
    doc.find("docinfo", "no plan period found: no statement of it (計画期間 …, a range with its length) in the front "
                        "part of the document, and no single fiscal year in the title; the period is left empty")
    return None, None, ""


def describe(doc: Document, rules: Rules | None = None, running_header: str = "") -> Document:
    rules = rules or load_rules()
    doc.title, doc.title_source = find_title(doc, rules, running_header)
    doc.municipality, doc.municipality_code, doc.municipality_source = find_municipality(doc, rules)
    doc.period_start_fy, doc.period_end_fy, doc.period_source = find_period(doc, rules)
    return doc
