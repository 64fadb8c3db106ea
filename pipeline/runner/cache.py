"""Per-document cache of extracted rows under the output folder (`<out>/.cache/`).

An entry's key is the sha256 of: the package version and source code, the rules' hash, the
document's id and source path (relative to --raw's parent: the same run from another working
directory hits the same entries), and the source file's sha256. A re-run loads unchanged
documents from here; entries no run uses any more are pruned.

An entry is a header line, the sha256 of its payload, and the payload: the document's rows as
JSON (data only: loading an entry can never run code). An entry whose checksum or format does
not match — a flipped byte, a truncated file, anything else — is reported and recomputed, never
trusted and never fatal. Each entry is written atomically, so a killed run leaves only whole
entries (and temporary files that the next run, or the run's janitor, removes).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..model import TABLE_NAMES, Tables

DEFAULT_CACHE_DIR = ".cache"
MAGIC = b"pipeline-cache 2\n"
_SUFFIX = ".pkl"  # the name older versions used (tests and tools look for it); the content is JSON


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 of the package's own source: a new version of the code re-extracts everything."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent.parent
    for p in sorted(pkg.rglob("*.py")):
        h.update(p.relative_to(pkg).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(rules_hash: str, doc_id: str, source_path: str, source_sha256: str, pdf_engine: str = "pdfplumber") -> str:
    h = hashlib.sha256()
    # the PDF engine (--pdf-engine) is part of the key; the reference engine's keys stay as they were
    engine = () if pdf_engine == "pdfplumber" else (f"pdf-engine={pdf_engine}",)
    for part in (__version__, code_hash(), rules_hash, doc_id, source_path, source_sha256, *engine):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


class CacheDamaged(ValueError):
    """An entry that is not what was written: its rows are recomputed."""


def encode(tables: Tables) -> bytes:
    """Raises TypeError/ValueError when a row holds something JSON cannot (then it is not cached)."""
    payload = json.dumps({name: getattr(tables, name) for name in TABLE_NAMES}, ensure_ascii=False,
                         separators=(",", ":")).encode("utf-8", "surrogatepass")
    return MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def _payload(data: bytes) -> bytes:
    if not data.startswith(MAGIC):
        raise CacheDamaged("unknown header" if data else "empty file")
    head = len(MAGIC)
    digest, nl, payload = data[head:head + 64], data[head + 64:head + 65], data[head + 65:]
    if nl != b"\n":
        raise CacheDamaged("truncated header")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        raise CacheDamaged("checksum mismatch")
    return payload


def decode(data: bytes) -> Tables:
    """Raises CacheDamaged for anything but an intact entry."""
    payload = _payload(data)
    try:
        obj = json.loads(payload.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CacheDamaged(f"unreadable payload ({type(exc).__name__})") from None
    if not isinstance(obj, dict) or set(obj) != set(TABLE_NAMES) or not all(
            isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in obj.values()):
        raise CacheDamaged("unexpected content")
    return Tables(**obj)


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[str] = set()
        self.damaged: dict[str, str] = {}  # key -> what was wrong with it

    def _path(self, key: str) -> Path:
        return self.root / f"{key}{_SUFFIX}"

    def _read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.damaged[key] = f"cannot be read ({exc.strerror})"
            return None

    def check(self, key: str) -> bool:
        """True when an intact entry exists (checksum verified, nothing parsed yet)."""
        self.used.add(key)
        data = self._read(key)
        if data is None:
            return False
        try:
            _payload(data)
        except CacheDamaged as exc:
            self.damaged[key] = str(exc)
            return False
        return True

    def get(self, key: str) -> Tables | None:
        self.used.add(key)
        data = self._read(key)
        if data is None:
            return None
        try:
            return decode(data)
        except CacheDamaged as exc:
            self.damaged[key] = str(exc)
            return None

    def put(self, key: str, tables: Tables) -> None:
        self.used.add(key)
        try:
            data = encode(tables)
        except (TypeError, ValueError):
            return  # a value JSON cannot hold: the document is simply read again next time
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def prune(self) -> None:
        """Drop entries this run did not use (documents that changed or left raw/), entries of older
        formats and stray temp files."""
        if not self.root.is_dir():
            return
        for p in self.root.iterdir():
            if p.suffix == ".tmp" or (p.suffix == _SUFFIX and p.stem not in self.used):
                p.unlink(missing_ok=True)
