"""Helpers every report writer shares: counts by status and priority, durations, clipping."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from shared.contract import SeamReport, TestResult

SEAM_STATUSES = ("passed", "failed", "flaky", "rejected", "missing", "error")
TEST_OUTCOMES = ("passed", "failed", "flaky", "error", "skipped")
PRIORITIES = ("P0", "P1", "P2", "P3")

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def plain(text: str) -> str:
    """``text`` without terminal colour codes and without characters XML 1.0 cannot carry.

    Test output often holds ANSI escapes and stray control characters; neither belongs in
    a Markdown or XML report (and the latter makes an XML file unreadable).
    """
    return _ILLEGAL_XML.sub("", _ANSI.sub("", text))


def is_flaky(test: TestResult) -> bool:
    """True when a test is marked flaky, or both passed and failed across its repeats."""
    runs = set(test.runs)
    return test.outcome == "flaky" or ("passed" in runs and bool(runs & {"failed", "error"}))


def shown_outcome(test: TestResult) -> str:
    """The outcome reports show: ``flaky`` whenever the repeats disagreed on a verdict."""
    return "flaky" if is_flaky(test) else test.outcome


def summary_counts(
    seams: Iterable[SeamReport], duration_s: float | None = None
) -> dict[str, Any]:
    """The ``RunReport.summary`` content: seams by status, tests by outcome, duration.

    ``duration_s`` defaults to the sum of the seams' durations; callers that know the
    run's wall-clock time pass it instead.
    """
    seams = tuple(seams)
    by_status: Counter[str] = Counter(seam.status for seam in seams)
    by_outcome: Counter[str] = Counter(
        shown_outcome(test) for seam in seams for test in seam.tests
    )
    if duration_s is None:
        duration_s = sum(seam.duration_s for seam in seams)
    return {
        "seams": {status: by_status[status] for status in SEAM_STATUSES},
        "tests": {outcome: by_outcome[outcome] for outcome in TEST_OUTCOMES},
        "duration_s": round(duration_s, 3),
    }


def counts_by_priority(seams: Iterable[SeamReport]) -> dict[str, dict[str, int]]:
    """Seam counts per priority label: ``{"P0": {"seams": n, "passed": n, ...}, ...}``.

    P0..P3 are always present; ``deferred`` only when such a seam is in the report.
    """
    rows: dict[str, dict[str, int]] = {
        label: dict.fromkeys(("seams", *SEAM_STATUSES), 0) for label in PRIORITIES
    }
    for seam in seams:
        row = rows.setdefault(seam.priority, dict.fromkeys(("seams", *SEAM_STATUSES), 0))
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
    """The first non-empty line of ``text``, cut to ``limit`` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


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
