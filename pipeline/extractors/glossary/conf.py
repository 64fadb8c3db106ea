"""The glossary rules (rules/glossary.toml), compiled once per run."""
from __future__ import annotations

from ...rules import Rules


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
