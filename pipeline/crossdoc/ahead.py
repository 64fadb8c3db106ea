"""The cross-document layer working ahead while an extract's workers read (the runner's
`Prepare`): it runs in the parent process, which is otherwise idle then. Importing this module
is cheap; the layer itself (pyarrow, DuckDB, Sudachi) is imported once the workers are forked."""
from __future__ import annotations

from typing import Any

from ..rules import Rules


class CompareAhead:
    """`start`: the layer's imports, dictionaries and report template; `rows`: a finished
    document's texts tokenized as the layer will tokenize them."""

    def __init__(self, rules: Rules):
        self._rules = rules
        self._synonyms: dict[str, str] | None = None

    def start(self) -> None:
        from .series import prepare

        prepare()

    def rows(self, tables: Any) -> None:
        from .series import synonyms_of, warm_rows

        if self._synonyms is None:
            self._synonyms = synonyms_of(self._rules)
        warm_rows(tables, self._rules, self._synonyms)
