"""Extract glossary rows from a segmented document (filled in by its own issue)."""
from __future__ import annotations

from .model import Document, Tables
from .rules import Rules


def extract(doc: Document, out: Tables, rules: Rules) -> None:
    return None
