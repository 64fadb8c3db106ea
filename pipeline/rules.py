"""Load the domain rules under rules/ (TOML and TSV) once per process.

Rules are data: heading patterns, kind words, KPI vocabulary, eras, units,
character tables. Code reads them through `load_rules()`; `rules_hash()`
identifies the rule set for caches.
"""
from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def rules_dir() -> Path:
    return Path(os.environ.get("PIPELINE_RULES_DIR", DEFAULT_RULES_DIR))


@dataclass(frozen=True)
class Rules:
    """All rule files, parsed. `toml[name]` is rules/<name>.toml as a dict."""

    root: Path
    toml: dict[str, dict[str, Any]]
    radicals: dict[str, str]
    rare_radicals: frozenset[str]
    _compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, compare=False)

    def memo(self, name: str, build: Callable[["Rules"], T]) -> T:
        """What `build` derives from these rules (a compiled normalizer, era table …), built once."""
        if name not in self._memo:
            self._memo[name] = build(self)
        return self._memo[name]  # type: ignore[no-any-return]

    def get(self, name: str) -> dict[str, Any]:
        return self.toml.get(name, {})

    def regex(self, pattern: str) -> re.Pattern[str]:
        """Compile (and cache) a pattern taken from a rule file."""
        rx = self._compiled.get(pattern)
        if rx is None:
            rx = re.compile(pattern)
            self._compiled[pattern] = rx
        return rx


def _read_radicals(path: Path) -> tuple[dict[str, str], frozenset[str]]:
    table: dict[str, str] = {}
    rare: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3 or cols[0] == "radical":
            continue
        table[cols[0]] = cols[1]
        if cols[2] == "rare":
            rare.add(cols[0])
    return table, frozenset(rare)


class RulesError(Exception):
    """A rule file is missing or malformed; the message names the file and the place."""


def _compiles(pattern: str) -> str | None:
    """None when the pattern compiles (with its {kinds} placeholder filled in), else the error."""
    tries = [pattern.replace("{kinds}", "X")]
    if "{{" in pattern:
        tries.append(pattern.replace("{kinds}", "X").replace("{{", "{").replace("}}", "}"))
    error = None
    for t in tries:
        try:
            re.compile(t)
            return None
        except re.error as exc:
            error = str(exc)
    return error


def _check_patterns(path: Path, node: Any, where: str) -> None:
    """Every regular expression of a rule file (keys `pattern`, `*_pattern`, `*_patterns`) compiles,
    or the run stops with the file and the key named (exit 2)."""
    if isinstance(node, list):
        for i, x in enumerate(node):
            _check_patterns(path, x, f"{where}[{i}]")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        at = f"{where}.{key}" if where else key
        if isinstance(node.get("name"), str):
            at = f"{where}({node['name']}).{key}"
        is_pattern = key == "pattern" or key.endswith("_pattern")
        if is_pattern and isinstance(value, str) or key.endswith("_patterns") and isinstance(value, list):
            for pat in [value] if isinstance(value, str) else value:
                err = _compiles(str(pat))
                if err:
                    raise RulesError(f"{path}: {at}: bad regular expression {pat!r}: {err}")
        else:
            _check_patterns(path, value, at)


@lru_cache(maxsize=4)
def _load(root: str) -> Rules:
    base = Path(root)
    if not (base / "radicals.tsv").is_file():
        raise RulesError(f"{base}: not a rules folder (radicals.tsv missing); set PIPELINE_RULES_DIR or restore rules/")
    tomls: dict[str, dict[str, Any]] = {}
    for p in sorted(base.glob("*.toml")):
        try:
            with p.open("rb") as fh:
                tomls[p.stem] = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{p}: not valid TOML: {exc}") from None
    for p in sorted(base.glob("*.toml")):
        _check_patterns(p, tomls[p.stem], "")
    radicals, rare = _read_radicals(base / "radicals.tsv")
    return Rules(root=base, toml=tomls, radicals=radicals, rare_radicals=rare)


def load_rules() -> Rules:
    return _load(str(rules_dir()))


def rules_hash(root: Path | None = None) -> str:
    """sha256 over every rule file's name and bytes, in name order."""
    base = root or rules_dir()
    h = hashlib.sha256()
    for p in sorted(base.iterdir()):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()
