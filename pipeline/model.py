"""The typed document model that flows through the stages.

ingest fills `raw` fields; normalize fills `text` and merges wrapped lines;
segment marks headings and builds the section tree; extract reads blocks and
sections and returns rows. Every row keeps doc_id, page and raw source text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["line", "paragraph", "heading", "list_item", "table", "footnote"]
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

    @property
    def text(self) -> str:
        return "\n".join(t for t in self.text_parts if t)


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
    readable: bool = True
    running_header: str = ""

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
