"""The progress view: plain lines off a terminal; on one a rich live view with a ticking
clock, counts by status and one row per seam, where nothing is cut mid-name."""

from __future__ import annotations

import io

from rich.console import Console

from services.cli.progress import Progress
from shared.contract import Priority, RunEvent, RunReport, RunSummary, Seam

LONG_TITLE = ("Order API → inventory reservation service → warehouse_allocation_queue_consumer "
              "→ shipping_label_printer")
SEAMS = (Seam(id="1", title="API → DB", line=1, priority=Priority.P0, output_file="t.py"),
         Seam(id="2", title=LONG_TITLE, line=9, priority=Priority.P1, output_file="u.py"))
POLLUTER = "tests/test_seam_02_integration.py::test_cache_settings_leak_into_the_next_test"
CONFLICT = ("tests/test_seam_01_integration.py::test_reads_the_default_cache_size failed after "
            + "x" * 150 + f" ran {POLLUTER}")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _report() -> RunReport:
    return RunReport(run_id="r", status="passed", plan="PLAN.md", summary=RunSummary(),
                     seams=())


def test_plain_lines_name_each_seam_change() -> None:
    out = io.StringIO()
    progress = Progress(SEAMS, stream=out, live=False)

    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="executing"))
    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="failed",
                               detail="1 test(s) failed in every repeat"))
    progress.on_event(RunEvent(run_id="r", event="finished", report=_report()))

    assert out.getvalue().splitlines() == [
        "seamq: seam 1 [P0] executing",
        "seamq: seam 1 [P0] failed: 1 test(s) failed in every repeat",
        "seamq: run passed; sandbox none (no seam was executed)",
    ]


def test_a_plain_conflict_line_keeps_the_polluters_whole_name() -> None:
    out = io.StringIO()
    progress = Progress(SEAMS, stream=out, live=False)

    progress.on_event(RunEvent(run_id="r", event="batch", status="conflict", detail=CONFLICT))

    assert out.getvalue() == f"seamq: batch validation conflict: {CONFLICT}\n"


def _frame(progress: Progress, width: int = 60) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    console.print(progress.view())
    return console.export_text()


def test_the_view_shows_the_clock_the_counts_and_a_row_per_seam() -> None:
    clock = Clock()
    progress = Progress(SEAMS, stream=io.StringIO(), live=False, clock=clock)
    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="passed"))
    clock.now += 67

    frame = _frame(progress)

    assert "01:07" in frame
    assert "1/2 seams done" in frame
    assert "(1 pending · 1 passed)" in frame
    assert frame.splitlines()[1].split() == ["✔", "P0", "1", "passed", "API", "→", "DB"]


def test_a_long_title_and_detail_wrap_without_cutting_a_name() -> None:
    progress = Progress(SEAMS, stream=io.StringIO(), live=False)
    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="2", status="failed",
                               detail=f"failed with {POLLUTER.split('::')[1]}"))
    progress.on_event(RunEvent(run_id="r", event="suite", status="conflict", detail=CONFLICT))

    frame = _frame(progress, width=100)
    words = frame.split()

    assert all(word in words for word in LONG_TITLE.split())
    assert "test_cache_settings_leak_into_the_next_test" in words
    assert POLLUTER in words


def test_on_a_terminal_state_changes_are_not_printed_again_under_the_view() -> None:
    out = io.StringIO()
    progress = Progress(SEAMS, stream=out, live=True, width=80)

    progress.on_event(RunEvent(run_id="r", event="accepted", detail="2 seam(s) selected"))
    for status in ("auditing", "executing", "passed"):
        progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status=status))
    progress.on_event(RunEvent(run_id="r", event="finished", report=_report()))

    text = out.getvalue()
    assert "seamq: seam" not in text
    assert text.count("seamq: run r accepted (2 seam(s) selected)") == 1
    assert text.rstrip().endswith("seamq: run passed; sandbox none (no seam was executed)")
