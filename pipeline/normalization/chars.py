"""Character-level normalization of Japanese plan text (SCHEMA.md "Normalization").

`normalize_text` is what every text column goes through and what
`python -m pipeline normalize` applies line by line. Order (notes/normalization.md):
radicals -> pre-NFKC replacements -> drop zero-width / variation selectors ->
NFKC outside the protected circled numbers -> variant kanji -> spacing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..memo import TextMemo
from ..rules import Rules, load_rules
from ..ja.tokens import space_inside_word

# Japanese characters for the spacing rules: kanji, kana, the iteration marks, ー.
JA = r"\u3005\u3006\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\u4e00-\u9fff\uf900-\ufaff"
_JA_CHAR = re.compile(f"[{JA}]")
_WS = re.compile(r"\s")


def _ranges(spec: list[list[str]]) -> list[tuple[int, int]]:
    return [(int(lo, 16), int(hi, 16)) for lo, hi in spec]


@dataclass(frozen=True)
class Normalizer:
    """A compiled normalizer for one rule set. A pure function of the text, memoized: a document's
    running headers, table headings and labels come back thousands of times (22,000 calls for
    7,200 distinct texts on the real PDFs), and each line is normalized again in its paragraph."""

    table: dict[int, str]
    keep: re.Pattern[str]
    letter_spaced: re.Pattern[str]
    digits_between: re.Pattern[str]
    number_unit_left: re.Pattern[str]
    number_unit_right: re.Pattern[str]
    variants: dict[int, str]
    ja_space: re.Pattern[str]
    join_inside_words: bool
    bound_after: tuple[str, ...]
    bound_before: tuple[str, ...]
    memo: TextMemo[str] = field(default_factory=TextMemo, compare=False, repr=False)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        return self.memo(text, self._normalize)

    def _normalize(self, text: str) -> str:
        s = text.translate(self.table)
        # NFKC everywhere except the protected characters (circled numbers are labels).
        # split() with a capturing group alternates text and protected characters
        parts = self.keep.split(s)
        s = "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))
        s = s.translate(self.variants)
        return self._spacing(s)

    def _spacing(self, s: str) -> str:
        if " " not in s:
            return s
        s = self.letter_spaced.sub(lambda m: m.group(0).replace(" ", ""), s)
        s = self.digits_between.sub(r"\1\2\3", s)
        s = self.number_unit_left.sub(r"\1\2", s)
        s = self.number_unit_right.sub(r"\1\2", s)
        if self.join_inside_words:
            s = self._join_split_words(s)
        return s

    def _join_split_words(self, s: str) -> str:
        """Drop each space between two Japanese characters that Sudachi finds inside a word
        (see `space_inside_word`); separators (two cells, two items, label and title) stay."""
        if not self.ja_space.search(s):
            return s
        out: list[str] = []
        pos = 0
        for m in self.ja_space.finditer(s):
            left_text = "".join(out) + s[pos:m.start()]
            left = _WS.split(left_text)[-1]
            right = _WS.split(s[m.end():], 1)[0]
            out.append(s[pos:m.start()])
            if not space_inside_word(left, right, bound_after=self.bound_after, bound_before=self.bound_before):
                out.append(m.group(0))
            pos = m.end()
        out.append(s[pos:])
        return "".join(out)


def _build(rules: Rules) -> Normalizer:
    conf = rules.get("normalization")
    table: dict[int, str] = {ord(k): v for k, v in rules.radicals.items()}
    for k, v in conf.get("pre_nfkc", {}).items():
        table[ord(k)] = v
    for lo, hi in _ranges(conf.get("drop", {}).get("ranges", [])):
        for cp in range(lo, hi + 1):
            table[cp] = ""
    keep_cls = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _ranges(conf.get("keep", {}).get("ranges", [])))
    keep = re.compile(f"([{keep_cls}])" if keep_cls else r"(?!x)x")
    variants = {ord(k): v for k, v in conf.get("variants", {}).items()}
    sp = conf.get("spacing", {})
    n = max(2, int(sp.get("letter_spaced_min_run", 3)))
    single = f"[{JA}0-9・]"
    letter_spaced = re.compile(f"(?<![^\\s]){single}(?: {single}){{{n - 1},}}(?![^\\s])")
    digits_between = re.compile(f"([{JA}]) +([0-9]+(?:[.,][0-9]+)?) +([{JA}])")
    units = "|".join(re.escape(u) for u in sorted(sp.get("number_units", []), key=len, reverse=True))
    number_unit_left = re.compile(f"([{JA}]) +([0-9]+(?:{units}))") if units else re.compile(r"(?!x)x")
    number_unit_right = re.compile(f"([0-9]) +({units})") if units else re.compile(r"(?!x)x")
    # a run of spaces with a Japanese character on each side: inside a word or a separator (Sudachi)
    ja_space = re.compile(f"(?<=[{JA}]) +(?=[{JA}])")
    join = bool(sp.get("join_split_words", True))
    return Normalizer(table, keep, letter_spaced, digits_between, number_unit_left, number_unit_right, variants,
                      ja_space, join, tuple(sp.get("bound_after_pos", ["接頭辞"])),
                      tuple(sp.get("bound_before_pos", ["助詞", "助動詞", "接尾辞"])))


def normalizer(rules: Rules | None = None) -> Normalizer:
    return (rules or load_rules()).memo("normalizer", _build)


def normalize_text(text: str, rules: Rules | None = None) -> str:
    """Normalize one string (no line joining)."""
    return normalizer(rules)(text)


@lru_cache(maxsize=4)
def _corrupt_re(scripts: tuple[str, ...]) -> re.Pattern[str]:
    """One run of letters of the given scripts (Cyrillic, Greek, Hangul …)."""
    chars = []
    for cp in range(0x80, 0x3000):
        ch = chr(cp)
        name = unicodedata.name(ch, "")
        if ch.isalpha() and any(name.startswith(s + " ") for s in scripts):
            chars.append(re.escape(ch))
    cls = "".join(chars) + ("\uac00-\ud7a3" if "HANGUL" in scripts else "")
    return re.compile(f"[{cls}]+")


def find_corrupt(text: str, rules: Rules | None = None) -> list[str]:
    """Runs where letters of a foreign script sit inside a Japanese word (デジタルデバйд).

    Linear in the text: each foreign run is widened over the Japanese word around it, never
    back past the previous finding (a regex anchored on the Japanese side was quadratic on a
    long unbroken run of Japanese)."""
    rules = rules or load_rules()
    scripts = tuple(rules.get("normalization").get("corrupt", {}).get("scripts", []))
    if not scripts or text.isascii():
        return []
    foreign = _corrupt_re(scripts)
    out: list[str] = []
    done = 0
    for m in foreign.finditer(text):
        s, e = m.start(), m.end()
        if s < done:
            continue  # inside the previous finding
        before = s > done and is_japanese(text[s - 1])
        after = e < len(text) and is_japanese(text[e])
        if not (before or after):
            continue
        a = s
        while a > done and is_japanese(text[a - 1]):
            a -= 1
        b = e
        while b < len(text) and (is_japanese(text[b]) or (before and foreign.match(text, b))):
            b += 1
        out.append(text[a:b])
        done = b
    return out


def rare_radicals(text: str, rules: Rules | None = None) -> list[str]:
    """Radicals with no JIS X 0208 form: mapped by their Unicode equivalent, worth a finding."""
    rules = rules or load_rules()
    return sorted({ch for ch in text if ch in rules.rare_radicals})


def is_japanese(ch: str) -> bool:
    return bool(_JA_CHAR.match(ch))
