"""The live view on a real pseudo-terminal: it redraws on its own, so the clock ticks
between frames while no event arrives, and the final line comes once, after the view."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
SCRIPT = """
import time
from services.cli.progress import Progress
from shared.contract import Priority, RunEvent, RunReport, RunSummary, Seam
seam = Seam(id="1", title="API → DB", line=1, priority=Priority.P0, output_file="t.py")
progress = Progress([seam])
progress.on_event(RunEvent(run_id="r", event="accepted", detail="1 seam(s) selected"))
progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="executing"))
time.sleep(2.2)
report = RunReport(run_id="r", status="passed", plan="P.md", summary=RunSummary(), seams=())
progress.on_event(RunEvent(run_id="r", event="finished", report=report))
"""

pytestmark = [pytest.mark.timeout(60)]


def _run_on_a_terminal(script: str) -> str:
    """Run ``script`` with stdout and stderr on a pseudo-terminal; return what it drew."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=env,
                               stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 65_536)
            except OSError:  # EIO: the terminal's other side has closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        process.wait(timeout=30)
    assert process.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def test_the_clock_ticks_between_frames_on_a_terminal() -> None:
    screen = _run_on_a_terminal(SCRIPT)

    clocks = re.findall(r"seamq  run r  (\d\d:\d\d)", screen)
    assert "00:00" in clocks
    assert "00:02" in clocks
    assert "seamq: seam" not in screen
    assert screen.count("seamq: run passed; sandbox none (no seam was executed)") == 1
