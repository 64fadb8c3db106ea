"""Document-level facts: title, municipality and plan period (rules/documents.toml)."""
from __future__ import annotations

import re
from collections import Counter

from ..ja.fiscal import find_years
from ..model import Document
from ..rules import Rules, load_rules


def _texts(doc: Document, limit: int | None = None) -> list[str]:
    out = [b.text for b in doc.blocks if b.kind in ("heading", "paragraph", "list_item") and b.text]
    return out[:limit] if limit else out


def find_title(doc: Document, rules: Rules, running_header: str = "") -> str:
    conf = rules.get("documents").get("title", {})
    words = conf.get("plan_words", [])
    limit = int(conf.get("max_chars", 60))
    if running_header:
        return running_header
    head = _texts(doc)
    ends = tuple(w for w in words)

    def core(t: str) -> str:  # the title without a trailing bracketed subtitle or edition
        return re.sub(r"\s*([「(\[【].*|\S*版)$", "", t).strip()

    standalone = [b.text for b in doc.blocks if b.kind in ("heading", "paragraph") and b.text and not b.label]
    name = rules.regex(rules.get("documents")["municipality"]["pattern"])
    for need_name in (True, False):
        for t in standalone:
            if need_name and not name.match(t):
                continue
            if len(t) <= limit and core(t).endswith(ends) and not t.endswith("。") and t[0] not in "・●○■□◆※-*(":
                return t
    return head[0] if head else ""


def find_municipality(doc: Document, rules: Rules) -> str:
    conf = rules.get("documents").get("municipality", {})
    rx = rules.regex(conf["pattern"])
    bad = set(conf.get("not_names", []))
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, t in enumerate([doc.title] + _texts(doc)):
        for m in rx.finditer(t):
            name = m.group(0)
            if name in bad or any(name.endswith(b) for b in bad if len(b) > 1 and b[0] in "本各当全同他"):
                continue
            counts[name] += 3 if i == 0 else 1
            first.setdefault(name, i)
    if not counts:
        return ""
    return max(counts, key=lambda n: (counts[n], -first[n]))


def find_period(doc: Document, rules: Rules) -> tuple[int | None, int | None]:
    conf = rules.get("documents").get("period", {})
    cues = conf.get("cue_words", [])
    joiners = "|".join(re.escape(j) for j in conf.get("joiners", []))
    texts = _texts(doc)
    for pass_cues in (True, False):
        for t in texts:
            if pass_cues and not any(c in t for c in cues):
                continue
            ys = find_years(t, rules)
            for a, b in zip(ys, ys[1:]):
                between = t[a.end:b.start].strip()
                if re.fullmatch(f"(?:{joiners})\\s*", between) and a.fiscal_year <= b.fiscal_year:
                    return a.fiscal_year, b.fiscal_year
    return None, None


def describe(doc: Document, rules: Rules | None = None, running_header: str = "") -> Document:
    rules = rules or load_rules()
    doc.title = find_title(doc, rules, running_header)
    doc.municipality = find_municipality(doc, rules)
    doc.period_start_fy, doc.period_end_fy = find_period(doc, rules)
    return doc
