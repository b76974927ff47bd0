"""Helpers every report writer shares: seams by priority, durations, clipping, plain text.

The run's counts are not here: writers show ``RunReport.summary`` (``shared.status``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.contract import PRIORITY_NAMES, TERMINAL_STATUSES, SeamReport

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def plain(text: str) -> str:
    """``text`` without terminal colour codes and without characters XML 1.0 cannot carry.

    Test output often holds ANSI escapes and stray control characters; neither belongs in
    a Markdown or XML report (and the latter makes an XML file unreadable).
    """
    return _ILLEGAL_XML.sub("", _ANSI.sub("", text))


def counts_by_priority(seams: Iterable[SeamReport]) -> dict[str, dict[str, int]]:
    """Seams per priority label, a breakdown the summary does not carry:
    ``{"P0": {"seams": n, "passed": n, ...}, ...}``.

    P0..P3 are always present; ``deferred`` only when such a seam is in the report.
    """
    rows: dict[str, dict[str, int]] = {
        label: dict.fromkeys(("seams", *TERMINAL_STATUSES), 0) for label in PRIORITY_NAMES
    }
    for seam in seams:
        row = rows.setdefault(seam.priority, dict.fromkeys(("seams", *TERMINAL_STATUSES), 0))
        row["seams"] += 1
        row[seam.status] += 1
    return rows


def format_duration(seconds: float) -> str:
    """A duration for people: ``0.42s``, ``12.3s``, ``2m 05s``, ``1h 02m``."""
    if seconds != seconds or seconds < 0:  # NaN or negative: a clock went wrong
        return "?"
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def one_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of ``text``, shortened at a space to ``limit`` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else cut_at_word(line, limit)


def cut_at_word(text: str, limit: int) -> str:
    """``text`` shortened to about ``limit`` characters at a space, so no name is cut."""
    cut = text.rfind(" ", 0, limit)
    return text[:cut] + " …" if cut > 0 else text[: limit - 1] + "…"


def clip(text: str, head: int = 15, tail: int = 35, max_chars: int = 6_000) -> str:
    """Shorten a long message, keeping its start and its end (where the assertion is)."""
    lines = text.rstrip().splitlines()
    if len(lines) > head + tail:
        omitted = len(lines) - head - tail
        lines = [*lines[:head], f"… {omitted} lines omitted …", *lines[-tail:]]
    clipped = "\n".join(lines)
    if len(clipped) > max_chars:
        half = max_chars // 2
        clipped = f"{clipped[:half]}\n… {len(clipped) - max_chars} characters omitted …\n" + (
            clipped[-half:]
        )
    return clipped
