"""Extract glossary.parquet rows: footnotes, notes, glossary sections and inline definitions.

Sources, each shape's accept/reject reasons being rules in rules/glossary.toml:
- footnotes `N TERM(EXPANSION):DEFINITION`, marked notes `※X:…`, `(※)X:…`, and page-bottom
  notes `*N …` whose mark sits on a word of the body (資産の有効活用等(*2));
- notes `Xとは、…` (inline or boxed) and a line `Xとは` followed by its explanation;
- glossary sections (用語集, 用語解説 …) as lists, two-line entries or tables;
- inline brackets, where one side defines or spells out the other: 略語(正式名),
  正式名(略語), 日本語(カタカナ語), `X(Y)` with Y explaining X. Sudachi finds where the
  term starts (the compound noun before the bracket).
One row per term per document: a footnote or note and an inline definition of the same term
merge (the footnote's definition kept, source footnote).
"""
from __future__ import annotations

import re
from typing import Iterator

from ..model import Block, Document, Tables
from ..rules import Rules
from ..ja.tokens import tokenize

NAME = "glossary"
WRITES = ("glossary",)

_ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9&.\-]*[A-Za-z]$")
_LATIN_WORDS = re.compile(r"^[A-Za-z][A-Za-z&.,\-]*(?: [A-Za-z&.,\-]+)+$|^[A-Za-z]{4,}$")
_KATAKANA = re.compile(r"^[ァ-ヺー・]+$")
_KATAKANA_WORDS = re.compile(r"[ァ-ヺー]{2,}")
_LATIN_TAIL = re.compile(r"[A-Za-z][A-Za-z0-9\-]*$")
_KANA_LATIN = re.compile(r"^[ァ-ヺー・]*[A-Za-z][A-Za-z0-9\-]*$")
_LATIN_KATAKANA = re.compile(r"^[A-Za-z]+ ?[ァ-ヺー・]+$")
_JA = re.compile(r"[ぁ-ゖァ-ヺー一-龥々]")
_BRACKET = re.compile(r"\(([^()]{1,120})\)")
_SOURCE_RANK = {"footnote": 0, "note": 1, "inline": 2}


def _is_acronym(s: str) -> bool:
    return bool(_ACRONYM.match(s)) and sum(c.isupper() for c in s) >= 2 and " " not in s


def _termlike(s: str) -> bool:
    """An abbreviation or a loanword written with Latin letters: ICT, iCD, ウォーターPPP."""
    s = s.strip()
    return _is_acronym(s) or (bool(_KANA_LATIN.match(s)) and bool(re.search(r"[A-Z]{2}", s)))


def _split_gloss(gloss: str) -> tuple[str | None, str | None]:
    """(expansion, definition) of a bracket's text: English or katakana spelled out, else Japanese."""
    m = re.match(r"^([A-Za-z][A-Za-z&.,\- ]*[A-Za-z])\s+(\S.*)$", gloss)
    if m and not m.group(2).isascii():
        return m.group(1), m.group(2)
    if _LATIN_WORDS.match(gloss) or _KATAKANA.match(gloss) or _LATIN_KATAKANA.match(gloss):
        return gloss, None
    return None, gloss


def _spelled_out(full: str) -> tuple[str | None, str | None]:
    """A Japanese full form: katakana (with Latin letters) is a spelled-out form, else a gloss."""
    if _KATAKANA.match(full) or _LATIN_KATAKANA.match(full):
        return full, None
    return None, full


class _Conf:
    """The glossary rules, compiled once per run."""

    def __init__(self, rules: Rules):
        c = rules.get("glossary")
        rx = rules.regex
        self.max_gloss = int(c.get("max_gloss_chars", 60))
        self.pos_ok = tuple(c.get("term_pos", ["名詞"]))
        self.reject_gloss = [rx(p) for p in c.get("reject_gloss_patterns", [])]
        self.accept_gloss = [rx(p) for p in c.get("accept_gloss_patterns", [])]
        self.reject_term = [rx(p) for p in c.get("reject_term_patterns", [])]
        self.label_term = rx(c["label_term_pattern"])
        self.same_head_alias = bool(c.get("same_head_is_alias", True))
        self.ratio = float(c.get("explain_min_ratio", 2.0))
        self.remark_gloss = [rx(p) for p in c.get("remark_gloss_patterns", [])]
        self.min_words = int(c.get("min_term_words", 2))
        self.modifier = rx(c["modifier_pattern"])
        self.generic_full = rx(c["generic_full_pattern"])
        self.org_line = rx(c["org_line_pattern"])
        self.mark_on_term = rx(c["mark_on_term_pattern"])
        self.word_heading = rx(c["word_heading_pattern"])
        self.note_cue = rx(c["note_cue_pattern"])
        self.note_heading_term = rx(c["note_heading_term_pattern"])
        self.tails = [rx(p) for p in c.get("definition_tail_patterns", [])]
        self.note_line = rx(c["note_line_pattern"])
        self.mark_note = rx(c["mark_note_pattern"])
        self.body_mark = c["body_mark_pattern"]
        self.reading_line = rx(c["reading_line_pattern"])
        self.section_heading = rx(c["section_heading_pattern"])
        self.section_entry = rx(c["section_entry_pattern"])
        self.section_skip = [rx(p) for p in c.get("section_skip_patterns", [])]
        self.abbreviation_of = rx(c["abbreviation_of_pattern"])

    def gloss_rejected(self, gloss: str) -> bool:
        if any(r.search(gloss) for r in self.accept_gloss) and "以下" not in gloss and "、" not in gloss:
            return False
        return any(r.search(gloss) for r in self.reject_gloss)

    def term_rejected(self, term: str) -> bool:
        return any(r.search(term) for r in self.reject_term)

    def clean_definition(self, d: str) -> str:
        d = d.strip()
        for _ in range(2):
            for r in self.tails:
                d = r.sub("", d).strip()
        return d


def _row(term: str, expansion: str | None, definition: str | None, source: str, b: Block) -> dict:
    return {"term": term.strip(), "expansion": expansion or None, "definition": definition or None,
            "source": source, "page": b.page, "raw": (b.raw or "")[:300]}


# --- running text --------------------------------------------------------------------------

def _streams(doc: Document) -> Iterator[tuple[Block, str]]:
    """Running text to read brackets and notes in: consecutive paragraphs and list items of a
    page joined with newlines (a PDF line is a paragraph of its own), headings, table cells."""
    run: list[Block] = []
    pdf = doc.source_format == "pdf"

    def flush() -> Iterator[tuple[Block, str]]:
        if run:
            yield run[0], "\n".join(b.text for b in run)
        run.clear()

    for b in doc.blocks:
        if b.kind in ("paragraph", "list_item") and b.text:
            if run and (run[-1].page != b.page or not pdf):
                yield from flush()
            run.append(b)
            continue
        yield from flush()
        if b.kind == "heading" and b.text:
            yield b, b.text
        elif b.kind == "table":
            for row in b.rows:
                for cell in row:
                    if cell:
                        for line in cell.split("\n"):
                            yield b, line
    yield from flush()


def _compound_before(text: str, end: int, pos_ok: tuple[str, ...]) -> str:
    """The compound noun that ends at `end` (Sudachi): 統合型GIS, 最高情報統括責任者, ID・パスワード."""
    start = max(0, end - 40)
    seg = text[start:end]
    cut = max(seg.rfind("\n"), seg.rfind(" ") if not re.search(r"[A-Za-z] [ァ-ヺ]", seg[-20:]) else -1)
    seg = seg[cut + 1:]
    toks = tokenize(seg)
    words: list[str] = []
    for t in reversed(toks):
        katakana_dot = t.surface == "・" and words and _KATAKANA.match(words[-1][:1])
        if (t.pos[0] in pos_ok and t.surface not in ("等", "など")) or katakana_dot:
            if words and words[-1] == "・" and not _JA.search(t.surface):
                break  # ID・パスワード(PWD): a Latin word before ・ is another item of a list
            words.append(t.surface)
        elif t.pos[0] == "空白" and words and _KATAKANA.match(words[-1][:1] or "x") and re.match(r"^[A-Za-z]", seg[:t.begin][-1:] or ""):
            continue  # AI スペシャリスト: a Latin word set apart from the katakana it qualifies
        else:
            break
    while words and words[-1] == "・":
        words.pop()
    term = "".join(reversed(words))
    # AI スペシャリスト: the Latin word before a spaced katakana word belongs to it
    m = re.search(r"([A-Za-z]+) " + re.escape(term) + "$", seg) if term and _KATAKANA.match(term[:1]) else None
    if m:
        term = m.group(1) + term
    return term


def _quoted_before(line: str) -> str | None:
    """「モノのインターネット」(IoT), 「水の官民連携」(ウォーターPPP): the quoted phrase before a bracket."""
    m = re.search(r"「([^「」]{2,40})」?$", line)
    return m.group(1) if m else None


def _latin_term_before(before: str) -> str | None:
    """The Latin term ending the text before a bracket, with a katakana word glued to it (ウォーターPPP)."""
    m = re.search(r"(?:[ァ-ヺー]+)?[A-Za-z][A-Za-z0-9\-]*$", before)
    if not m:
        return None
    prev = before[m.start() - 1] if m.start() > 0 else ""
    if prev.isascii() and prev.isalnum():
        return None
    return m.group(0)


def _in_note(line: str, pos: int, conf: _Conf) -> bool:
    """Is position `pos` of the line inside the definition part of an `Xとは、…` note?"""
    i = line.find("とは")
    return 0 <= i < pos and bool(conf.note_cue.match(line[: pos]))


def inline_entries(doc: Document, conf: _Conf) -> list[dict]:
    out: list[dict] = []
    for b, text in _streams(doc):
        for raw_line in text.split("\n"):
            rl = conf.reading_line.match(raw_line)
            if rl:
                out.append(_row(rl.group("t"), rl.group("e").strip(), None, "inline", b))
        for m in _BRACKET.finditer(text):
            row = _bracket_row(text, m, conf, b)
            if row:
                out.append(row)
    return out


def _words(s: str) -> list:
    return [t for t in tokenize(s) if t.pos[0] not in ("補助記号", "空白")]


def _proper(s: str, kinds: tuple[str, ...] = ()) -> bool:
    """Does `s` hold a proper noun (of one of `kinds`: 地名, 人名 … when given)?"""
    return any(t.pos[1] == "固有名詞" and (not kinds or t.pos[2] in kinds) for t in _words(s))


_LOANWORD = re.compile(r"^[A-Za-z]*[ァ-ヺー・]+$")


def _enumerates(term: str, gloss: str) -> bool:
    """江東5区(墨田区・江東区・…): the bracket lists as many items as the term counts."""
    m = re.search(r"([0-9]+)", term)
    return m is not None and len(re.split(r"[・、]", gloss)) == int(m.group(1))


def _bracket_row(text: str, m: re.Match[str], conf: _Conf, b: Block) -> dict | None:
    gloss = m.group(1).replace("\n", "").strip()
    line_start = text.rfind("\n", 0, m.start()) + 1
    line = text[line_start: m.start()]
    rest_of_line = text[m.end():].split("\n", 1)[0]
    after = text[m.end(): m.end() + 6].replace("\n", "")
    if not gloss or not line or len(gloss) > conf.max_gloss:
        return None
    if line.count("(") > line.count(")"):
        return None  # a bracket inside a bracket: part of a citation or a name
    if line.rfind("「") > line.rfind("」") and not after.startswith("」"):
        return None  # 「…(DX)推進計画」: the bracket is inside a quoted name
    if line.endswith("とは") or after.startswith("とは") or _in_note(line, len(line), conf):
        return None  # a note (Xとは…) is read as a note; brackets inside its definition are not terms
    # (IT)総合戦略室: the bracket sits inside a longer name; kept only if nothing better is found
    weak = bool(re.match(r"[一-龥]", after)) and not after.startswith(("等", "など"))
    row = _bracket_shape(line, gloss, rest_of_line, conf, b)
    if row and weak:
        row["weak"] = True
    return row


def _bracket_shape(line: str, gloss: str, rest_of_line: str, conf: _Conf, b: Block) -> dict | None:
    if _termlike(gloss) and not gloss.isdigit():
        # 正式名(略語): the spelled-out form comes first
        if conf.org_line.search(line) and not rest_of_line.strip():
            return None  # 一般財団法人…協会(APPLIC) alone on its line: a member list
        full = _quoted_before(line) or _compound_before(line, len(line), conf.pos_ok)
        if not full or full.isascii() or len(full) < 2 or conf.generic_full.match(full):
            return None
        mod = conf.modifier.search(line[: len(line) - len(full)])
        if mod and not _quoted_before(line):
            full = mod.group("m") + full
        exp, definition = _spelled_out(full)
        return _row(gloss, exp, definition, "inline", b)
    if conf.gloss_rejected(gloss):
        return None
    latin = _latin_term_before(line)
    if latin:
        term = latin
        mk = conf.mark_on_term.match(term)
        if mk:
            term = mk.group("t")
        bare = _LATIN_TAIL.search(term)
        word = bare.group(0) if bare else term
        heading_word = conf.word_heading.match(word) and line.strip() == word and _JA.search(gloss)
        if not (_is_acronym(word) or re.search(r"[A-Z]", word[1:]) or "-" in word or heading_word):
            return None
        if _KATAKANA.match(gloss.replace(" ", "")) and heading_word:
            return None
        exp, definition = _split_gloss(gloss)
        if heading_word:
            exp, definition = None, gloss
        return _row(term, exp, definition, "inline", b)
    if line[-1:] in ("」", "』") and not _termlike(gloss):
        return None  # 「…計画」(案): a quoted name with a remark
    term = re.sub(r"^[〇○●◯・]+", "", _compound_before(line, len(line), conf.pos_ok))
    if not term or len(term) < 2 or term.isascii() or conf.term_rejected(term):
        return None
    if gloss.isascii():
        return None  # 日本語(English) in running text: a translation, not a definition here
    g = gloss.replace(" ", "")
    if term in g:
        return None
    if _KATAKANA.match(g):
        # 日本語(カタカナ語): the loanword is the term and the Japanese its meaning, in running text
        # (the sentence goes on after the bracket), unless one names a place or a proper thing
        # or the Japanese already holds the loanword's words (…デジタル化(デジタルコンテンツ))
        if len(g) < 3 or _KATAKANA.match(term) or not rest_of_line.strip() or _proper(g) or _proper(term):
            return None
        gw = [t.surface for t in _words(g) if len(t.surface) >= 2]
        tw = [t.surface for t in _words(term) if _KATAKANA.match(t.surface) and len(t.surface) >= 2]
        if any(w in term for w in gw) or any(w in g for w in tw):
            return None
        return _row(g, None, term, "inline", b)
    if _enumerates(term, g):
        return _row(term, None, gloss, "inline", b)
    if any(r.search(g) for r in conf.remark_gloss):
        return None
    if _LOANWORD.match(term) and len(term) >= 3 and not re.search(r"[ァ-ヺ]", g) and len(g) >= 3 \
            and not _proper(term, ("地名", "人名")):
        # カタカナ語(日本語): a loanword glossed in Japanese (ディープラーニング(深層学習))
        return _row(term, None, gloss, "inline", b)
    if any(r.search(gloss) for r in conf.accept_gloss):
        return _row(term, None, gloss, "inline", b)
    content = [t for t in _words(term) if t.pos[0] == "名詞"]
    gwords = _words(g)
    if conf.same_head_alias and content and gwords and gwords[-1].surface == _words(term)[-1].surface and "の" not in g:
        return None
    # a gloss naming a particular body or place (東海大学との連携授業) gives an instance, not a meaning
    if len(content) < conf.min_words or _proper(term) or _proper(g) or len(g) < conf.ratio * len(term):
        return None
    return _row(term, None, gloss, "inline", b)


# --- notes -------------------------------------------------------------------------------

def _first_sentence(s: str) -> str:
    s = s.replace("\n", "")
    i = s.find("。")
    return s[: i + 1] if i >= 0 else s


def _note_term(raw: str, conf: _Conf) -> str | None:
    """The term of `Xとは`: the compound noun before とは, when とは is the particle (not 〜ことは)."""
    raw = raw.strip().strip("「」『』")
    if not raw:
        return None
    toks = tokenize(raw + "とは")
    if not any(t.begin == len(raw) and t.pos[0] == "助詞" for t in toks):
        return None
    if _is_acronym(raw) or _KATAKANA.match(raw):
        return raw
    term = _compound_before(raw, len(raw), conf.pos_ok)
    return term or None


def note_entries(doc: Document, conf: _Conf) -> list[dict]:
    """`Xとは、…` in running text or a box, and a line `Xとは` followed by its explanation."""
    out: list[dict] = []
    streams = list(_streams(doc))
    for si, (b, text) in enumerate(streams):
        lines = text.split("\n")
        for li, line in enumerate(lines):
            m = conf.note_cue.match(line)
            if not m:
                continue
            term = _note_term(m.group("term"), conf)
            if not term:
                continue
            exp = m.group("exp")
            rest = m.group("def").strip()
            if not rest:
                # a heading `Xとは`: the explanation is the next paragraph, for abbreviations and loanwords
                if not conf.note_heading_term.match(term):
                    continue
                nxt = "\n".join(lines[li + 1:]).strip()
                if not nxt and si + 1 < len(streams):
                    nxt = streams[si + 1][1]
                if not nxt or conf.note_cue.match(nxt.split("\n", 1)[0]):
                    continue  # the next line is itself a note on the term
                rest = nxt
            else:
                rest = rest + "\n" + "\n".join(lines[li + 1:])
            if conf.term_rejected(term) or len(term) < 2 or re.search(r"[をにがでへ]$", term):
                continue
            definition = conf.clean_definition(_first_sentence(rest))
            if not definition:
                continue
            e, d = (None, None)
            if exp:
                e, d = _split_gloss(exp.strip())
            out.append(_row(term, e, definition, "note", b))
    return out


def _marked_term(doc: Document, n: int, conf: _Conf) -> str | None:
    """The word a page-bottom note `*n` annotates: the text before its mark in the body."""
    rx = re.compile(r"\(?\*" + str(n) + r"\)?(?![0-9])")
    for b, text in _streams(doc):
        for line in text.split("\n"):
            m = rx.search(line)
            if not m or m.start() == 0:
                continue
            before = line[: m.start()]
            if b.kind == "table" and not re.search(r"[、。]", before):
                return before.strip()
            term = _compound_before(before, len(before), conf.pos_ok)
            return term or None
    return None


def footnote_entries(doc: Document, conf: _Conf) -> list[dict]:
    out: list[dict] = []
    for b in doc.blocks:
        if b.kind != "footnote" or not b.text:
            continue
        text = "".join(line.strip() for line in b.text.split("\n"))
        text = re.sub(r"^[0-9]{1,3}\s*", "", text)
        nm = conf.note_cue.match(text)
        if nm and nm.group("def") and _note_term(nm.group("term"), conf):
            out.append(_row(_note_term(nm.group("term"), conf) or "", None, conf.clean_definition(nm.group("def")), "footnote", b))
            continue
        m = re.match(r"^(?P<head>[^:]+?)\s*:(?!//)\s*(?P<def>.+)$", text)
        if not m:
            continue
        out.append(_head_row(m.group("head").strip(), m.group("def").strip(), "footnote", b))
    # notes set as paragraphs: ※X:…, (※)X:…, *N X:…, and *N … with the mark on a body word
    blocks = doc.blocks
    for i, b in enumerate(blocks):
        if b.kind not in ("paragraph", "list_item") or not b.text:
            continue
        m = conf.note_line.match(b.text)
        rl = conf.reading_line.match(b.text)
        if rl:
            continue  # ※ABC(エービーシー):Alpha …: read by the inline pass as term and expansion
        if m:
            out.append(_head_row(m.group("head").strip(), m.group("def").strip(), "footnote", b))
            continue
        mm = conf.mark_note.match(b.text)
        if not mm:
            continue
        body = mm.group("body")
        for nb in blocks[i + 1: i + 8]:  # the note goes on over the following lines of the page
            if nb.kind != "paragraph" or nb.page != b.page or conf.mark_note.match(nb.text or "") or not nb.text:
                break
            body += nb.text
        nm = conf.note_cue.match(body)
        if nm and nm.group("def") and _note_term(nm.group("term"), conf):
            out.append(_row(_note_term(nm.group("term"), conf) or "", None, conf.clean_definition(nm.group("def")), "footnote", b))
            continue
        term = _marked_term(doc, int(mm.group("n")), conf)
        if term:
            out.append(_row(term, None, conf.clean_definition(body), "footnote", b))
    return out


def _head_row(head: str, definition: str, source: str, b: Block) -> dict:
    term, expansion = head, None
    bm = re.match(r"^(?P<term>[^()]+?)\s*\((?P<g>[^()]+)\)", head)
    if bm:
        term = bm.group("term").strip()
        if _LATIN_TAIL.search(term) or _is_acronym(term.replace("-", "")):
            g = bm.group("g")
            expansion = g.strip() if g.isascii() or _KATAKANA.match(g) else None
    return _row(term, expansion, definition, source, b)


# --- glossary sections -----------------------------------------------------------------------

def section_entries(doc: Document, conf: _Conf) -> list[dict]:
    """Entries of a glossary section (用語集 …): `term:explanation`, `term explanation`, a term
    line then its explanation, or a table of term and explanation."""
    out: list[dict] = []
    inside = False
    pending: tuple[str, str | None, Block] | None = None
    for b in doc.blocks:
        text = (b.text or "").strip()
        if b.kind == "heading" or (b.kind == "paragraph" and conf.section_heading.match(text)):
            if pending:
                pending = None
            inside = bool(conf.section_heading.match(text.replace(" ", "")))
            continue
        if not inside:
            continue
        if b.kind == "table":
            for row in b.rows:
                cells = [c for c in row if c]
                if len(cells) >= 2 and len(cells[0]) <= 30:
                    out.append(_section_row(cells[0], None, " ".join(cells[1:]), b, conf))
            continue
        if b.kind not in ("paragraph", "list_item", "footnote") or not text:
            continue
        if any(r.search(text) for r in conf.section_skip):
            continue
        m = conf.section_entry.match(text)
        short = len(text) <= 30 and not re.search(r"[。、:]", text)
        if pending and not (short and not m):
            term, exp, pb = pending
            out.append(_section_row(term, exp, text, pb, conf))
            pending = None
            continue
        if short:
            tm = re.match(r"^(?:[・●○◆■※*\-]|[0-9]{1,3}[.)]?)?\s*(?P<t>[^()]+?)\s*(?:\((?P<e>[^()]+)\))?$", text)
            if tm:
                pending = (tm.group("t"), tm.group("e"), b)
                continue
        if m:
            out.append(_section_row(m.group("term"), m.group("exp"), m.group("def"), b, conf))
    return out


def _section_row(term: str, exp: str | None, definition: str, b: Block, conf: _Conf) -> dict:
    definition = definition.strip()
    am = conf.abbreviation_of.match(definition)
    if am and not exp:
        exp, definition = am.group("exp").strip(), am.group("rest").strip()
    elif exp:
        e, d = _split_gloss(exp)
        exp = e or exp
    return _row(term, exp, conf.clean_definition(definition) or None, "note", b)


# --- merge -----------------------------------------------------------------------------------

def extract(doc: Document, out: Tables, rules: Rules) -> None:
    conf: _Conf = rules.memo("glossary_conf", _Conf)
    rows: dict[str, dict] = {}
    entries = footnote_entries(doc, conf) + section_entries(doc, conf) + note_entries(doc, conf) \
        + inline_entries(doc, conf)
    for e in entries:
        key = e["term"]
        if not key or conf.label_term.search(key) or (e["source"] == "inline" and conf.term_rejected(key)):
            continue
        first = rows.get(key)
        if first is None or (first.get("weak") and not e.get("weak") and first["source"] == e["source"]):
            rows[key] = e
            continue
        # same term twice: the footnote's (or note's) definition is kept; the other fills what is missing
        if _SOURCE_RANK[e["source"]] < _SOURCE_RANK[first["source"]]:
            first, e = e, first
            rows[key] = first
        for col in ("expansion", "definition"):
            if not first.get(col) and e.get(col):
                first[col] = e[col]
    for e in rows.values():
        e.pop("weak", None)
        out.glossary.append({"doc_id": doc.doc_id, **e})
