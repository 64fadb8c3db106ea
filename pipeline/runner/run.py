"""Run the stages over documents: one document -> its rows, a folder -> all tables.

A document that cannot be read, or that fails in a stage, becomes rows in
issues.parquet; every other document is still written.
"""
from __future__ import annotations

import hashlib
from glob import escape as glob_escape
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..extractors import EXTRACTORS
from ..segment.docinfo import describe
from ..ingest.pdf import PdfError, assemble_pdf, ingest_pdf, page_count, read_pages
from ..ingest.text import ingest_text
from ..segment.outline import build_outline
from ..model import Line, TABLE_NAMES, Document, Tables
from ..normalization.chars import normalize_text
from ..normalization.reflow import normalize_document
from ..rules import Rules, load_rules, rules_hash
from ..segment.sections import segment_document
from .cache import DEFAULT_CACHE_DIR, Cache, cache_key
from .progress import Progress
from ..emit.parquet import StreamWriter

DEFAULT_SUFFIXES = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md"}
# A PDF longer than this is read in page ranges by several workers.
DEFAULT_SPLIT_PAGES = 24


def discover(raw: Path) -> list[Path]:
    """Every .pdf, .txt and .md file below `raw`, in a stable order (hidden files skipped)."""
    files = [p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in DEFAULT_SUFFIXES
             and not any(part.startswith(".") for part in p.relative_to(raw).parts)]
    return sorted(files, key=lambda p: p.relative_to(raw).as_posix())


def doc_id_of(path: Path, raw: Path) -> str:
    """The path under `raw` without its extension; with it when another readable file of the
    folder has the same name (plan.txt and plan.md are two documents, never one)."""
    rel = path.relative_to(raw).as_posix()
    if _shares_name(path):
        return rel
    return rel.rsplit(".", 1)[0]


def _shares_name(path: Path) -> bool:
    return any(p != path and p.suffix.lower() in DEFAULT_SUFFIXES and p.is_file()
               for p in path.parent.glob(glob_escape(path.stem) + ".*"))


def source_path_of(path: Path, raw: Path) -> str:
    """The path as the user would write it: relative to the working directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return (Path(raw.name) / path.relative_to(raw)).as_posix()


def build_document(path: Path, raw: Path, rules: Rules, pages: PdfPages | None = None) -> Document:
    """ingest -> normalize -> segment for one file (`pages`: a PDF's pages, already read)."""
    data = path.read_bytes()
    fmt = DEFAULT_SUFFIXES[path.suffix.lower()]
    doc = Document(doc_id_of(path, raw), source_path_of(path, raw), fmt, hashlib.sha256(data).hexdigest())
    if _shares_name(path):
        doc.find("run", f"another file in {path.parent.name or '.'}/ is also named {path.stem!r}: "
                        f"doc_id keeps the extension ({doc.doc_id}) so that neither document is lost",
                 snippet=path.name)
    if fmt == "pdf":
        if not data.strip():
            doc.readable = False
            doc.find("ingest", "empty file: nothing to extract", severity="error")
            return doc
        try:
            if pages is None:
                ingest_pdf(doc, str(path), rules)
            else:
                doc.pages = pages.total
                assemble_pdf(doc, pages.pages, pages.failed)
        except PdfError as exc:
            doc.readable = False
            doc.find("ingest", str(exc), severity="error")
            return doc
    else:
        ingest_text(doc, data)
        if not doc.readable:
            return doc
    doc.lines = [Line(b.raw, b.page, b.size, b.bold, b.x0) for b in doc.blocks if b.kind in ("line", "list_item")]
    normalize_document(doc, rules)
    segment_document(doc, rules)
    doc.outline = build_outline(doc, rules)
    describe(doc, rules, normalize_text(doc.running_header, rules))
    return doc


def document_rows(doc: Document, rules: Rules) -> Tables:
    """Every output row of one document (extractors run here)."""
    t = Tables()
    if doc.readable:
        for ex in EXTRACTORS:
            stage = ex.name
            try:
                ex.extract(doc, t, rules)
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
        t.sections.append({"doc_id": doc.doc_id, "section_id": s.section_id, "parent_id": s.parent_id, "number": s.number,
                           "level": s.level, "label": s.label, "title": s.title, "page": s.page,
                           "text": s.text, "style": s.style, "inferred": s.inferred})
    for f in doc.findings:
        t.issues.append({"doc_id": f.doc_id, "stage": f.stage, "severity": f.severity, "message": f.message,
                         "page": f.page, "snippet": f.snippet})
    return t


def process_file(path: Path, raw: Path, rules: Rules | None = None, pages: PdfPages | None = None) -> Tables:
    rules = rules or load_rules()
    try:
        doc = build_document(path, raw, rules, pages)
    except Exception as exc:
        data = path.read_bytes() if path.exists() else b""
        doc = Document(doc_id_of(path, raw), source_path_of(path, raw), DEFAULT_SUFFIXES[path.suffix.lower()],
                       hashlib.sha256(data).hexdigest(), readable=False)
        doc.find("run", f"internal error while reading: {type(exc).__name__}: {exc}", severity="error",
                 snippet=traceback.format_exc(limit=-3))
    return document_rows(doc, rules)


@dataclass
class PdfPages:
    """A PDF's pages read by one or more workers, in page order."""

    total: int
    pages: list = field(default_factory=list)
    failed: list = field(default_factory=list)


@dataclass
class RunResult:
    tables: Tables  # documents and issues rows only when written to --out (the rest is streamed)
    documents: int = 0
    unreadable: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    cached: int = 0
    workers: int = 1
    fingerprint: str = ""  # changes whenever any document's rows may have changed


@dataclass
class _Job:
    path: Path
    doc_id: str
    key: str
    units: int = 1
    ranges: list[tuple[int, int]] = field(default_factory=list)


def _warm() -> None:
    """Load the rules and Sudachi once per worker process."""
    from ..ja.tokens import tokenize

    load_rules()
    tokenize("計画")


def _read_range(path: str, start: int, end: int):
    """A worker reads pages [start, end) of a long PDF with the rules it loaded once."""
    return read_pages(path, load_rules(), start, end)


def _plan(job: _Job, workers: int, split_pages: int) -> None:
    """Cut a long PDF into page ranges so that several workers read it."""
    if job.path.suffix.lower() != ".pdf":
        return
    try:
        total = page_count(str(job.path))
    except PdfError:
        return
    job.units = max(total, 1)
    if workers > 1 and total > split_pages:
        step = max(split_pages // 2, -(-total // workers))
        job.ranges = [(a, min(a + step, total)) for a in range(0, total, step)]


def run_folder(raw: Path, out: Path | None = None, workers: int | None = None, progress: Progress | None = None,
               quiet: bool = False, split_pages: int = DEFAULT_SPLIT_PAGES) -> RunResult:
    """Extract every document under `raw`; unchanged documents come from `<out>/.cache`.

    With `out`, rows are streamed to the Parquet files in doc_id order as documents finish
    (a document that finishes early waits in memory until those before it are written)."""
    rules = load_rules()
    start = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    files = discover(raw)
    rh = rules_hash(rules.root)
    cache = Cache(out / DEFAULT_CACHE_DIR) if out is not None else None
    results: dict[str, Tables] = {}
    order = sorted(doc_id_of(p, raw) for p in files)
    writer = StreamWriter(out) if out is not None else None
    summary_tables = Tables()
    next_index = [0]

    def flush() -> None:
        """Write the finished documents that are next in doc_id order."""
        while next_index[0] < len(order) and order[next_index[0]] in results:
            doc_id = order[next_index[0]]
            t = results[doc_id]
            if writer is not None:
                writer.write(t)
                results[doc_id] = Tables(documents=t.documents, issues=t.issues)  # the rest is on disk
            summary_tables.documents.extend(t.documents)
            summary_tables.issues.extend(t.issues)
            next_index[0] += 1

    jobs: list[_Job] = []
    hits: list[tuple[str, Tables]] = []
    for path in files:
        doc_id = doc_id_of(path, raw)
        key = cache_key(rh, doc_id, source_path_of(path, raw), hashlib.sha256(path.read_bytes()).hexdigest())
        hit = cache.get(key) if cache else None
        if hit is not None:
            results[doc_id] = hit
            hits.append((doc_id, hit))
        else:
            jobs.append(_Job(path, doc_id, key))
    for job in jobs:
        _plan(job, workers, split_pages)
    bar = progress or Progress(len(files), sum(j.units for j in jobs) + len(hits), quiet=quiet)
    for doc_id, hit in hits:
        bar.advance(doc_id, 1, "cached", hit.documents[0]["pages"] if hit.documents else None)

    def done(job: _Job, t: Tables) -> None:
        results[job.doc_id] = t
        if cache is not None:
            cache.put(job.key, t)
        doc = t.documents[0]
        bar.advance(job.doc_id, job.units, "ok" if doc["readable"] else "UNREADABLE", doc["pages"])
        flush()

    flush()
    try:
        if workers == 1 or len(jobs) + sum(len(j.ranges) for j in jobs) <= 1:
            for job in sorted(jobs, key=lambda j: j.doc_id):
                done(job, process_file(job.path, raw, rules))
        else:
            _run_pool(jobs, raw, workers, done)
        flush()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if cache is not None:
        cache.prune()
    keys = sorted(j.key for j in jobs) + sorted(cache.used if cache else [])
    fp = hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()
    if writer is not None:
        counts = writer.close()
        tables = summary_tables
    else:
        tables = Tables()
        for doc_id in order:
            tables.extend(results[doc_id])
        counts = {name: len(getattr(tables, name)) for name in TABLE_NAMES}
    result = RunResult(tables, documents=len(files), cached=len(hits), workers=workers, fingerprint=fp)
    for doc in tables.documents:
        if not doc["readable"]:
            result.unreadable.append(doc["doc_id"])
        result.pages += doc["pages"] or 0
    result.seconds = time.perf_counter() - start
    result.counts = counts
    return result


def _run_pool(jobs: list[_Job], raw: Path, workers: int, done) -> None:
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        pending: dict[Future, tuple[str, _Job, int]] = {}
        parts: dict[str, dict[int, tuple]] = {}
        # long PDFs first: their page ranges spread over the workers
        for job in sorted(jobs, key=lambda j: -j.units):
            if job.ranges:
                parts[job.doc_id] = {}
                for i, (a, b) in enumerate(job.ranges):
                    pending[pool.submit(_read_range, str(job.path), a, b)] = ("pages", job, i)
            else:
                pending[pool.submit(process_file, job.path, raw)] = ("doc", job, 0)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                what, job, i = pending.pop(fut)
                if what == "doc":
                    done(job, fut.result())
                    continue
                try:
                    parts[job.doc_id][i] = fut.result()
                except PdfError:
                    pending[pool.submit(process_file, job.path, raw)] = ("doc", job, 0)
                    parts.pop(job.doc_id, None)
                    continue
                got = parts.get(job.doc_id, {})
                if len(got) == len(job.ranges):
                    merged = PdfPages(got[0][0])
                    for k in range(len(job.ranges)):
                        merged.pages += got[k][1]
                        merged.failed += got[k][2]
                    pending[pool.submit(process_file, job.path, raw, None, merged)] = ("doc", job, 0)
