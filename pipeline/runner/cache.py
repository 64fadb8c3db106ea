"""Per-document cache of extracted rows under the output folder (`<out>/.cache/`).

An entry's key is the sha256 of: the package version and source code, the rules' hash, the
document's id and source path, and the source file's sha256. A re-run loads
unchanged documents from here; entries no run uses any more are pruned. Each
entry is written atomically, so a killed run leaves only whole entries.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..model import Tables

DEFAULT_CACHE_DIR = ".cache"


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 of the package's own source: a new version of the code re-extracts everything."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent.parent
    for p in sorted(pkg.rglob("*.py")):
        h.update(p.relative_to(pkg).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(rules_hash: str, doc_id: str, source_path: str, source_sha256: str) -> str:
    h = hashlib.sha256()
    for part in (__version__, code_hash(), rules_hash, doc_id, source_path, source_sha256):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.pkl"

    def get(self, key: str) -> Tables | None:
        self.used.add(key)
        try:
            with self._path(key).open("rb") as fh:
                value = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return value if isinstance(value, Tables) else None

    def put(self, key: str, tables: Tables) -> None:
        self.used.add(key)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def prune(self) -> None:
        """Drop entries this run did not use (documents that changed or left raw/) and stray temp files."""
        if not self.root.is_dir():
            return
        for p in self.root.iterdir():
            if p.suffix == ".tmp" or (p.suffix == ".pkl" and p.stem not in self.used):
                p.unlink(missing_ok=True)
