"""Progress on stderr: a live view of the run on a terminal, plain lines otherwise.

Off a terminal (tests, CI logs) every event is one line, ``seamq: …``. On a terminal a
``rich`` live view redraws itself four times a second: a ticking clock, seams counted by
status, one row per seam with its status and whole title, and the batch and suite
validations. Nothing is cut: long titles and details wrap. Notices print above the view;
the final ``seamq: run …`` line is printed once the view stops.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from shared.contract import TERMINAL_STATUSES, RunEvent, RunReport, Seam

SYMBOLS = {
    "pending": "·", "generating": "✎", "auditing": "⚖", "executing": "▶", "passed": "✔",
    "failed": "✘", "flaky": "≈", "rejected": "⊘", "missing": "?", "error": "!",
}
STYLES = {"passed": "green", "failed": "red", "flaky": "yellow", "rejected": "magenta",
          "missing": "yellow", "error": "red bold", "executing": "cyan"}
REFRESH_PER_SECOND = 4


def first_line(text: str) -> str:
    """A detail's first line, whole: names in it are never cut."""
    return text.splitlines()[0] if text else ""


def clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(max(0.0, seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"


def final_line(report: RunReport) -> str:
    where = "; ".join(report.environment.sandboxes) or "none (no seam was executed)"
    cause = f" ({report.cause})" if report.cause else ""
    return f"seamq: run {report.status}{cause}; sandbox {where}"


class Progress:
    """Follows a run's events; ``live`` shows the rich view (default: when on a terminal)."""

    def __init__(self, seams: Sequence[Seam], stream: TextIO | None = None,
                 live: bool | None = None, clock: Callable[[], float] = time.monotonic,
                 width: int | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.seams = {s.id: s for s in seams}
        self.status = {s.id: "pending" for s in seams}
        self.detail: dict[str, str] = {}
        self.validations: list[str] = []
        self.run_id = ""
        self.clock = clock
        self.started = clock()
        self.console = Console(file=self.stream, force_terminal=self.live or None, width=width,
                               highlight=False)
        self._view: Live | None = None

    # -- events ---------------------------------------------------------------------------

    def notice(self, text: str) -> None:
        self._emit(f"seamq: {text}")

    def on_event(self, event: RunEvent) -> None:
        if event.event == "seam" and event.seam_id in self.status:
            self._on_seam(event.seam_id, event.status, event.detail)
        elif event.event in ("batch", "suite"):
            detail = f": {first_line(event.detail)}" if event.detail else ""
            line = f"{event.event} validation {event.status}{detail}"
            self.validations.append(line)
            self._plain(f"seamq: {line}")
        elif event.event == "accepted":
            self.run_id = event.run_id
            self._emit(f"seamq: run {event.run_id} accepted ({event.detail})")
        elif event.event == "finished" and event.report is not None:
            self.close()
            self._print(final_line(event.report))

    def _on_seam(self, seam_id: str, status: str, detail: str) -> None:
        if self.status[seam_id] == status and not detail:
            return
        self.status[seam_id] = status
        self.detail[seam_id] = detail
        seam = self.seams[seam_id]
        text = f"seam {seam.id} [{seam.label}] {status}"
        if detail and status != "executing":
            text += f": {first_line(detail)}"
        self._plain(f"seamq: {text}")

    # -- output ---------------------------------------------------------------------------

    def _plain(self, line: str) -> None:
        """A state change: its own line off a terminal; on one the view shows it."""
        if self.live:
            self._start()
            assert self._view is not None
            self._view.refresh()
        else:
            self._print(line)

    def _emit(self, line: str) -> None:
        """A line that stays: above the live view on a terminal."""
        if self.live:
            self._start()
        self._print(line)

    def _print(self, line: str) -> None:
        if self.live:
            self.console.print(Text(line), soft_wrap=False)
        else:
            print(line, file=self.stream, flush=True)

    def _start(self) -> None:
        if self._view is None:
            self._view = Live(self, console=self.console, refresh_per_second=REFRESH_PER_SECOND,
                              transient=False, redirect_stdout=False, redirect_stderr=False)
            self._view.start()

    def close(self) -> None:
        """Stop redrawing (the last frame stays on screen)."""
        if self._view is not None:
            self._view.stop()
            self._view = None

    # -- the live view --------------------------------------------------------------------

    def __rich__(self) -> RenderableType:
        return self.view()

    def counts(self) -> str:
        counted: dict[str, int] = {}
        for status in self.status.values():
            counted[status] = counted.get(status, 0) + 1
        order = [*SYMBOLS]
        return " · ".join(f"{counted[s]} {s}" for s in sorted(counted, key=order.index))

    def view(self) -> RenderableType:
        """The frame drawn now: clock and counts, a row per seam, then the validations."""
        done = sum(s in TERMINAL_STATUSES for s in self.status.values())
        run = f"run {self.run_id}  " if self.run_id else ""
        header = Text(f"seamq  {run}{clock_text(self.clock() - self.started)}  "
                      f"{done}/{len(self.status)} seams done  ({self.counts()})")
        table = Table(box=None, show_header=False, pad_edge=False, expand=False)
        for _ in range(4):  # symbol, priority, id, status
            table.add_column(no_wrap=True)
        table.add_column(overflow="fold", ratio=1)  # the title wraps, never cut
        for seam_id, status in self.status.items():
            seam = self.seams[seam_id]
            title = Text(seam.title)
            detail = self.detail.get(seam_id, "")
            if detail and status in TERMINAL_STATUSES and status != "passed":
                title.append(f"\n{first_line(detail)}", style="dim")
            table.add_row(SYMBOLS.get(status, " "), seam.label, seam.id,
                          Text(status, style=STYLES.get(status, "")), title)
        lines = [Text(line, overflow="fold") for line in self.validations]
        return Group(header, table, *lines)
