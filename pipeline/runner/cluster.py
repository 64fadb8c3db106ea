"""The same extraction on a Dask distributed cluster: `pipeline extract --cluster ADDRESS|local`.

Driver (this process): lists the documents (a folder, an fsspec URL or a `--manifest` CSV),
cuts long local PDFs into page ranges as the local runner does, submits one task per document
(and per page range), shows documents done / failed / remaining, then submits one write task
per prefecture (and per 500 documents) and commits the tables at the end.

Workers: load the rules and Sudachi once per process; read each document in a forked child
with a time limit (`--task-timeout`), so that a document that hangs or crashes becomes a
finding and the worker lives on; keep each document's rows in the per-document cache beside
the output (`<out>/.cache`, the local runner's format and keys); write the Parquet part files
of their prefecture into a staging folder. A worker lost mid-task (killed, its machine gone) is
Dask's: the scheduler runs its tasks again on another worker (`allowed-failures`: 3).

Needs the `[cluster]` extra (dask distributed, fsspec); the local run never imports this.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import pickle
import select
import signal
import sys
import tempfile
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from ..emit.parquet import (STAGING_PREFIX, UNKNOWN_PARTITION, commit_datasets, partition_of, recover_datasets,
                            write_part)
from ..ingest.pdf import DEFAULT_PDF_ENGINE, pdf_engine, set_pdf_engine
from ..model import TABLE_NAMES, Tables
from ..rules import load_rules, rules_hash
from .cache import DEFAULT_CACHE_DIR, CacheDamaged, _SUFFIX, cache_key, code_hash, decode, encode
from .guard import RunError
from .run import (DEFAULT_SPLIT_PAGES, DEFAULT_SUFFIXES, OPEN_STAGE, PdfPages, RunResult, Skipped, _die_with_parent,
                  _os_problem, _read_range, _sha256, _unreadable_rows, _warm, check_raw, doc_id_of,
                  failed_rows, page_ranges, process_file, quick_page_count, scan, source_path_of, worker_count)

# seconds one task (a document or a page range) may run before it is given up as a finding
DEFAULT_TASK_TIMEOUT = 600.0
# documents per Parquet part file (a prefecture with more gets several parts)
DEFAULT_PART_DOCS = 500
# times Dask runs a task again whose worker died before the document counts as failed
DEFAULT_ALLOWED_FAILURES = 3
MANIFEST_COLUMNS = ("source_url", "doc_id", "municipality_code")


class UsageError(RunError):
    """A malformed --manifest or a flag combination that cannot work: exit status 2."""

    exit_code = 2


def is_url(text: str) -> bool:
    return "://" in str(text)


@dataclass
class Source:
    """One document to read, as the driver hands it to a worker."""

    url: str                 # a local path (on a file system every worker sees) or an fsspec URL
    doc_id: str
    source_path: str
    rel: str                 # path under the raw root (a downloaded file keeps this name)
    raw_name: str            # the raw root's own folder name
    local_raw: str | None = None  # --raw as a local folder: read in place, exactly as the local run
    code: str | None = None  # the manifest's municipality code
    pages: int = 0
    ranges: list[tuple[int, int]] = field(default_factory=list)


# -- inputs ----------------------------------------------------------------------------------------
def _fs(url: str):
    import fsspec

    return fsspec.core.url_to_fs(url)


def local_path(url_or_path: str) -> Path | None:
    """The local path of a plain path or a file:// URL; None for any other URL."""
    if not is_url(url_or_path):
        return Path(url_or_path)
    fs, path = _fs(url_or_path)
    from fsspec.implementations.local import LocalFileSystem

    return Path(path) if isinstance(fs, LocalFileSystem) else None


def sources_from_folder(raw: str) -> tuple[list[Source], list[Skipped]]:
    """Every document under --raw: a local folder is scanned exactly as the local run scans it;
    another URL is listed with fsspec (hidden names skipped, other extensions named as findings)."""
    local = local_path(raw)
    if local is not None:
        folder = check_raw(local)
        files, skipped = scan(folder)
        return [Source(str(p), doc_id_of(p, folder), source_path_of(p, folder), p.relative_to(folder).as_posix(),
                       folder.name, local_raw=str(folder)) for p in files], skipped
    fs, root = _fs(raw)
    root = root.rstrip("/")
    if not fs.isdir(root):
        raise RunError(f"--raw {raw} is not a folder (or cannot be listed): nothing was read")
    name = PurePosixPath(root).name
    rels = sorted(p[len(root) + 1:] for p in fs.find(root) if p.startswith(root + "/"))
    rels = [r for r in rels if not any(part.startswith(".") for part in r.split("/"))]
    docs, skipped = [], []
    readable = {r for r in rels if PurePosixPath(r).suffix.lower() in DEFAULT_SUFFIXES}
    stems: dict[tuple[str, str], int] = {}
    for r in readable:
        p = PurePosixPath(r)
        stems[(str(p.parent), p.stem)] = stems.get((str(p.parent), p.stem), 0) + 1
    for r in rels:
        p = PurePosixPath(r)
        if r not in readable:
            kind = f"{p.suffix.lower()} files are" if p.suffix else "files without an extension are"
            skipped.append(Skipped(r, f"not read: {kind} not supported (PDF, .txt and .md are); "
                                      "save it as PDF or text to include it"))
            continue
        doc_id = r if stems[(str(p.parent), p.stem)] > 1 else r.rsplit(".", 1)[0]
        docs.append(Source(f"{raw.rstrip('/')}/{r}", doc_id, f"{name}/{r}", r, name))
    return docs, skipped


def read_manifest(manifest: str) -> tuple[list[Source], list[Skipped]]:
    """`--manifest FILE`: CSV rows `source_url,doc_id,municipality_code` (a header row with those
    names is optional; an empty doc_id is the URL's file name without its extension; blank lines
    and lines starting with # are skipped). A relative path is relative to the manifest's folder."""
    try:
        fs, path = _fs(manifest) if is_url(manifest) else (None, manifest)
        if fs is None:
            text = Path(manifest).read_text(encoding="utf-8-sig")
        else:
            with fs.open(path, "rb") as fh:
                text = fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RunError(f"--manifest {manifest} cannot be read: {exc}") from None
    base = os.path.dirname(os.path.abspath(manifest)) if not is_url(manifest) else manifest.rsplit("/", 1)[0]
    docs: list[Source] = []
    skipped: list[Skipped] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        cells = [c.strip() for c in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if n == 1 and cells[0].lower() == MANIFEST_COLUMNS[0]:
            continue
        if len(cells) > len(MANIFEST_COLUMNS):
            raise UsageError(f"--manifest {manifest} line {n}: {len(cells)} columns; expected "
                             + ", ".join(MANIFEST_COLUMNS))
        url, doc_id, code = (cells + ["", ""])[:3]
        if not url:
            raise UsageError(f"--manifest {manifest} line {n}: no source URL")
        where = url if is_url(url) or os.path.isabs(url) else (
            os.path.join(base, url) if not is_url(base) else f"{base}/{url}")
        name = PurePosixPath(url.split("?", 1)[0].split("#", 1)[0]).name
        doc_id = doc_id or name.rsplit(".", 1)[0]
        if doc_id in seen:
            raise UsageError(f"--manifest {manifest} line {n}: doc_id {doc_id!r} already on line {seen[doc_id]}; "
                             "give each document its own doc_id (second column)")
        seen[doc_id] = n
        if code and not (code.isdigit() and len(code) in (5, 6)):
            raise UsageError(f"--manifest {manifest} line {n}: municipality code {code!r} is not a "
                             "5- or 6-digit 全国地方公共団体コード")
        if PurePosixPath(name).suffix.lower() not in DEFAULT_SUFFIXES:
            skipped.append(Skipped(doc_id, f"not read: {url} does not end in .pdf, .txt or .md; "
                                           "save it as PDF or text to include it", "error"))
            continue
        docs.append(Source(where, doc_id, url, name, "manifest", code=code or None))
    docs.sort(key=lambda s: s.doc_id)
    return docs, skipped


# -- the per-document cache on any file system -----------------------------------------------------
class FsCache:
    """The local runner's cache (`runner/cache.py`: same keys, same checksummed entries, same
    folder `<out>/.cache`) through fsspec, so that workers on other machines share it."""

    def __init__(self, fs, root: str) -> None:
        self.fs = fs
        self.root = root

    def _path(self, key: str) -> str:
        return f"{self.root}/{key}{_SUFFIX}"

    def get(self, key: str) -> tuple[Tables | None, str | None]:
        """(rows, None) for an intact entry, (None, None) when there is none, (None, why) when damaged."""
        try:
            with self.fs.open(self._path(key), "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, f"cannot be read ({exc})"
        try:
            return decode(data), None
        except CacheDamaged as exc:
            return None, str(exc)

    def exists(self, key: str) -> bool:
        try:
            return bool(self.fs.exists(self._path(key)))
        except OSError:
            return False

    def put(self, key: str, tables: Tables) -> bool:
        try:
            data = encode(tables)
        except (TypeError, ValueError):
            return False
        self.fs.makedirs(self.root, exist_ok=True)
        tmp = f"{self.root}/.entry.{uuid.uuid4().hex}.tmp"
        with self.fs.open(tmp, "wb") as fh:
            fh.write(data)
        self.fs.mv(tmp, self._path(key))
        return True

    def prune(self, used: set[str]) -> None:
        try:
            entries = self.fs.ls(self.root, detail=False)
        except (FileNotFoundError, OSError):
            return
        for p in entries:
            base = p.rstrip("/").rsplit("/", 1)[-1]
            if base.endswith(".tmp") or (base.endswith(_SUFFIX) and base[:-len(_SUFFIX)] not in used):
                self.fs.rm(p)


# -- on the workers --------------------------------------------------------------------------------
_warmed = False


def _ensure_warm() -> None:
    """Rules, Sudachi and the stages' lazy state, loaded once per worker process (before any fork,
    so that every forked reader starts warm)."""
    global _warmed
    if _warmed:
        return
    _warm()
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "warm" / "plan.txt"
        sample.parent.mkdir()
        sample.write_text("墨田区情報化推進計画\n第1章 計画の概要\n1 目標\n施策1 オープンデータの推進\n"
                          "指標 基準値 目標値\n公開件数 10件 20件\n", encoding="utf-8")
        process_file(sample, sample.parent)
    _warmed = True


def _isolated(fn, args: tuple, timeout: float | None) -> tuple:
    """Run fn(*args) in a forked child of this (warm) worker: ("ok", value), ("error", message,
    traceback), ("timeout", seconds) or ("crashed", how). The worker itself never hangs or dies
    with a document."""
    parent = os.getpid()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send the result, leave without any teardown
        code = 0
        try:
            os.close(r)
            _die_with_parent(parent)
            try:
                res: tuple = ("ok", fn(*args))
            except BaseException as exc:
                res = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=-3))
            data = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout if timeout else None
    try:
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return ("timeout", timeout)
            ready, _, _ = select.select([r], [], [], 1.0 if left is None else min(left, 1.0))
            if ready:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(r)
    _, status = os.waitpid(pid, 0)
    data = b"".join(chunks)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            how = signal.Signals(sig).name
        except ValueError:
            how = f"signal {sig}"
        return ("crashed", f"killed by {how}" + (" (out of memory?)" if sig == signal.SIGKILL else ""))
    try:
        return pickle.loads(data)
    except Exception:
        return ("crashed", f"exited with status {os.waitstatus_to_exitcode(status)} without a result")


@contextmanager
def _staged(spec: Source) -> Iterator[tuple[Path, Path]]:
    """(path, raw) to read the document from: in place when it is on a local file system, else
    downloaded under a temporary `<raw_name>/<rel>` (the name the document's rows expect)."""
    if spec.local_raw is not None:
        yield Path(spec.url), Path(spec.local_raw)
        return
    local = local_path(spec.url)
    if local is not None:
        yield local, local.parent
        return
    with tempfile.TemporaryDirectory(prefix="pipeline-src-") as tmp:
        raw = Path(tmp) / spec.raw_name
        path = raw / spec.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fs, remote = _fs(spec.url)
        fs.get_file(remote, str(path))
        yield path, raw


def _with_ids(t: Tables, spec: Source) -> Tables:
    """The rows under the doc_id and source_path the driver gave (a manifest's, a URL's)."""
    for name in TABLE_NAMES:
        for row in getattr(t, name):
            if "doc_id" in row:
                row["doc_id"] = spec.doc_id
    for row in t.documents:
        row["source_path"] = spec.source_path
    return t


def _failed_rows(spec: Source, sha: str, message: str, snippet: str = "") -> Tables:
    fmt = DEFAULT_SUFFIXES.get(PurePosixPath(spec.rel).suffix.lower(), "")
    return failed_rows(spec.doc_id, spec.source_path, fmt, sha, "run", message, snippet)


def _merge(parts: tuple) -> PdfPages | None:
    if not parts or any(p is None for p in parts):
        return None  # no ranges, or one failed: the document is read whole
    return PdfPages.merged(parts)


def read_range_task(spec: Source, start: int, end: int, timeout: float | None):
    """Pages [start, end) of a long PDF, or None (the whole document is read then)."""
    _ensure_warm()
    res = _isolated(_read_range, (spec.url, start, end), timeout)
    return res[1] if res[0] == "ok" else None


def _extract(spec: Source, rh: str, timeout: float | None, cache: FsCache | None,
             parts: tuple = ()) -> tuple[Tables, str, bool, str | None, bool]:
    """(rows, cache key, from the cache, why the cache entry was damaged, rows are in the cache)."""
    _ensure_warm()
    try:
        with _staged(spec) as (path, raw):
            try:
                sha = _sha256(path)
            except OSError as exc:
                return _with_ids(_unreadable_rows(path, raw, _os_problem(exc, path, "file")), spec), "", False, None, False
            key = cache_key(rh, spec.doc_id, spec.source_path, sha, pdf_engine())
            damaged = None
            if cache is not None:
                hit, damaged = cache.get(key)
                if hit is not None:
                    return hit, key, True, None, True
            res = _isolated(process_file, (path, raw, None, _merge(parts)), timeout)
            if res[0] == "ok":
                t = _with_ids(res[1], spec)
            elif res[0] == "timeout":
                return (_failed_rows(spec, sha, f"gave up after {timeout:g} s (--task-timeout): the document was not "
                                                "read; the rest of the run went on"), key, False, damaged, False)
            elif res[0] == "crashed":
                return (_failed_rows(spec, sha, f"the process reading this document crashed ({res[1]}): not read; "
                                                "the rest of the run went on"), key, False, damaged, False)
            else:
                return (_failed_rows(spec, sha, f"internal error while reading: {res[1]}", res[2]),
                        key, False, damaged, False)
            stored = False
            if cache is not None and not any(r["stage"] == OPEN_STAGE for r in t.issues):
                stored = cache.put(key, t)
            return t, key, False, damaged, stored
    except OSError as exc:  # a download that failed
        return _failed_rows(spec, "", f"cannot fetch {spec.url}: {exc}"), "", False, None, False


def extract_task(spec: Source, out_url: str, rh: str, timeout: float | None, *parts) -> dict[str, Any]:
    """One document on a worker: its rows go to the cache; the driver gets what it shows and
    plans with (documents and issues rows, the partition), and the rows themselves only when
    they could not be cached."""
    fs, out = _fs(out_url)
    cache = FsCache(fs, f"{out}/{DEFAULT_CACHE_DIR}")
    t, key, cached, damaged, stored = _extract(spec, rh, timeout, cache, parts)
    doc = t.documents[0] if t.documents else {}
    return {"doc_id": spec.doc_id, "key": key, "cached": cached, "damaged": damaged,
            "partition": partition_of(doc.get("municipality_code") or spec.code),
            "code": doc.get("municipality_code"), "documents": t.documents, "issues": t.issues,
            "inline": None if stored else t}


def write_task(out_url: str, staging: str, partition: str, part: str, entries: list, extra_issues: list,
               rh: str, timeout: float | None) -> dict[str, int]:
    """One part file of every table: the documents' rows from the cache (read again if an entry
    went missing), in doc_id order."""
    fs, out = _fs(out_url)
    cache = FsCache(fs, f"{out}/{DEFAULT_CACHE_DIR}")
    tables = Tables(issues=list(extra_issues))
    for spec, key, inline in sorted(entries, key=lambda e: e[0].doc_id):
        t = inline
        if t is None:
            t, _ = cache.get(key)
        if t is None:
            t = _extract(spec, rh, timeout, cache)[0]
        tables.extend(t)
    return write_part(fs, staging, partition, part, tables)


# -- the driver ------------------------------------------------------------------------------------
class ClusterProgress:
    """Documents done / failed / remaining, from the driver (stderr; one line per document when
    not a terminal)."""

    def __init__(self, total: int, quiet: bool = False, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.quiet, self.total = quiet, total
        self.done = self.failed = 0
        self.start = time.perf_counter()

    def line(self) -> str:
        left = self.total - self.done - self.failed
        return (f"{self.done} done, {self.failed} failed, {left} remaining of {self.total} documents "
                f"({time.perf_counter() - self.start:.1f} s)")

    def say(self, text: str, force: bool = False) -> None:
        if self.quiet and not force:
            return
        try:
            self.stream.write(("\r\033[K" if self.tty else "") + text + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            self.quiet = True

    def advance(self, doc_id: str, status: str, pages: int | None) -> None:
        if status in ("ok", "cached"):
            self.done += 1
        else:
            self.failed += 1
        if self.quiet:
            return
        page_text = f", {pages} pages" if pages else ""
        if self.tty:
            try:
                self.stream.write(f"\r\033[K[{self.line()}] {doc_id[-40:]}")
                if self.done + self.failed == self.total:
                    self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                self.quiet = True
        else:
            self.say(f"[{self.line()}] {doc_id} ({status}{page_text})")


def connect(address: str, workers: int | None = None):
    """(client, cluster): `local` starts a LocalCluster on this machine (one single-threaded worker
    process per core, or --workers); anything else is a scheduler address (tcp://host:8786)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise RunError("--cluster needs the cluster extra: pip install -e '.[cluster]' (dask distributed, fsspec)") from None
    dask.config.set({"distributed.scheduler.allowed-failures": DEFAULT_ALLOWED_FAILURES})
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=worker_count(workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            return Client(cluster), cluster
        return Client(address, timeout=30), None
    except (OSError, TimeoutError) as exc:
        raise RunError(f"cannot reach the cluster at {address}: {exc}") from None


def _plan_ranges(spec: Source, workers: int, split_pages: int) -> None:
    """A long local PDF read in page ranges by several workers (the local runner's rule)."""
    if spec.local_raw is None or not spec.url.lower().endswith(".pdf"):
        return
    total = quick_page_count(Path(spec.url))
    if not total:
        return
    spec.pages = total
    spec.ranges = page_ranges(total, workers, split_pages)


def run_cluster(raw: str | None, out: str, cluster: str = "local", manifest: str | None = None,
                workers: int | None = None, quiet: bool = False, task_timeout: float | None = DEFAULT_TASK_TIMEOUT,
                split_pages: int = DEFAULT_SPLIT_PAGES, allow_empty: bool = False,
                part_docs: int = DEFAULT_PART_DOCS, client=None, pdf_engine: str | None = None) -> RunResult:
    """Extract every document of `raw` (or of `manifest`) on the cluster into partitioned datasets
    under `out`. `client`: an already connected distributed.Client (tests), else `cluster` is
    `local` or a scheduler address. Raises RunError as the local run does."""
    start = time.perf_counter()
    engine = set_pdf_engine(pdf_engine or DEFAULT_PDF_ENGINE)
    sources, skipped = read_manifest(manifest) if manifest else sources_from_folder(raw or "raw")
    out_url = out if is_url(out) else os.path.abspath(out)
    fs, out_path = _fs(out_url)
    if not sources and fs.exists(f"{out_path}/documents.parquet") and not allow_empty:
        raise RunError(f"{'--manifest ' + manifest if manifest else '--raw ' + str(raw)} holds no .pdf, .txt or .md "
                       f"document; the tables in {out} were left as they are (pass --allow-empty to replace them)")
    fs.makedirs(out_path, exist_ok=True)
    recover_datasets(fs, out_path)
    rh = rules_hash(load_rules().root)
    bar = ClusterProgress(len(sources), quiet=quiet)
    own = client is None
    cl = None
    if own:
        client, cl = connect(cluster, workers)
    staging = f"{out_path}/{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    futures: list = []
    try:
        client.run(set_pdf_engine, engine)  # every worker reads PDFs with the run's engine
        nworkers = max(1, len(client.scheduler_info().get("workers", {})))
        versions = set(client.run(code_hash).values())
        if versions - {code_hash()}:
            bar.say("warning: some workers run another version of pipeline's code: their rows may differ "
                    "and their cache entries are not this driver's", force=True)
        bar.say(f"reading {len(sources)} documents on {nworkers} workers ({cluster})")
        cache = FsCache(fs, f"{out_path}/{DEFAULT_CACHE_DIR}")
        doc_futures: dict[Any, Source] = {}
        for spec in sources:
            if spec.local_raw is not None:
                _plan_ranges(spec, nworkers, split_pages)
                if spec.ranges:  # no need to read it in ranges when its rows are cached
                    key = cache_key(rh, spec.doc_id, spec.source_path, _sha256(Path(spec.url)), engine)
                    if cache.exists(key):
                        spec.ranges = []
            parts = [client.submit(read_range_task, spec, a, b, task_timeout, pure=False, priority=spec.pages)
                     for a, b in spec.ranges]
            fut = client.submit(extract_task, spec, out_url, rh, task_timeout, *parts, pure=False,
                                priority=spec.pages)
            doc_futures[fut] = spec
            futures += parts + [fut]
        summaries = _collect(client, doc_futures, out_url, rh, task_timeout, bar, futures)
        by_part = _parts(summaries, skipped, part_docs)
        writes = [client.submit(write_task, out_url, staging, part, name, entries, extra, rh, task_timeout,
                                pure=False) for (part, name), (entries, extra) in sorted(by_part.items())]
        futures += writes
        counts = {name: 0 for name in TABLE_NAMES}
        for c in client.gather(writes):
            for name in TABLE_NAMES:
                counts[name] += c[name]
        commit_datasets(fs, out_path, staging)
        cache.prune({s["key"] for s in summaries if s["key"]})
    except BaseException:
        try:
            client.cancel(futures)
        except Exception:
            pass
        try:
            if fs.exists(staging):
                fs.rm(staging, recursive=True)
        except Exception:
            pass
        raise
    finally:
        if own:
            _close(client, cl)
    return _result(sources, skipped, summaries, counts, nworkers, start)


def _close(client, cluster) -> None:
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _collect(client, doc_futures: dict, out_url: str, rh: str, timeout: float | None, bar: ClusterProgress,
             futures: list) -> list[dict]:
    """Every document's summary as tasks finish; a task whose worker died more than the allowed times
    (or that failed on the cluster's side) is read once more whole, then becomes a finding."""
    from distributed import as_completed

    summaries: list[dict] = []
    retried: set[str] = set()
    pending = as_completed(list(doc_futures))
    for fut in pending:
        spec = doc_futures[fut]
        try:
            s = fut.result()
        except Exception as exc:
            if spec.doc_id not in retried:
                retried.add(spec.doc_id)
                again = client.submit(extract_task, spec, out_url, rh, timeout, pure=False)
                doc_futures[again] = spec
                futures.append(again)
                pending.add(again)
                continue
            name = type(exc).__name__
            t = _failed_rows(spec, "", f"lost on the cluster ({name}: {exc}): its worker died "
                                       f"{DEFAULT_ALLOWED_FAILURES} times while reading it, or the task failed; not read")
            s = {"doc_id": spec.doc_id, "key": "", "cached": False, "damaged": None,
                 "partition": partition_of(spec.code), "code": None, "documents": t.documents,
                 "issues": t.issues, "inline": t}
        s["spec"] = spec
        if spec.code and s["code"] and partition_of(spec.code) != partition_of(s["code"]):
            s["extra"] = [{"doc_id": spec.doc_id, "stage": "run", "severity": "warning", "page": None,
                           "snippet": None, "message": f"the manifest gives municipality code {spec.code}, the "
                                                       f"document reads {s['code']}: partitioned by the document's"}]
        summaries.append(s)
        doc = s["documents"][0] if s["documents"] else {}
        status = "cached" if s["cached"] else ("ok" if doc.get("readable") else "UNREADABLE")
        bar.advance(spec.doc_id, status, doc.get("pages"))
        if s["damaged"]:
            bar.say(f"warning: the cache entry of {spec.doc_id} was damaged ({s['damaged']}); read the document again",
                    force=True)
    return summaries


def _parts(summaries: list[dict], skipped: list[Skipped], part_docs: int) -> dict:
    """(partition, part name) -> (entries, extra issue rows): documents grouped by prefecture, in
    doc_id order, `part_docs` to a part file; the paths that were not read go to pref=unknown."""
    groups: dict[str, list[dict]] = {}
    for s in sorted(summaries, key=lambda s: s["doc_id"]):
        groups.setdefault(s["partition"], []).append(s)
    scan_rows = [s.issue() for s in skipped]
    if scan_rows or not groups:  # (no document at all: empty tables, with their schema)
        groups.setdefault(UNKNOWN_PARTITION, [])
    out: dict = {}
    for partition, docs in groups.items():
        chunks = [docs[i:i + part_docs] for i in range(0, len(docs), part_docs)] or [[]]
        for n, chunk in enumerate(chunks):
            entries = [(s["spec"], s["key"], s["inline"]) for s in chunk]
            extra = [r for s in chunk for r in s.get("extra", [])]
            if partition == UNKNOWN_PARTITION and n == 0:
                extra += scan_rows
            out[(partition, f"part-{n:05d}")] = (entries, extra)
    return out


def _result(sources, skipped, summaries, counts, nworkers, start) -> RunResult:
    summary = Tables()
    result = RunResult(summary, documents=len(sources), workers=nworkers, skipped=skipped)
    for s in sorted(summaries, key=lambda s: s["doc_id"]):
        summary.documents.extend(s["documents"])
        summary.issues.extend(s["issues"] + s.get("extra", []))
        result.cached += bool(s["cached"])
        if s["damaged"]:
            result.cache_repaired.append(s["doc_id"])
    for s in skipped:
        summary.issues.append(s.issue())
        if s.severity == "error":
            result.unreadable.append(s.rel)
    for doc in summary.documents:
        if not doc["readable"]:
            result.unreadable.append(doc["doc_id"])
        result.pages += doc["pages"] or 0
    result.counts = counts
    result.fingerprint = hashlib.sha256("\n".join(sorted(s["key"] for s in summaries)).encode()).hexdigest()
    result.seconds = time.perf_counter() - start
    return result
