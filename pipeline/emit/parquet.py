"""The emit stage: write the tables as Parquet, atomically and deterministically.

Each file is written to a temporary name in the output folder and renamed
into place, so a reader (or a run killed midway) never sees half a file.
Rows come sorted by doc_id, keeping document order within a document.
"""
from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import TABLE_NAMES, Tables

if TYPE_CHECKING:
    import pyarrow as pa


def _arrow() -> tuple[Any, Any, dict[str, Any]]:
    """pyarrow, its parquet module and the schemas, imported when first needed (0.1 s): a run's
    parent process starts its workers, which never write, before it writes."""
    import pyarrow
    import pyarrow.parquet

    from .schema import SCHEMAS

    return pyarrow, pyarrow.parquet, SCHEMAS


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    pa, _, schemas = _arrow()
    schema = schemas[name]
    ordered = sorted(enumerate(rows), key=lambda ir: (str(ir[1].get("doc_id", "")), ir[0]))
    cols = {f.name: [r.get(f.name) for _, r in ordered] for f in schema}
    for f in schema:
        if pa.types.is_list(f.type):
            cols[f.name] = [v if v is not None else [] for v in cols[f.name]]
    return arrow_table(cols, schema)


def arrow_table(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    """A pyarrow table of Python values (pandas is not imported for it: _skip_pandas_probe)."""
    _skip_pandas_probe()
    pa, _, _ = _arrow()
    return pa.Table.from_pydict(columns, schema=schema)


class _NoPandas:
    """An import finder that says pandas is not installed."""

    def find_spec(self, name: str, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not needed to build the tables")
        return None


@functools.lru_cache(maxsize=1)
def _skip_pandas_probe() -> None:
    """pyarrow's first conversion of Python values looks for pandas (to recognise a Series) and
    imports it: ~0.3 s of every run for a module no table here is built from. Hidden during that
    first look, pyarrow notes "no pandas" for such checks; a later `to_pandas()` still imports it."""
    if "pandas" in sys.modules:
        return
    pa, _, _ = _arrow()
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(finder)


def _readable(tmp: str) -> None:
    """mkstemp makes files 0600; outputs are for dashboards and colleagues too (umask applies)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def _write_atomic(path: Path, fill) -> None:
    """`fill(fd, tmp)` writes a temporary file beside `path`, which is then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        fill(fd, tmp)
        _readable(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(table: pa.Table, path: Path) -> None:
    _, pq, _ = _arrow()
    def fill(fd: int, tmp: str) -> None:
        os.close(fd)
        pq.write_table(table, tmp, compression="zstd")

    _write_atomic(path, fill)


class StreamWriter:
    """Write the tables document by document: each table goes to a temporary Parquet file as
    its rows arrive, and every file is renamed into place at `close()`. A run killed midway
    leaves the previous tables untouched; memory holds one document's rows at a time."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob(".*.tmp"):
            stale.unlink(missing_ok=True)  # left by a run that was killed while writing
        self.tmp: dict[str, str] = {}
        self.writers: dict[str, Any] = {}  # pyarrow.parquet.ParquetWriter, opened at the first write
        self.counts = {name: 0 for name in TABLE_NAMES}
        for name in TABLE_NAMES:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            self.tmp[name] = tmp

    def _open(self) -> None:
        if not self.writers:
            _, pq, schemas = _arrow()
            for name in TABLE_NAMES:
                self.writers[name] = pq.ParquetWriter(self.tmp[name], schemas[name], compression="zstd")

    def write(self, tables: Tables) -> None:
        """Append one document's rows (call in doc_id order: the files come out sorted)."""
        self._open()
        for name in TABLE_NAMES:
            rows = getattr(tables, name)
            if rows:
                self.writers[name].write_table(to_arrow(name, rows))
                self.counts[name] += len(rows)

    def close(self) -> dict[str, int]:
        self._open()  # no document at all: empty tables, with their schemas
        for name in TABLE_NAMES:
            self.writers[name].close()
            _readable(self.tmp[name])
        for name in TABLE_NAMES:
            target = self.out / f"{name}.parquet"
            if target.is_dir():  # a partitioned dataset of a `--cluster` run: replaced by the file
                _replace_folder(self.tmp[name], target)
            else:
                os.replace(self.tmp[name], target)
        return self.counts

    def abort(self) -> None:
        for name in TABLE_NAMES:
            try:
                if name in self.writers:
                    self.writers[name].close()
            finally:
                Path(self.tmp[name]).unlink(missing_ok=True)


def _replace_folder(tmp: str, target: Path) -> None:
    import shutil

    aside = target.with_name(f".{target.name}.{os.getpid()}.old")
    os.replace(target, aside)
    os.replace(tmp, target)
    shutil.rmtree(aside, ignore_errors=True)


def write_text_atomic(text: str, path: Path) -> None:
    def fill(fd: int, tmp: str) -> None:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    _write_atomic(path, fill)


# -- partitioned datasets (the cluster run, `--cluster`) -------------------------------------------
# Each table is a folder `<out>/<table>.parquet/pref=JP-13/part-00000.parquet`: a Hive-partitioned
# dataset that pandas.read_parquet, pyarrow and DuckDB read as one table (with a `pref` column).
# The value is the ISO 3166-2 code of the prefecture (JP-01 … JP-47: the first two digits of the
# 全国地方公共団体コード), a string whatever the values present (a bare `13` would be read as an
# integer, and `01` lose its zero); documents without a code go to `pref=unknown`.
PARTITION_KEY = "pref"
UNKNOWN_PARTITION = "unknown"
COMMIT_JOURNAL = ".commit.json"
STAGING_PREFIX = ".staging-"


def partition_of(municipality_code: str | None) -> str:
    """`JP-13` for 131075 (墨田区); `unknown` when there is no valid code."""
    code = str(municipality_code or "").strip()
    if len(code) >= 2 and code[:2].isdigit() and 1 <= int(code[:2]) <= 47:
        return f"JP-{code[:2]}"
    return UNKNOWN_PARTITION


def write_part(fs, staging: str, partition: str, part: str, tables: Tables) -> dict[str, int]:
    """Write one part file of every table (empty ones too: a reader always sees the schema) under
    `staging/<table>.parquet/pref=<partition>/`, each through a hidden temporary name (readers skip
    names starting with `.`) renamed into place, so that a retried task never leaves half a file."""
    import uuid

    counts = {}
    for name in TABLE_NAMES:
        folder = f"{staging}/{name}.parquet/{PARTITION_KEY}={partition}"
        fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.{part}.{uuid.uuid4().hex}.tmp"
        table = to_arrow(name, getattr(tables, name))
        with fs.open(tmp, "wb") as fh:
            _arrow()[1].write_table(table, fh, compression="zstd")
        fs.mv(tmp, f"{folder}/{part}.parquet")
        counts[name] = table.num_rows
    return counts


def _exists(fs, path: str) -> bool:
    try:
        return bool(fs.exists(path))
    except OSError:
        return False


def _move(fs, src: str, dst: str) -> None:
    from fsspec.implementations.local import LocalFileSystem

    if isinstance(fs, LocalFileSystem):
        os.replace(src, dst)  # one rename, a file or a folder
    else:
        fs.mv(src, dst, recursive=True)


def _remove(fs, path: str) -> None:
    if _exists(fs, path):
        fs.rm(path, recursive=True)


def commit_datasets(fs, out: str, staging: str) -> None:
    """Put every table of `staging` in place of `<out>/<table>.parquet` (a file of a local run or a
    dataset folder of an earlier cluster run). A journal is written first: a run killed during the
    commit is finished by the next run (`recover_datasets`), so readers see either all the previous
    tables or all the new ones once the commit is done, never a half-written table."""
    import json

    journal = f"{out}/{COMMIT_JOURNAL}"
    tmp = f"{journal}.tmp"
    with fs.open(tmp, "w") as fh:
        fh.write(json.dumps({"staging": staging}))
    _move(fs, tmp, journal)
    _roll_forward(fs, out, staging)


def _roll_forward(fs, out: str, staging: str) -> None:
    old = f"{staging}.old"
    fs.makedirs(old, exist_ok=True)
    for name in TABLE_NAMES:
        new = f"{staging}/{name}.parquet"
        if not _exists(fs, new):
            continue  # moved in before the run was killed
        target = f"{out}/{name}.parquet"
        if _exists(fs, target):
            _move(fs, target, f"{old}/{name}.parquet")
        _move(fs, new, target)
    _remove(fs, f"{out}/{COMMIT_JOURNAL}")
    _remove(fs, old)
    _remove(fs, staging)


def recover_datasets(fs, out: str) -> None:
    """Before a run: finish a commit that a killed run began; drop the staging folders of runs
    killed before their commit (their previous tables were never touched)."""
    import json

    journal = f"{out}/{COMMIT_JOURNAL}"
    if _exists(fs, journal):
        with fs.open(journal, "r") as fh:
            staging = json.loads(fh.read())["staging"]
        _roll_forward(fs, out, staging)
    if not _exists(fs, out):
        return
    for info in fs.ls(out, detail=True):
        base = info["name"].rstrip("/").rsplit("/", 1)[-1]
        if base.startswith(STAGING_PREFIX):
            fs.rm(info["name"], recursive=True)
