"""The progress view: plain lines off a terminal, a redrawn table on one."""

from __future__ import annotations

import io

from services.cli.progress import Progress
from shared.contract import Priority, RunEvent, Seam

SEAMS = (Seam(id="1", title="API → DB", line=1, priority=Priority.P0, output_file="t.py"),
         Seam(id="2", title="DB → Cache", line=9, priority=Priority.P1, output_file="u.py"))


def test_plain_lines_name_each_seam_change() -> None:
    out = io.StringIO()
    progress = Progress(SEAMS, stream=out, live=False)

    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="executing"))
    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="failed",
                               detail="1 test(s) failed in every repeat"))

    assert out.getvalue().splitlines() == [
        "seamq: seam 1 [P0] executing",
        "seamq: seam 1 [P0] failed: 1 test(s) failed in every repeat",
    ]


def test_live_view_redraws_a_table_of_every_seam() -> None:
    out = io.StringIO()
    progress = Progress(SEAMS, stream=out, live=True)

    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="2", status="passed"))

    text = out.getvalue()
    assert "1/2 seams done" in text
    assert "DB → Cache" in text
    assert "API → DB" in text
    progress.on_event(RunEvent(run_id="r", event="seam", seam_id="1", status="passed"))
    assert "\x1b[" in out.getvalue()
    assert "2/2 seams done" in out.getvalue()
