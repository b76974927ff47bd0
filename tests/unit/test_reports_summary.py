"""Unit tests of the report helpers: seams by priority, durations and message clipping."""

from __future__ import annotations

import pytest

from services.cli.reports.summary import (
    clip,
    counts_by_priority,
    format_duration,
    one_line,
)
from shared.contract import SeamReport, TestResult


def _seam(seam_id: str, status: str, priority: str = "P0", *tests: TestResult,
          duration_s: float = 1.0) -> SeamReport:
    return SeamReport(id=seam_id, title=seam_id, priority=priority, status=status,
                      file=f"tests/test_{seam_id}.py", tests=tests, duration_s=duration_s)


def test_counts_by_priority_always_lists_p0_to_p3_and_adds_deferred_when_present() -> None:
    rows = counts_by_priority([_seam("a", "passed", "P1"), _seam("b", "missing", "P1"),
                               _seam("c", "passed", "deferred")])

    assert list(rows) == ["P0", "P1", "P2", "P3", "deferred"]
    assert rows["P0"]["seams"] == 0
    assert rows["P1"] == {"seams": 2, "passed": 1, "failed": 0, "flaky": 0, "rejected": 0,
                          "missing": 1, "error": 0}


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.4234, "0.42s"), (12.34, "12.3s"), (125, "2m 05s"), (3720, "1h 02m"),
     (float("nan"), "?"), (-1, "?")],
)
def test_format_duration_reads_naturally(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_one_line_takes_the_first_non_empty_line_and_cuts_it() -> None:
    assert one_line("\n\n  first  \nsecond") == "first"
    assert one_line("x" * 50, limit=10) == "x" * 9 + "…"


def test_clip_keeps_the_start_and_the_end_of_a_long_message() -> None:
    text = "\n".join(f"line {n}" for n in range(100))

    clipped = clip(text, head=2, tail=3)

    assert clipped.splitlines() == ["line 0", "line 1", "… 95 lines omitted …",
                                    "line 97", "line 98", "line 99"]


def test_clip_bounds_the_characters_of_a_message_with_few_long_lines() -> None:
    clipped = clip("a" * 5_000 + "b" * 5_000, max_chars=1_000)

    assert clipped.startswith("a" * 500)
    assert clipped.endswith("b" * 500)
    assert "characters omitted" in clipped
    assert len(clipped) < 1_100
