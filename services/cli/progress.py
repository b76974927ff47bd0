"""Progress on stderr: a live table of seams on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

from shared.contract import RunEvent, Seam

SYMBOLS = {
    "pending": "·", "generating": "✎", "auditing": "⚖", "executing": "▶", "passed": "✔",
    "failed": "✘", "flaky": "≈", "rejected": "⊘", "missing": "?", "error": "!",
}


class Progress:
    """Follows a run's events; ``live`` redraws a table in place (terminals only)."""

    def __init__(self, seams: Sequence[Seam], stream: TextIO | None = None,
                 live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.seams = {s.id: s for s in seams}
        self.status = {s.id: "pending" for s in seams}
        self.detail: dict[str, str] = {}
        self.lines: list[str] = []
        self.started = time.monotonic()
        self._drawn = 0

    def notice(self, text: str) -> None:
        self._emit(f"seamq: {text}")

    def on_event(self, event: RunEvent) -> None:
        if event.event == "seam" and event.seam_id in self.status:
            if self.status[event.seam_id] == event.status and not event.detail:
                return
            self.status[event.seam_id] = event.status
            self.detail[event.seam_id] = event.detail
            seam = self.seams[event.seam_id]
            text = f"seam {seam.id} [{seam.label}] {event.status}"
            if event.detail and event.status in SYMBOLS and event.status not in ("executing",):
                text += f": {event.detail.splitlines()[0][:240]}"
            self._emit(f"seamq: {text}")
        elif event.event in ("batch", "suite"):
            detail = f": {event.detail.splitlines()[0][:240]}" if event.detail else ""
            self._emit(f"seamq: {event.event} validation {event.status}{detail}")
        elif event.event == "accepted":
            self._emit(f"seamq: run {event.run_id} accepted ({event.detail})")
        elif event.event == "finished" and event.report is not None:
            report = event.report
            where = "; ".join(report.environment.sandboxes) or "none (no seam was executed)"
            cause = f" ({report.cause})" if report.cause else ""
            self._emit(f"seamq: run {report.status}{cause}; sandbox {where}")

    def _emit(self, line: str) -> None:
        if not self.live:
            print(line, file=self.stream, flush=True)
            return
        self.lines = [*self.lines, line][-4:]
        self._redraw()

    def _redraw(self) -> None:
        out = self.stream
        if self._drawn:
            out.write(f"\x1b[{self._drawn}F\x1b[J")
        rows = []
        elapsed = time.monotonic() - self.started
        done = sum(s not in ("pending", "generating", "auditing", "executing")
                   for s in self.status.values())
        rows.append(f"seamq  {done}/{len(self.status)} seams done  {elapsed:6.1f} s")
        for seam_id, status in self.status.items():
            seam = self.seams[seam_id]
            rows.append(f"  {SYMBOLS.get(status, ' ')} {seam.label:<8} {seam.id:<12.12} "
                        f"{status:<10} {seam.title[:50]}")
        rows += [f"  {line}" for line in self.lines]
        out.write("\n".join(rows) + "\n")
        out.flush()
        self._drawn = len(rows)
