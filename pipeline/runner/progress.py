"""Progress on long runs: a bar with ETA on a terminal, plain log lines otherwise.

It shows at once (before the first document is read), counts PDF pages as well as documents,
and estimates the time left from the work done since reading started (documents from the cache
are free and do not count), so the first ETA is neither zero nor absurd: none is shown before
a page or a document is finished.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

DEFAULT_BAR_WIDTH = 24
# the terminal bar is redrawn at most this often (seconds)
DEFAULT_REDRAW = 0.2


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    def __init__(self, total_docs: int, total_units: int = 0, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError, OSError):
            self.tty = False
        self.quiet = quiet
        self.total_docs = total_docs
        self.total_units = total_units  # work units: a PDF page, or 1 per text document
        self.total_pages = 0
        self.docs = 0
        self.units = 0      # units done by reading (not from the cache)
        self.pages = 0
        self.cached = 0
        self.start = time.perf_counter()
        self.work_start: float | None = None
        self._drawn = 0.0
        self._last = ""

    # -- output -------------------------------------------------------------------------------
    def _write(self, text: str, force: bool = False) -> None:
        if self.quiet and not force:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: the run goes on without progress
            self.quiet = True

    def note(self, message: str) -> None:
        """A warning line that does not garble the bar (shown with --quiet too)."""
        if self.quiet:
            self._write(message + "\n", force=True)
            return
        self._write(("\r\033[K" if self.tty else "") + message + "\n")
        if self.tty and self._last:
            self._write(self._last)

    def eta(self) -> float | None:
        if self.work_start is None or self.units <= 0:
            return None
        spent = time.perf_counter() - self.work_start
        left = max(self.total_units - self.units, 0)
        return spent / self.units * left

    def _status(self) -> str:
        elapsed = time.perf_counter() - self.start
        parts = [f"{self.docs}/{self.total_docs} documents"]
        if self.total_pages:
            parts.append(f"{self.pages}/{self.total_pages} pages")
        eta = self.eta()
        parts.append(f"{elapsed:.1f} s")
        if self.docs < self.total_docs:
            parts.append(f"ETA {_duration(eta)}" if eta is not None else "ETA …")
        return ", ".join(parts)

    def _draw(self, tail: str = "", force: bool = False) -> None:
        if self.quiet or not self.tty:
            return
        now = time.perf_counter()
        if not force and now - self._drawn < DEFAULT_REDRAW:
            return
        self._drawn = now
        work = self.units + self.cached
        whole = self.total_units + self.cached
        done = work / whole if whole else (self.docs / self.total_docs if self.total_docs else 1.0)
        filled = min(DEFAULT_BAR_WIDTH, int(DEFAULT_BAR_WIDTH * done))
        bar = "#" * filled + "." * (DEFAULT_BAR_WIDTH - filled)
        self._last = f"\r\033[K[{bar}] {self._status()}  {tail[-40:]}"
        self._write(self._last)

    # -- events -------------------------------------------------------------------------------
    def begin(self, what: str) -> None:
        """Shown at once: what is about to be read."""
        if self.tty:
            self._write(what + "\n")
            self._draw(force=True)
        else:
            self._write(what + "\n")

    def scanning(self, done: int) -> None:
        if self.tty and not self.quiet:
            now = time.perf_counter()
            if now - self._drawn >= DEFAULT_REDRAW:
                self._drawn = now
                self._write(f"\r\033[Kchecking {done}/{self.total_docs} documents against the cache …")

    def plan(self, total_units: int, total_pages: int) -> None:
        self.total_units = total_units
        self.total_pages = total_pages

    def working(self) -> None:
        """Reading starts now (the ETA counts from here)."""
        if self.work_start is None:
            self.work_start = time.perf_counter()
        self._draw(force=True)

    def partial(self, units: int, pages: int = 0) -> None:
        """Pages of a long PDF read before the whole document is done."""
        self.units += units
        self.pages += pages
        self._draw()

    def refresh(self) -> None:
        self._draw()

    def advance(self, doc_id: str, units: int, status: str, pages: int | None, new_pages: int | None = None) -> None:
        """A document is done: `units` of work not counted before, `new_pages` of its `pages` likewise."""
        self.docs += 1
        if status == "cached":
            self.cached += 1
        else:
            self.units += units
            self.pages += pages or 0 if new_pages is None else new_pages
        if self.quiet:
            return
        if self.tty:
            self._draw(doc_id, force=self.docs == self.total_docs or status != "cached")
            if self.docs == self.total_docs:
                self._write("\n")
                self._last = ""
        else:
            page_text = f", {pages} pages" if pages else ""
            self._write(f"[{self.docs}/{self.total_docs}] {doc_id} ({status}{page_text}) {self._status()}\n")
