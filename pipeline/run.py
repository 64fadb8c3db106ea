"""Run the stages over documents: one document -> its rows, a folder -> all tables.

A document that cannot be read, or that fails in a stage, becomes rows in
issues.parquet; every other document is still written.
"""
from __future__ import annotations

import hashlib
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import extract_glossary, extract_initiatives, extract_kpis
from .docinfo import describe
from .ingest_pdf import PdfError, ingest_pdf
from .ingest_text import ingest_text
from .model import TABLE_NAMES, Document, Tables
from .normalize import normalize_text
from .reflow import normalize_document
from .rules import Rules, load_rules
from .segment import segment_document

DEFAULT_SUFFIXES = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md"}


def discover(raw: Path) -> list[Path]:
    """Every .pdf, .txt and .md file below `raw`, in a stable order (hidden files skipped)."""
    files = [p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in DEFAULT_SUFFIXES
             and not any(part.startswith(".") for part in p.relative_to(raw).parts)]
    return sorted(files, key=lambda p: p.relative_to(raw).as_posix())


def doc_id_of(path: Path, raw: Path) -> str:
    rel = path.relative_to(raw).as_posix()
    return rel.rsplit(".", 1)[0]


def source_path_of(path: Path, raw: Path) -> str:
    """The path as the user would write it: relative to the working directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return (Path(raw.name) / path.relative_to(raw)).as_posix()


def build_document(path: Path, raw: Path, rules: Rules) -> Document:
    """ingest -> normalize -> segment for one file."""
    data = path.read_bytes()
    fmt = DEFAULT_SUFFIXES[path.suffix.lower()]
    doc = Document(doc_id_of(path, raw), source_path_of(path, raw), fmt, hashlib.sha256(data).hexdigest())
    if fmt == "pdf":
        if not data.strip():
            doc.readable = False
            doc.find("ingest", "empty file: nothing to extract", severity="error")
            return doc
        try:
            ingest_pdf(doc, str(path))
        except PdfError as exc:
            doc.readable = False
            doc.find("ingest", str(exc), severity="error")
            return doc
    else:
        ingest_text(doc, data)
        if not doc.readable:
            return doc
    normalize_document(doc, rules)
    segment_document(doc, rules)
    describe(doc, rules, normalize_text(doc.running_header, rules))
    return doc


def document_rows(doc: Document, rules: Rules) -> Tables:
    """Every output row of one document (extractors run here)."""
    t = Tables()
    if doc.readable:
        for stage, mod in (("initiatives", extract_initiatives), ("kpis", extract_kpis), ("glossary", extract_glossary)):
            try:
                mod.extract(doc, t, rules)
            except Exception as exc:  # one extractor's bug must not lose the document
                doc.find(stage, f"internal error in the {stage} extractor: {type(exc).__name__}: {exc}",
                         severity="error", snippet=traceback.format_exc(limit=-3))
    t.documents.append({
        "doc_id": doc.doc_id, "municipality": doc.municipality or None, "title": doc.title or None,
        "period_start_fy": doc.period_start_fy, "period_end_fy": doc.period_end_fy,
        "source_path": doc.source_path, "source_sha256": doc.source_sha256, "source_format": doc.source_format,
        "pages": doc.pages, "sections": len(doc.sections), "readable": doc.readable,
    })
    for s in doc.sections:
        t.sections.append({"doc_id": doc.doc_id, "section_id": s.section_id, "parent_id": s.parent_id,
                           "level": s.level, "label": s.label, "title": s.title, "page": s.page,
                           "text": s.text, "style": s.style, "inferred": s.inferred})
    for f in doc.findings:
        t.issues.append({"doc_id": f.doc_id, "stage": f.stage, "severity": f.severity, "message": f.message,
                         "page": f.page, "snippet": f.snippet})
    return t


def process_file(path: Path, raw: Path, rules: Rules | None = None) -> Tables:
    rules = rules or load_rules()
    try:
        doc = build_document(path, raw, rules)
    except Exception as exc:
        data = path.read_bytes() if path.exists() else b""
        doc = Document(doc_id_of(path, raw), source_path_of(path, raw), DEFAULT_SUFFIXES[path.suffix.lower()],
                       hashlib.sha256(data).hexdigest(), readable=False)
        doc.find("run", f"internal error while reading: {type(exc).__name__}: {exc}", severity="error",
                 snippet=traceback.format_exc(limit=-3))
    return document_rows(doc, rules)


@dataclass
class RunResult:
    tables: Tables
    documents: int = 0
    unreadable: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def run_folder(raw: Path, progress=None) -> RunResult:
    rules = load_rules()
    start = time.perf_counter()
    tables = Tables()
    files = discover(raw)
    result = RunResult(tables)
    for i, path in enumerate(files):
        t = process_file(path, raw, rules)
        tables.extend(t)
        doc = t.documents[0]
        if not doc["readable"]:
            result.unreadable.append(doc["doc_id"])
        result.pages += doc["pages"] or 0
        if progress:
            progress(i + 1, len(files), doc)
    result.documents = len(files)
    result.seconds = time.perf_counter() - start
    result.counts = {name: len(getattr(tables, name)) for name in TABLE_NAMES}
    return result
