"""Text and JSON renderings of findings (SARIF lives in ``sarif.py``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from shared.contract import Finding


def render_text(findings: Sequence[Finding]) -> str:
    """One ``path:line:col: rule-id message`` line per finding, like a linter."""
    return "".join(f"{f.path}:{f.line}:{f.col}: {f.rule} {f.message}\n" for f in findings)


def render_json(findings: Sequence[Finding], files: int) -> str:
    """``{"findings": [{path, line, col, rule, severity, message}], "summary": {...}}``."""
    counts = Counter(f.severity for f in findings)
    document = {
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "col": f.col,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
            }
            for f in findings
        ],
        "summary": {
            "files": files,
            "error": counts["error"],
            "warning": counts["warning"],
            "info": counts["info"],
        },
    }
    return json.dumps(document, indent=2) + "\n"


def summary_line(findings: Sequence[Finding], files: int) -> str:
    """``seamq audit: 3 files, 1 error, 2 warnings, 0 info`` for the terminal."""
    counts = Counter(f.severity for f in findings)
    return (
        f"seamq audit: {_plural(files, 'file')}, {_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, {counts['info']} info\n"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
