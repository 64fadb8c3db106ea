"""Run the stages over documents: one document -> its rows, a folder -> all tables.

A document that cannot be read, or that fails in a stage, becomes rows in
issues.parquet; every other document is still written.
"""
from __future__ import annotations

import hashlib
from collections import deque
from glob import escape as glob_escape
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Protocol
from pathlib import Path

from ..extractors import EXTRACTORS
from ..segment.docinfo import describe
from ..ingest.pdf import DEFAULT_PDF_ENGINE, PdfError, assemble_pdf, ingest_pdf, pdf_engine, read_pages, set_pdf_engine
from ..ingest.text import ingest_text
from ..segment.outline import build_outline
from ..model import TABLE_NAMES, Document, Tables
from ..normalization.chars import normalize_text
from ..normalization.reflow import normalize_document
from ..rules import Rules, load_rules, rules_hash
from ..segment.sections import segment_document
from .cache import DEFAULT_CACHE_DIR, Cache, cache_key
from .guard import INHERITED_FDS, Interrupted, RunError, guard  # noqa: F401  (re-exported)
from .progress import Progress
from ..emit.parquet import StreamWriter

DEFAULT_SUFFIXES = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md"}
# A PDF longer than this is read in page ranges by several workers.
DEFAULT_SPLIT_PAGES = 24


@dataclass
class Skipped:
    """A path under --raw that is not read: its finding goes to issues.parquet and the summary."""

    rel: str
    message: str
    severity: str = "warning"  # "error": a document (or a folder of them) that should have been read

    def issue(self) -> dict:
        """Its row in issues.parquet."""
        return {"doc_id": self.rel, "stage": "scan", "severity": self.severity, "message": self.message,
                "page": None, "snippet": None}


def scan(raw: Path) -> tuple[list[Path], list[Skipped]]:
    """Every .pdf/.txt/.md file below `raw` in a stable order (hidden files and folders skipped;
    symlinked folders followed once), and what was not read with the reason."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()

    def rel_of(p: Path) -> str:
        return p.relative_to(raw).as_posix()

    def walk(folder: Path) -> None:
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                return  # a symlink loop, or a folder linked twice: read once
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(rel_of(folder) + "/", _os_problem(exc, folder, "folder"), "error"))
            return
        for e in entries:
            if e.name.startswith("."):
                continue
            p = Path(e.path)
            try:
                is_dir = e.is_dir()
                is_file = e.is_file()
                is_link = e.is_symlink()
            except OSError as exc:
                skipped.append(Skipped(rel_of(p), _os_problem(exc, p, "file"), "error"))
                continue
            supported = p.suffix.lower() in DEFAULT_SUFFIXES
            if is_dir and is_link:
                linked.append(p)  # after every real folder: a file is named by its real place first
            elif is_dir:
                walk(p)
            elif is_link and not os.path.exists(p):
                target = os.readlink(p)
                skipped.append(Skipped(rel_of(p), f"broken symbolic link (to {target}, which does not exist): "
                                                  "nothing was read; fix or remove the link",
                                       "error" if supported else "warning"))
            elif not is_file:
                skipped.append(Skipped(rel_of(p), "not a regular file (a pipe, socket or device): not read"))
            elif not supported:
                kind = f"{p.suffix.lower()} files are" if p.suffix else "files without an extension are"
                skipped.append(Skipped(rel_of(p), f"not read: {kind} not supported (PDF, .txt and .md are); "
                                                  "save it as PDF or text to include it"))
            else:
                files.append(p)

    linked: list[Path] = []
    walk(raw)
    while linked:
        walk(linked.pop(0))
    files.sort(key=rel_of)
    return files, skipped


def _os_problem(exc: OSError, path: Path, what: str) -> str:
    """What went wrong opening a path, and what to do, in words."""
    import errno

    if exc.errno == errno.ENAMETOOLONG:
        return (f"the path is {len(os.fsencode(str(path)))} bytes long, more than the system accepts: "
                f"move the {what} to a shorter path and run again")
    if exc.errno in (errno.EACCES, errno.EPERM):
        fix = "chmod +r" if what == "file" else "chmod +rx"
        return f"cannot open the {what}: permission denied; make it readable ({fix}) and run again"
    if exc.errno == errno.ELOOP:
        return f"cannot open the {what}: too many levels of symbolic links"
    return f"cannot open the {what}: {exc.strerror or exc}"


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
    """The path under --raw's own folder name (`raw/sumida/plan.txt`): the same wherever the run
    starts from (the repo root for `--raw raw`)."""
    base = Path(os.path.abspath(raw))
    return (Path(base.name) / Path(os.path.abspath(path)).relative_to(base)).as_posix()


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
                assemble_pdf(doc, pages.pages, rules, pages.failed)
        except PdfError as exc:
            doc.readable = False
            doc.find("ingest", str(exc), severity="error")
            return doc
    else:
        ingest_text(doc, data)
        if not doc.readable:
            return doc
    doc.keep_lines()
    normalize_document(doc, rules)
    if not doc.readable:
        return doc  # no readable text layer (glyphs without a Unicode map): nothing to segment
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
        "municipality_code": doc.municipality_code or None, "title_source": doc.title_source or None,
        "municipality_source": doc.municipality_source or None, "period_source": doc.period_source or None,
    })
    for s in doc.sections:
        t.sections.append({"doc_id": doc.doc_id, "section_id": s.section_id, "parent_id": s.parent_id, "number": s.number,
                           "level": s.level, "label": s.label, "title": s.title, "page": s.page,
                           "text": s.text, "style": s.style, "inferred": s.inferred})
    for f in doc.findings:
        t.issues.append({"doc_id": f.doc_id, "stage": f.stage, "severity": f.severity, "message": f.message,
                         "page": f.page, "snippet": f.snippet})
    return t


# the stage of findings about opening a file (permissions, path length): such rows are not cached
OPEN_STAGE = "open"


def failed_rows(doc_id: str, source_path: str, fmt: str, sha256: str, stage: str, message: str,
                snippet: str = "", rules: Rules | None = None) -> Tables:
    """The rows of a document that was not read: its documents row (readable false) and the error."""
    doc = Document(doc_id, source_path, fmt, sha256, readable=False)
    doc.find(stage, message, severity="error", snippet=snippet)
    return document_rows(doc, rules or load_rules())


def _unreadable_rows(path: Path, raw: Path, message: str, sha256: str = "") -> Tables:
    fmt = DEFAULT_SUFFIXES.get(path.suffix.lower(), path.suffix.lower().lstrip("."))
    return failed_rows(doc_id_of(path, raw), source_path_of(path, raw), fmt, sha256, OPEN_STAGE, message)


def process_file(path: Path, raw: Path, rules: Rules | None = None, pages: PdfPages | None = None) -> Tables:
    rules = rules or load_rules()
    try:
        doc = build_document(path, raw, rules, pages)
    except OSError as exc:  # gone, unreadable, path too long: between the scan and the read
        return _unreadable_rows(path, raw, _os_problem(exc, path, "file"))
    except Exception as exc:  # one document's bug must not stop the run
        try:
            sha = _sha256(path)
        except OSError:
            sha = ""
        return failed_rows(doc_id_of(path, raw), source_path_of(path, raw), DEFAULT_SUFFIXES[path.suffix.lower()],
                           sha, "run", f"internal error while reading: {type(exc).__name__}: {exc}",
                           traceback.format_exc(limit=-3), rules)
    return document_rows(doc, rules)


def _sha256(path: Path) -> str:
    """Of the file's bytes, read in chunks (the parent's memory stays flat)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class PdfPages:
    """A PDF's pages read by one or more workers, in page order."""

    total: int
    pages: list = field(default_factory=list)
    failed: list = field(default_factory=list)

    @classmethod
    def merged(cls, parts) -> PdfPages:
        """One document's page ranges, each as `read_pages` returns it, joined in order."""
        whole = cls(parts[0][0])
        for _total, pages, failed in parts:
            whole.pages += pages
            whole.failed += failed
        return whole


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
    skipped: list[Skipped] = field(default_factory=list)  # paths under --raw that were not read
    cache_repaired: list[str] = field(default_factory=list)  # doc_ids whose damaged cache entry was recomputed


@dataclass
class _Job:
    path: Path
    doc_id: str
    key: str
    units: int = 1
    size: int = 0  # bytes: the cost estimate that orders the work (pages say less: 7 pages of tables
    # and fake bold took longer than 21 pages of text in the real PDFs)
    pages: int = 0
    ranges: list[tuple[int, int]] = field(default_factory=list)
    counted: int = 0  # units already shown as done (page ranges of a long PDF)


def cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_count(workers: int | None, warn=None) -> int:
    """`workers`, or every CPU; never more than the CPUs (more processes only cost memory)."""
    cpus = cpu_count()
    if workers is None:
        return cpus
    if workers < 1:
        raise ValueError("workers must be 1 or more")
    if workers > cpus:
        msg = f"warning: --workers {workers} is more than the {cpus} CPUs available; using {cpus}"
        (warn or (lambda m: print(m, file=sys.stderr)))(msg)
        return cpus
    return workers


def _die_with_parent(parent: int) -> None:
    """A worker must never outlive the run: on Linux the kernel kills it when the parent dies
    (PR_SET_PDEATHSIG); elsewhere a thread watches the parent."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _worker_init(parent: int, inherited: tuple[int, ...], engine: str = DEFAULT_PDF_ENGINE) -> None:
    """Each worker: dies with its parent, leaves Ctrl-C and SIGTERM to the parent (which stops it),
    closes the run's lock and janitor pipe, and loads the rules and Sudachi once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass
    _die_with_parent(parent)
    set_pdf_engine(engine)
    _warm()


def _warm(pdfs: bool = True) -> None:
    """Load the rules, Sudachi and (for PDFs) pdfplumber, once per process. The pool's parent does
    it before forking: the workers inherit them instead of each loading its own copy (and the
    parent's compare needs Sudachi anyway)."""
    from ..ja.tokens import tokenize

    load_rules()
    tokenize("計画")
    if pdfs:
        import pdfplumber  # noqa: F401  (both engines read pages into pdfplumber's objects)


def _read_range(path: str, start: int, end: int):
    """A worker reads pages [start, end) of a long PDF with the rules it loaded once."""
    return read_pages(path, load_rules(), start, end)


def quick_page_count(path: Path) -> int | None:
    """Pages of a PDF, through pdfium (a millisecond: it reads the cross-reference table and the
    page tree only); None when that does not work: the worker that reads the document finds out
    what is wrong with it."""
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            count = len(doc)
        finally:
            doc.close()
        return count if count >= 0 else None
    except Exception:
        return None


def _plan(job: _Job, workers: int, split_pages: int) -> None:
    """Count a PDF's pages (the progress counts pages) and cut a long one into page ranges so
    that several workers read it."""
    try:
        job.size = job.path.stat().st_size
    except OSError:
        job.size = 0
    if job.path.suffix.lower() != ".pdf":
        return
    total = quick_page_count(job.path)
    if not total:
        return
    job.units = job.pages = total
    job.ranges = page_ranges(total, workers, split_pages)


def page_ranges(total: int, workers: int, split_pages: int) -> list[tuple[int, int]]:
    """The page ranges [a, b) a PDF of `total` pages is read in by several workers (none: read whole)."""
    if workers <= 1 or total <= split_pages:
        return []
    step = max(split_pages // 2, -(-total // workers))
    return [(a, min(a + step, total)) for a in range(0, total, step)]


def check_raw(raw: Path, out: Path | None = None) -> Path:
    """`raw` as an absolute path (symlinks kept: its own name is part of source_path); RunError when
    it is missing or not a folder."""
    absolute = Path(os.path.abspath(raw))
    if not absolute.exists():
        raise RunError(f"--raw {raw} does not exist: nothing was read"
                       + (f" and {out} is unchanged" if out is not None else ""))
    if not absolute.is_dir():
        raise RunError(f"--raw {raw} is not a folder: give the folder that holds the documents")
    return absolute


class Prepare(Protocol):
    """The next stage, working ahead in the parent process while the workers read (with one
    worker there is nothing to overlap: it is not called). Its errors are ignored: it only gives
    the next stage a head start, and that stage reports what fails when it runs."""

    def start(self) -> None:
        """Load what it needs whatever the rows hold (imports, dictionaries)."""

    def rows(self, tables: Tables) -> None:
        """Work ahead on one finished document's rows."""


def run_folder(raw: Path, out: Path | None = None, workers: int | None = None, progress: Progress | None = None,
               quiet: bool = False, split_pages: int = DEFAULT_SPLIT_PAGES, allow_empty: bool = False,
               pdf_engine: str | None = None, prepare: Prepare | None = None) -> RunResult:
    """Extract every document under `raw`; unchanged documents come from `<out>/.cache`.

    With `out`, rows are streamed to the Parquet files in doc_id order as documents finish
    (a document that finishes early waits in memory until those before it are written), under
    `<out>/.lock`. Raises RunError (`raw` missing, `out` not writable or held by another run,
    no documents in `raw` over existing tables without `allow_empty`) and KeyboardInterrupt /
    Interrupted (Ctrl-C, SIGTERM: workers stopped at once, finished documents cached, the
    previous tables left whole). `pdf_engine`: pdfium (default) or pdfplumber (the reference).
    `prepare`: the next stage working ahead in this process while the workers read (`Prepare`)."""
    set_pdf_engine(pdf_engine or DEFAULT_PDF_ENGINE)
    raw = check_raw(raw, out)
    if out is None:
        return _run(raw, None, workers, progress, quiet, split_pages, allow_empty, prepare)
    with guard(Path(out)):
        return _run(raw, Path(out), workers, progress, quiet, split_pages, allow_empty, prepare)


def _run(raw: Path, out: Path | None, workers: int | None, progress: Progress | None, quiet: bool,
         split_pages: int, allow_empty: bool, prepare: Prepare | None = None) -> RunResult:
    rules = load_rules()
    start = time.perf_counter()
    files, skipped = scan(raw)
    bar = progress or Progress(len(files), quiet=quiet)
    workers = worker_count(workers)
    if not files and out is not None and (out / "documents.parquet").exists() and not allow_empty:
        found = f" ({len(skipped)} other files, none of them read)" if skipped else ""
        raise RunError(f"--raw {raw} holds no .pdf, .txt or .md document{found}; the tables in {out} were left "
                       "as they are (pass --allow-empty to replace them with empty tables)")
    bar.begin(f"reading {len(files)} documents under {raw.name}/ with {workers} workers")
    rh = rules_hash(rules.root)
    cache = Cache(out / DEFAULT_CACHE_DIR) if out is not None else None
    writer = StreamWriter(out) if out is not None else None
    try:
        return _run_open(raw, out, files, skipped, rules, rh, cache, writer, bar, workers, split_pages, start,
                         prepare)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise


def _run_open(raw, out, files, skipped, rules, rh, cache, writer, bar, workers, split_pages, start,
              prepare=None) -> RunResult:
    # Each entry of `order` is written when every entry before it is: (doc_id, 0) a document,
    # (path, 1) a path that was not read. `ready` holds rows waiting for their turn.
    ready: dict[tuple[str, int], Tables] = {}
    cached: dict[tuple[str, int], _Job] = {}
    order: list[tuple[str, int]] = []
    summary_tables = Tables()
    result = RunResult(Tables(), documents=len(files), workers=workers, skipped=skipped)
    next_index = [0]

    for s in skipped:
        order.append((s.rel, 1))
        ready[(s.rel, 1)] = Tables(issues=[s.issue()])
        if s.severity == "error":
            result.unreadable.append(s.rel)

    def emit(t: Tables) -> None:
        if writer is not None:
            writer.write(t)
        else:
            summary_tables.extend(t)
            return
        summary_tables.documents.extend(t.documents)
        summary_tables.issues.extend(t.issues)

    def flush() -> None:
        """Write the finished documents that are next in doc_id order."""
        while next_index[0] < len(order):
            k = order[next_index[0]]
            if k in cached:
                job = cached.pop(k)
                t = cache.get(job.key) if cache is not None else None
                if t is None:  # damaged since it was checked: read the document here
                    _repaired(job)
                    t = process_file(job.path, raw, rules)
                    if cache is not None:
                        cache.put(job.key, t)
            elif k in ready:
                t = ready.pop(k)
            else:
                return
            emit(t)
            next_index[0] += 1

    def _repaired(job: _Job) -> None:
        reason = cache.damaged.get(job.key, "damaged") if cache is not None else "damaged"
        bar.note(f"warning: the cache entry of {job.doc_id} was damaged ({reason}); reading the document again")
        result.cache_repaired.append(job.doc_id)

    jobs: list[_Job] = []
    for i, path in enumerate(files):
        bar.scanning(i)
        doc_id = doc_id_of(path, raw)
        order.append((doc_id, 0))
        try:
            sha = _sha256(path)
        except OSError as exc:
            ready[(doc_id, 0)] = _unreadable_rows(path, raw, _os_problem(exc, path, "file"))
            bar.advance(doc_id, 1, "UNREADABLE", None)
            continue
        job = _Job(path, doc_id, cache_key(rh, doc_id, source_path_of(path, raw), sha, pdf_engine()))
        if cache is not None and cache.check(job.key):
            cached[(doc_id, 0)] = job
            result.cached += 1
            bar.advance(doc_id, 1, "cached", None)
            continue
        if cache is not None and job.key in cache.damaged:
            _repaired(job)
        jobs.append(job)
    order.sort()
    for job in jobs:
        _plan(job, workers, split_pages)
    bar.plan(sum(j.units for j in jobs), sum(j.pages for j in jobs))

    def done(job: _Job, t: Tables) -> None:
        ready[(job.doc_id, 0)] = t
        if cache is not None and not any(r["stage"] == OPEN_STAGE for r in t.issues):
            cache.put(job.key, t)
        doc = t.documents[0]
        bar.advance(job.doc_id, job.units - job.counted, "ok" if doc["readable"] else "UNREADABLE", doc["pages"],
                    new_pages=max((doc["pages"] or 0) - job.counted, 0))
        flush()

    flush()
    bar.working()
    if workers == 1 or len(jobs) + sum(len(j.ranges) for j in jobs) <= 1:
        for job in sorted(jobs, key=lambda j: j.doc_id):
            done(job, process_file(job.path, raw, rules))
    else:
        _run_pool(jobs, raw, workers, done, bar, prepare)
    flush()
    if cache is not None:
        cache.prune()
    keys = sorted(j.key for j in jobs) + sorted(cache.used if cache else [])
    result.fingerprint = hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()
    if writer is not None:
        result.counts = writer.close()
    else:
        result.counts = {name: len(getattr(summary_tables, name)) for name in TABLE_NAMES}
    result.tables = summary_tables
    for doc in summary_tables.documents:
        if not doc["readable"]:
            result.unreadable.append(doc["doc_id"])
        result.pages += doc["pages"] or 0
    result.seconds = time.perf_counter() - start
    return result


def _stop(pool) -> None:
    """Stop every worker now (Ctrl-C, SIGTERM, an error): queued documents are not read."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        try:
            p.kill()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.join(timeout=2)
        except (OSError, AssertionError, AttributeError):
            pass


def _ahead(prepare: Prepare | None, t: Tables | None = None) -> None:
    """`prepare.start()` (no rows) or `prepare.rows(t)`, its errors ignored (Prepare's docstring)."""
    if prepare is None:
        return
    try:
        prepare.start() if t is None else prepare.rows(t)
    except Exception:
        pass


def _run_pool(jobs: list[_Job], raw: Path, workers: int, done, bar: Progress,
              prepare: Prepare | None = None) -> None:
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    _warm(pdfs=any(job.path.suffix.lower() == ".pdf" for job in jobs))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init,
                               initargs=(os.getpid(), tuple(INHERITED_FDS), pdf_engine()))
    try:
        pending: dict[Future, tuple[str, _Job, int]] = {}
        parts: dict[str, dict[int, tuple]] = {}
        # Work is handed out as workers free up, never queued in the pool: a document whose page
        # ranges are all read goes next (its tail would otherwise wait behind every queued file).
        # Biggest files first (their page ranges spread over the workers): the last to finish
        # are the small ones, and the workers end together.
        queue: deque[tuple[str, _Job, int]] = deque()
        for job in sorted(jobs, key=lambda j: (-j.size, -j.units)):
            if job.ranges:
                parts[job.doc_id] = {}
                queue.extend(("pages", job, i) for i in range(len(job.ranges)))
            else:
                queue.append(("doc", job, 0))
        merged_docs: dict[str, PdfPages] = {}

        def feed() -> None:
            while queue and len(pending) < workers:
                what, job, i = queue.popleft()
                if what == "pages":
                    a, b = job.ranges[i]
                    fut = pool.submit(_read_range, str(job.path), a, b)
                else:
                    fut = pool.submit(process_file, job.path, raw, None, merged_docs.pop(job.doc_id, None))
                pending[fut] = (what, job, i)

        feed()
        _ahead(prepare)  # the workers exist (forked at the first submit): this process is free
        while pending:
            finished, _ = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            bar.refresh()
            finished_rows: list[Tables] = []
            for fut in finished:
                what, job, i = pending.pop(fut)
                try:
                    value = fut.result()
                except BrokenProcessPool:
                    raise RunError("a worker process died (killed by the system: out of memory?); the previous "
                                   "tables are unchanged and the documents finished so far are cached — run again, "
                                   "with --workers 1 to see which document it was") from None
                except Exception as exc:
                    if what == "doc":  # process_file keeps its own errors: this is the pool's
                        done(job, _unreadable_rows(job.path, raw, f"internal error: {type(exc).__name__}: {exc}"))
                        continue
                    if parts.pop(job.doc_id, None) is not None:  # read whole instead, once
                        for item in [q for q in queue if q[1] is job]:
                            queue.remove(item)
                        queue.appendleft(("doc", job, 0))
                    continue
                if what == "doc":
                    done(job, value)
                    finished_rows.append(value)
                    continue
                if job.doc_id not in parts:
                    continue  # another range of this document failed: it is read whole
                parts[job.doc_id][i] = value
                a, b = job.ranges[i]
                bar.partial(b - a, b - a)
                job.counted += b - a
                got = parts[job.doc_id]
                if len(got) == len(job.ranges):
                    merged_docs[job.doc_id] = PdfPages.merged([got[k] for k in range(len(job.ranges))])
                    del parts[job.doc_id]
                    queue.appendleft(("doc", job, 0))
            feed()  # the workers first, then the next stage's work ahead
            for t in finished_rows:
                _ahead(prepare, t)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
