"""The typed document model that flows through the stages.

ingest fills `raw` fields; normalize fills `text` and merges wrapped lines;
segment marks headings and builds the section tree; extract reads blocks and
sections and returns rows. Every row keeps doc_id, page and raw source text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["line", "paragraph", "heading", "list_item", "table", "footnote", "figure"]  # figure: chart text
Cell = str | None  # None = covered by a merged cell (PDF) or an empty spanned position


@dataclass
class Block:
    """One unit of the document: a line or paragraph of text, a table, a footnote."""

    kind: BlockKind
    raw: str = ""
    text: str = ""
    page: int | None = None
    # layout hints (PDF): font size, heading font, left edge and whether the line fills the width
    size: float | None = None
    bold: bool = False
    x0: float | None = None
    full: bool = False
    # tables: rows of cells, raw and normalized
    rows_raw: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    # footnotes: the number; body blocks: the footnote numbers they cite
    number: int | None = None
    refs: list[int] = field(default_factory=list)
    # headings (set by segment)
    label: str = ""
    title: str = ""
    level: int = 0
    style: str = ""
    section_id: str | None = None
    # markdown heading (#) seen in the source, or a definite heading from the layout
    hard_heading: int = 0


@dataclass
class Section:
    section_id: str
    parent_id: str | None
    level: int
    label: str
    title: str
    page: int | None
    style: str
    text_parts: list[str] = field(default_factory=list)
    inferred: bool = False
    number: int | None = None  # the label's ordinal (第3章 -> 3, (2) -> 2, ① -> 1)

    @property
    def text(self) -> str:
        return "\n".join(t for t in self.text_parts if t)


@dataclass(frozen=True)
class Label:
    """An enumerator read at the start of a text: its style, as written, its ordinal."""

    style: str
    text: str
    number: int | None
    kind: str | None      # the item kind the label names by itself (施策3 -> 施策, 第2項 -> 項)
    end: int              # where the label ends in the text
    structural: bool = False  # 第N章 / 節 / 部: document structure, never an item

    @property
    def key(self) -> str:
        """Styles that are one level in a document: kind labels of different words are apart."""
        return f"{self.style}:{self.kind}" if self.style == "kind_label" else self.style


@dataclass
class Entry:
    """A candidate outline node: a line (or a contents entry) with its label and title."""

    label: Label | None
    title: str
    line: int                    # index into Document.lines
    page: int | None
    contents: bool = False       # a contents entry (leader, page number, packed contents line)
    page_ref: str | None = None  # the page a contents entry points to
    raw: str = ""
    packed: bool = False         # one of many entries of a contents printed on one line
    cut: bool = False            # the text ends inside this entry (a file cut mid-line)


@dataclass
class OutlineNode:
    """A node of the document's outline; `evidence` says what made it an item, if anything."""

    entry: Entry
    parent: "OutlineNode | None" = None
    children: list["OutlineNode"] = field(default_factory=list)
    level: int = 1

    @property
    def label(self) -> Label | None:
        return self.entry.label

    @property
    def title(self) -> str:
        return self.entry.title


@dataclass
class Outline:
    """The document's outline: the body's tree and the contents' tree, kept apart."""

    body: list[OutlineNode] = field(default_factory=list)
    contents: list[OutlineNode] = field(default_factory=list)


@dataclass
class Line:
    """A line as ingest read it, before paragraphs are joined: what the outline parses."""

    raw: str
    page: int | None = None
    size: float | None = None
    bold: bool = False
    x0: float | None = None


@dataclass
class Finding:
    doc_id: str
    stage: str
    severity: Literal["warning", "error"]
    message: str
    page: int | None = None
    snippet: str = ""


@dataclass
class Document:
    doc_id: str
    source_path: str
    source_format: str
    source_sha256: str
    pages: int | None = None
    title: str = ""
    municipality: str = ""
    period_start_fy: int | None = None
    period_end_fy: int | None = None
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    ends_mid_line: bool = False  # a text file whose last line has no line break: its end may be cut
    outline: Outline = field(default_factory=Outline)
    readable: bool = True
    running_header: str = ""
    # document facts' evidence (segment/docinfo.py): where each fact was read, and the code
    municipality_code: str = ""
    title_source: str = ""
    municipality_source: str = ""
    period_source: str = ""
    # PDF: the file's metadata (Title, Author …) and the cover page's lines (text, size, top)
    meta: dict[str, str] = field(default_factory=dict)
    cover_lines: list[tuple[str, float, float]] = field(default_factory=list)

    def keep_lines(self) -> None:
        """Keep the ingested lines (before normalize joins them into paragraphs) for the outline."""
        self.lines = [Line(b.raw, b.page, b.size, b.bold, b.x0) for b in self.blocks if b.kind in ("line", "list_item")]

    def find(self, stage: str, message: str, *, page: int | None = None, snippet: str = "",
             severity: Literal["warning", "error"] = "warning") -> None:
        """Record a finding for issues.parquet."""
        self.findings.append(Finding(self.doc_id, stage, severity, message, page, snippet[:200]))


@dataclass
class Tables:
    """Rows for the output tables, as lists of dicts keyed by column name."""

    documents: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    initiatives: list[dict] = field(default_factory=list)
    kpis: list[dict] = field(default_factory=list)
    kpi_values: list[dict] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)

    def extend(self, other: "Tables") -> None:
        for name in TABLE_NAMES:
            getattr(self, name).extend(getattr(other, name))


TABLE_NAMES = ("documents", "sections", "initiatives", "kpis", "kpi_values", "glossary", "issues")
