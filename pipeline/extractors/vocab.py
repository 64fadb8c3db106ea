"""The initiative vocabulary of rules/initiatives.toml, compiled once."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules import Rules, load_rules


@dataclass(frozen=True)
class Vocab:
    kinds: tuple[str, ...]
    label: re.Pattern[str]
    marks: tuple[str, ...]
    legend: re.Pattern[str]
    fields: dict[str, tuple[str, ...]]
    implies: dict[str, str]
    departments_split: re.Pattern[str]
    conf: dict

    def kind_of_header(self, cell: str | None) -> str | None:
        """目標 -> 目標; 目標達成に向けた施策 -> 施策; 取り組みの方向性 -> None."""
        s = re.sub(r"\s+", "", cell or "")
        if not s or len(s) > 15 or self.field_of(s):
            return None
        for k in self.kinds:
            if s == k or s.endswith(k):
                return k
        return None

    def field_of(self, text: str | None) -> str | None:
        s = re.sub(r"\s+", "", text or "")
        for name, words in self.fields.items():
            if s in words:
                return name
        return None

    def strip_marks(self, title: str) -> tuple[str, str | None]:
        """Title without trailing priority marks, and the mark found."""
        t = title.strip()
        found = None
        changed = True
        while changed:
            changed = False
            for m in self.marks:
                if t.endswith(m):
                    t = t[: -len(m)].rstrip()
                    found = found or m.strip("()")
                    changed = True
        return t, found


def _compile(rules: Rules) -> Vocab:
    conf = rules.get("initiatives")
    # one list of kind words for the whole project: rules/outline.toml [kinds]
    kinds = tuple(sorted(rules.get("outline")["kinds"]["words"], key=len, reverse=True))
    alt = "|".join(re.escape(k) for k in kinds)
    label = re.compile(conf["label_pattern"].format(kinds=alt))
    marks = tuple(sorted(conf.get("priority_marks", []), key=len, reverse=True))
    fields = {k: tuple(v) for k, v in conf.get("fields", {}).items()}
    return Vocab(kinds, label, marks, re.compile(conf["legend_pattern"]), fields, dict(conf.get("implies", {})),
                 re.compile(conf.get("departments_split", {}).get("pattern", "[、,]")), conf)


def vocab(rules: Rules | None = None) -> Vocab:
    return (rules or load_rules()).memo("vocab", _compile)
