"""The emit stage: write the tables as Parquet, atomically and deterministically.

Each file is written to a temporary name in the output folder and renamed
into place, so a reader (or a run killed midway) never sees half a file.
Rows come sorted by doc_id, keeping document order within a document.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..model import TABLE_NAMES, Tables
from .schema import SCHEMAS


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[name]
    ordered = sorted(enumerate(rows), key=lambda ir: (str(ir[1].get("doc_id", "")), ir[0]))
    cols = {f.name: [r.get(f.name) for _, r in ordered] for f in schema}
    for f in schema:
        if pa.types.is_list(f.type):
            cols[f.name] = [v if v is not None else [] for v in cols[f.name]]
    return pa.Table.from_pydict(cols, schema=schema)


def _readable(tmp: str) -> None:
    """mkstemp makes files 0600; outputs are for dashboards and colleagues too (umask applies)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def write_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        _readable(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts = {name: 0 for name in TABLE_NAMES}
        for name in TABLE_NAMES:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            self.tmp[name] = tmp
            self.writers[name] = pq.ParquetWriter(tmp, SCHEMAS[name], compression="zstd")

    def write(self, tables: Tables) -> None:
        """Append one document's rows (call in doc_id order: the files come out sorted)."""
        for name in TABLE_NAMES:
            rows = getattr(tables, name)
            if rows:
                self.writers[name].write_table(to_arrow(name, rows))
                self.counts[name] += len(rows)

    def close(self) -> dict[str, int]:
        for name in TABLE_NAMES:
            self.writers[name].close()
            _readable(self.tmp[name])
        for name in TABLE_NAMES:
            os.replace(self.tmp[name], self.out / f"{name}.parquet")
        return self.counts

    def abort(self) -> None:
        for name in TABLE_NAMES:
            try:
                self.writers[name].close()
            finally:
                Path(self.tmp[name]).unlink(missing_ok=True)


def write_tables(tables: Tables, out: Path) -> dict[str, int]:
    """Write every table; returns the row count of each."""
    for stale in out.glob(".*.tmp") if out.is_dir() else []:
        stale.unlink(missing_ok=True)  # left by a run that was killed while writing
    counts = {}
    for name in TABLE_NAMES:
        t = to_arrow(name, getattr(tables, name))
        write_atomic(t, out / f"{name}.parquet")
        counts[name] = t.num_rows
    return counts


def write_text_atomic(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        _readable(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
