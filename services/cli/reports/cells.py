"""Markdown building blocks for ``report.md``: table cells, code spans, fences, tables."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from services.cli.reports.summary import cut_at_word, plain

ICONS = {
    "passed": "✅",
    "failed": "❌",
    "flaky": "🔁",
    "rejected": "🚫",
    "missing": "❓",
    "error": "💥",
    "interrupted": "⏹️",
    "isolated": "✅",
    "conflict": "❌",
    "skipped": "⏭️",
}


def cell(text: object, limit: int = 300) -> str:
    """Text made safe for one table cell: a single line, pipes and HTML escaped."""
    flat = " ".join(plain(str(text)).split())
    if len(flat) > limit:
        flat = cut_at_word(flat, limit)
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def cell_code(text: str) -> str:
    """``code`` for a table cell, where even inside code a ``|`` must be escaped."""
    return code(text).replace("|", "\\|")


def code(text: str) -> str:
    """An inline code span (outside tables) that survives backticks inside ``text``."""
    flat = " ".join(plain(text).split())
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fenced(text: str, lang: str = "text") -> list[str]:
    """A fenced block whose fence is longer than any backtick run inside ``text``."""
    text = plain(text)
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", text, fence]


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GitHub table; cells must already be escaped with ``cell`` or ``code``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]
