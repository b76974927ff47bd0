"""The run report writers: ``report.md``, ``report.json`` and ``junit.xml``.

``audit.sarif`` and ``generated/`` are written by the caller. Writers show the report as
built, its ``summary`` included (``shared.status.summarize``); they never recount.
"""

from __future__ import annotations

import os
from pathlib import Path

from services.cli.reports.json_report import report_dict, report_json
from services.cli.reports.junit import junit_bytes
from services.cli.reports.markdown import render_markdown
from shared.contract import RunReport

__all__ = ["render_markdown", "report_dict", "report_json", "write_reports"]


def write_reports(report: RunReport, out_dir: Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.json`` and ``junit.xml`` under ``out_dir``.

    Returns the written paths keyed by file name. Each file is written to a temporary
    name first and then renamed, so a reader never sees half a report.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {
        "report.md": render_markdown(report).encode(),
        "report.json": report_json(report).encode(),
        "junit.xml": junit_bytes(report),
    }
    written: dict[str, Path] = {}
    for name, data in contents.items():
        path = out_dir / name
        partial = path.with_name(f".{name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        written[name] = path
    return written
