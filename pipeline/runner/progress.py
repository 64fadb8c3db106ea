"""Progress on long runs: a bar with ETA on a terminal, plain log lines otherwise."""
from __future__ import annotations

import sys
import time
from typing import TextIO

DEFAULT_BAR_WIDTH = 24


class Progress:
    def __init__(self, total_docs: int, total_units: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self.total_docs = total_docs
        self.total_units = max(total_units, 1)
        self.docs = 0
        self.units = 0
        self.start = time.perf_counter()

    def advance(self, doc_id: str, units: int, status: str, pages: int | None) -> None:
        self.docs += 1
        self.units += units
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.start
        if self.tty:
            done = self.units / self.total_units
            eta = elapsed / done - elapsed if done > 0 else 0.0
            filled = int(DEFAULT_BAR_WIDTH * done)
            bar = "#" * filled + "." * (DEFAULT_BAR_WIDTH - filled)
            line = (f"[{bar}] {self.docs}/{self.total_docs} documents, {elapsed:.1f} s, ETA {eta:.0f} s  "
                    f"{doc_id[-40:]}")
            self.stream.write("\r\033[K" + line + ("\n" if self.docs == self.total_docs else ""))
        else:
            page_text = f", {pages} pages" if pages else ""
            self.stream.write(f"[{self.docs}/{self.total_docs}] {doc_id} ({status}{page_text}) {elapsed:.1f} s\n")
        self.stream.flush()
