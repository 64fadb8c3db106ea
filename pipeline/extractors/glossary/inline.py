"""Inline definitions: brackets where one side defines or spells out the other — 略語(正式名),
正式名(略語), 日本語(カタカナ語), `X(Y)` with Y explaining X — and reading lines
(※ABC(エービーシー):…). Sudachi finds where the term starts (the compound noun before the
bracket)."""
from __future__ import annotations

import re

from ...model import Block, Document
from ...ja.tokens import tokenize
from .common import (_JA, _KATAKANA, _LATIN_TAIL, _compound_before, _is_acronym, _row, _spelled_out,
                     _split_gloss, _streams, _termlike)
from .conf import _Conf

_BRACKET = re.compile(r"\(([^()]{1,120})\)")


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
