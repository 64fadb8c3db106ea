"""Page layout repairs for PDFs as municipalities publish them: text as a person reads it.

- stacked vertical text (one character per line: 収/益/的/収/入 in a row header, a chart's
  vertical axis title) joined into the label it spells;
- letter-spaced short labels (総　　収　　益, 給　水) joined;
- furigana (small kana printed between two lines of a paragraph) taken out of the reading
  text and returned apart, with the line it annotates;
- chart and figure text: short lines inside a drawing of many shapes, kept apart from the body.
All thresholds are in units of the font size, so they hold for any page size.
"""
from __future__ import annotations

import re
from operator import itemgetter
from typing import Any

# stacked text: a char with no neighbour on its own line closer than this (× size) …
DEFAULT_STACK_SIDE_GAP = 1.0
# … whose next char down starts within this (× size) below it, centred within this (× size).
DEFAULT_STACK_STEP_GAP = 0.6
DEFAULT_STACK_ALIGN = 0.35
# letter-spaced label: from this many to this many characters (a two-character label keeps its
# space: the heading detector reads it as a cue, and normalization joins it), gaps at least
# this (× size), and the widest gap at most this many times the narrowest (evenly spread).
DEFAULT_SPACED_MIN_CHARS = 3
DEFAULT_SPACED_MAX_CHARS = 12
DEFAULT_SPACED_MIN_GAP = 0.5
DEFAULT_SPACED_EVENNESS = 1.6
# furigana: a kana-only line at most this share of the size of the line it annotates …
DEFAULT_RUBY_SIZE_RATIO = 0.6
# … within this distance (× the base line's size) above or below it.
DEFAULT_RUBY_DISTANCE = 0.6
# figure: a cluster of at least this many drawn shapes (rects, curves, lines outside tables) …
DEFAULT_FIGURE_MIN_SHAPES = 12
# … covering at least this share of the page; shapes this close (pt) belong to one cluster.
DEFAULT_FIGURE_MIN_AREA = 0.03
DEFAULT_FIGURE_JOIN = 6.0
# axis labels sit just outside the drawn area: a region reaches this far (× the line's size)
DEFAULT_FIGURE_MARGIN = 0.5
# a line inside a figure is figure text when it has at most this many characters.
DEFAULT_FIGURE_LINE_CHARS = 30

# garbled run: two texts drawn into each other. Characters doubled pairwise (・・開開始始) …
_DOUBLED = re.compile(r"([\u3040-\u30ff\u3400-\u9fff・])\1(?!\1)([\u3040-\u30ff\u3400-\u9fff・])\2")
# … or at least this many characters of a line standing over each other: the next char (left
# to right) starts inside the previous one's width, at another height (て ユ い ー け ザ).
DEFAULT_INTERLEAVE_MIN = 3
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3005\u30fc\uff10-\uff19\uff21-\uff5a]")
_KANA = re.compile(r"^[\u3040-\u309f\u30a0-\u30ff\u30fc\s]+$")


def _size(c: dict) -> float:
    return float(c.get("size") or (c["bottom"] - c["top"]) or 1.0)


_X0 = itemgetter("x0")


def _segments(line: dict) -> list[list[dict]]:
    """A line's chars cut where the gap to the next char is wider than DEFAULT_STACK_SIDE_GAP."""
    chars = [c for c in line.get("chars", []) if not c["text"].isspace()]
    chars.sort(key=_X0)
    segs: list[list[dict]] = []
    seg: list[dict] = []
    last_x1 = 0.0
    for c in chars:
        # _size(c), inline: a call per char of every line
        if seg and c["x0"] - last_x1 <= DEFAULT_STACK_SIDE_GAP * (c.get("size") or (c["bottom"] - c["top"]) or 1.0):
            seg.append(c)
        else:
            seg = [c]
            segs.append(seg)
        last_x1 = c["x1"]
    return segs


def vertical_stacks(lines: list[dict]) -> list[list[dict]]:
    """Chains of chars set one per line, top to bottom, that no char stands beside."""
    lonely = [seg[0] for ln in lines for seg in _segments(ln) if len(seg) == 1]
    if len(lonely) < 2:
        return []
    lonely.sort(key=lambda c: (c["top"], c["x0"]))
    used: set[int] = set()
    stacks = []
    for i, c in enumerate(lonely):
        if i in used:
            continue
        chain = [c]
        used.add(i)
        cur = c
        while True:
            s = _size(cur)
            cx = (cur["x0"] + cur["x1"]) / 2
            nxt = None
            for j in range(i + 1, len(lonely)):
                d = lonely[j]
                if d["top"] - cur["bottom"] > DEFAULT_STACK_STEP_GAP * s:
                    break
                if j in used:
                    continue
                if d["top"] - cur["bottom"] >= -0.3 * s and abs((d["x0"] + d["x1"]) / 2 - cx) <= DEFAULT_STACK_ALIGN * s \
                        and abs(_size(d) - s) <= 0.25 * s:
                    nxt = j
                    break
            if nxt is None:
                break
            used.add(nxt)
            cur = lonely[nxt]
            chain.append(cur)
        if len(chain) >= 2 and any(_CJK.match(ch["text"]) for ch in chain):
            stacks.append(chain)
    return stacks


def restack(lines: list[dict]) -> tuple[list[dict], int]:
    """Lines with stacked vertical text joined into lines of their own: (lines, stacks joined)."""
    stacks = vertical_stacks(lines)
    if not stacks:
        return lines, 0
    taken = {id(c) for chain in stacks for c in chain}
    out = []
    for ln in lines:
        if not any(id(c) in taken for c in ln.get("chars", [])):
            out.append(ln)
            continue
        rest = [seg for seg in _segments(ln) if not (len(seg) == 1 and id(seg[0]) in taken)]
        if not rest:
            continue
        chars = [c for seg in rest for c in seg]
        out.append(dict(ln, text=" ".join("".join(c["text"] for c in seg) for seg in rest), chars=chars,
                        x0=min(c["x0"] for c in chars), x1=max(c["x1"] for c in chars)))
    out += [stack_line(chain) for chain in stacks]
    out.sort(key=lambda ln: (round(ln["top"]), ln["x0"]))
    return out, len(stacks)


def stack_line(chain: list[dict]) -> dict:
    """An extract_text_lines-style line for a stack of chars."""
    return {"text": "".join(c["text"] for c in chain), "top": min(c["top"] for c in chain),
            "bottom": max(c["bottom"] for c in chain), "x0": min(c["x0"] for c in chain),
            "x1": max(c["x1"] for c in chain), "chars": chain, "stacked": True}


def join_letter_spaced(line: dict) -> dict:
    """A short line of single characters spread evenly (総　　収　　益) loses its spaces."""
    text = line["text"]
    chars = [c for c in line.get("chars", []) if not c["text"].isspace()]
    if " " not in text and "\u3000" not in text:
        return line
    tokens = text.split()
    if not (DEFAULT_SPACED_MIN_CHARS <= len(tokens) <= DEFAULT_SPACED_MAX_CHARS) or any(len(t) != 1 for t in tokens):
        return line
    if len(chars) != len(tokens) or not all(_CJK.match(t) for t in tokens):
        return line
    gaps = [b["x0"] - a["x1"] for a, b in zip(chars, chars[1:])]
    size = max(_size(c) for c in chars)
    if min(gaps) < DEFAULT_SPACED_MIN_GAP * size or max(gaps) > DEFAULT_SPACED_EVENNESS * max(min(gaps), 0.1):
        return line
    return dict(line, text="".join(tokens))


def garbled(line: dict) -> str:
    """The run of a line that reads as two texts drawn into each other, or ''."""
    text = line.get("text", "")
    if line.get("stacked"):
        return ""
    m = _DOUBLED.search(text)
    if m:
        return text[max(0, m.start() - 10):m.end() + 10]
    chars, hits = _overdrawn(line)
    if len(hits) < DEFAULT_INTERLEAVE_MIN:
        return ""
    lo, hi = hits[0], hits[-1] + 2
    return "".join(c["text"] for c in chars[max(0, lo - 2):hi + 2])


def _overdrawn(line: dict) -> tuple[list[dict], list[int]]:
    """A line's non-space chars left to right, and each i where char i+1 starts inside char i's
    width at another height (two texts drawn into each other); ([], []) when all its chars stand
    at one height (their tops within 0.3 × the smallest size: no char can stand over another)."""
    chars = [c for c in line.get("chars", []) if not c["text"].isspace()]
    if len(chars) < 2:
        return chars, []
    tops = [c["top"] for c in chars]
    sizes = [c.get("size") for c in chars]
    least = min(sizes) if all(sizes) else min(_size(c) for c in chars)  # type: ignore[type-var]
    if max(tops) - min(tops) <= 0.3 * least:
        return [], []
    chars.sort(key=_X0)
    hits = []
    for i in range(len(chars) - 1):
        a, b = chars[i], chars[i + 1]
        s = 0.3 * _size(a)
        if b["x0"] < a["x1"] - s and abs(b["top"] - a["top"]) > s:
            hits.append(i)
    return chars, hits


def _interleaved(line: dict) -> bool:
    return not line.get("stacked") and len(_overdrawn(line)[1]) >= DEFAULT_INTERLEAVE_MIN


def _line_of(chars: list[dict]) -> dict:
    chars = sorted(chars, key=lambda c: c["x0"])
    text = chars[0]["text"]
    for a, b in zip(chars, chars[1:]):
        if b["x0"] - a["x1"] > 0.5 * _size(b):
            text += " "
        text += b["text"]
    return {"text": text, "top": min(c["top"] for c in chars), "bottom": max(c["bottom"] for c in chars),
            "x0": chars[0]["x0"], "x1": max(c["x1"] for c in chars), "chars": chars}


def unweave(lines: list[dict]) -> tuple[list[dict], list[str]]:
    """Lines whose characters stand over each other at two heights (a diagram's labels, text wrapped
    beside a table, read as one line) split into one line per height: (lines, garbled runs found)."""
    out: list[dict] = []
    runs: list[str] = []
    for ln in lines:
        if not _interleaved(ln):
            out.append(ln)
            continue
        runs.append(garbled(ln))
        groups: list[list[dict]] = []
        for c in sorted((c for c in ln["chars"] if not c["text"].isspace()), key=lambda c: c["top"]):
            if groups and abs(c["top"] - groups[-1][0]["top"]) <= 0.3 * _size(c):
                groups[-1].append(c)
            else:
                groups.append([c])
        out += [_line_of(g) for g in groups]
    return out, runs


# Private Use Area code points: symbol fonts (Wingdings, a Word bullet) put their glyphs there
_PUA = re.compile("[\ue000-\uf8ff]")
DEFAULT_BULLET = "・"


def map_pua_bullets(line: dict) -> tuple[dict, int]:
    """A Private Use Area glyph that opens a line (a symbol font's bullet) becomes a bullet:
    (line, glyphs mapped). Others stay as they are (normalization reports what it cannot read)."""
    text = line.get("text", "")
    stripped = text.lstrip()
    if not stripped or not _PUA.match(stripped[0]):
        return line, 0
    i = len(text) - len(stripped)
    chars = list(line.get("chars", []))
    for k, c in enumerate(chars):
        if not c["text"].isspace():
            if _PUA.match(c["text"]):
                chars[k] = dict(c, text=DEFAULT_BULLET)
            break
    return dict(line, text=text[:i] + DEFAULT_BULLET + text[i + 1:], chars=chars), 1


def split_ruby(lines: list[Any]) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Furigana lines (small kana between the lines of a paragraph) apart from the reading text:
    (kept lines, [(ruby line, the line it annotates)]). Lines need .text .top .bottom .x0 .x1 .size."""
    ruby: list[tuple[Any, Any]] = []
    kept: list[Any] = []
    for i, ln in enumerate(lines):
        base = None
        if _KANA.match(ln.text or "x") and ln.size:
            for other in lines:
                if other is ln or not other.size or ln.size > DEFAULT_RUBY_SIZE_RATIO * other.size:
                    continue
                near = min(abs(other.top - ln.bottom), abs(ln.top - other.bottom))
                overlap_v = ln.top < other.bottom and other.top < ln.bottom
                inside = ln.x0 >= other.x0 - other.size and ln.x1 <= other.x1 + other.size
                if inside and (overlap_v or near <= DEFAULT_RUBY_DISTANCE * other.size):
                    base = other
                    break
        if base is not None:
            ruby.append((ln, base))
        else:
            kept.append(ln)
    return kept, ruby


def figure_regions(page: Any, table_boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Bounding boxes of drawings made of many shapes (charts, diagrams), tables left out."""
    def in_table(o: dict) -> bool:
        return any(b[0] - 1 <= o["x0"] and o["x1"] <= b[2] + 1 and b[1] - 1 <= o["top"] and o["bottom"] <= b[3] + 1
                   for b in table_boxes)

    shapes = [o for o in list(page.rects) + list(page.curves) + list(page.lines) if not in_table(o)]
    if len(shapes) < DEFAULT_FIGURE_MIN_SHAPES:
        return []
    W, H = float(page.width), float(page.height)
    # a shape spanning most of the page (a frame, a background) says nothing about a figure
    shapes = [o for o in shapes if (o["x1"] - o["x0"]) * (o["bottom"] - o["top"]) < 0.5 * W * H]
    boxes: list[list[float]] = []
    counts: list[int] = []
    for o in sorted(shapes, key=lambda o: (o["top"], o["x0"])):
        box = [float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"])]
        merged = False
        for k, b in enumerate(boxes):
            if box[0] <= b[2] + DEFAULT_FIGURE_JOIN and b[0] <= box[2] + DEFAULT_FIGURE_JOIN and \
                    box[1] <= b[3] + DEFAULT_FIGURE_JOIN and b[1] <= box[3] + DEFAULT_FIGURE_JOIN:
                boxes[k] = [min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3])]
                counts[k] += 1
                merged = True
                break
        if not merged:
            boxes.append(box)
            counts.append(1)
    # clusters that grew into each other
    changed = True
    while changed:
        changed = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                A, B = boxes[i], boxes[j]
                if A[0] <= B[2] and B[0] <= A[2] and A[1] <= B[3] and B[1] <= A[3]:
                    boxes[i] = [min(A[0], B[0]), min(A[1], B[1]), max(A[2], B[2]), max(A[3], B[3])]
                    counts[i] += counts[j]
                    del boxes[j], counts[j]
                    changed = True
                    break
            if changed:
                break
    return [tuple(b) for b, n in zip(boxes, counts)  # type: ignore[misc]
            if n >= DEFAULT_FIGURE_MIN_SHAPES and (b[2] - b[0]) * (b[3] - b[1]) >= DEFAULT_FIGURE_MIN_AREA * W * H]


def in_figure(line: Any, regions: list[tuple[float, float, float, float]], body_size: float = 0.0) -> bool:
    """A short line whose box lies inside a figure region; smaller than the body text (an axis
    label), it may also sit just outside the drawn area."""
    if len((line.text or "").strip()) > DEFAULT_FIGURE_LINE_CHARS:
        return False
    cx = (line.x0 + line.x1) / 2
    cy = (line.top + line.bottom) / 2
    m = DEFAULT_FIGURE_MARGIN * (line.size or 0.0) if line.size and line.size < body_size - 0.5 else 0.0
    return any(r[0] - m <= cx <= r[2] + m and line.top <= r[3] + m and line.bottom >= r[1] - m and r[1] - m <= cy
               for r in regions)
