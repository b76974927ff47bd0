"""``seamq audit PATH... [--policy FILE] [--plan PLAN.md] [--format text|json|sarif]``.

The policy comes from the nearest pyproject.toml above the audited paths (which also
bounds the conftest.py search) and ``--policy``. Text and JSON name files relative to the
working directory, SARIF relative to the repository root (the nearest ``.git`` above).
Exit codes: 0 no error-severity finding, 1 some, 4 usage or policy error (one line on err).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from services.auditor.engine import audit_paths, discover
from services.auditor.formats import render_json, render_text, summary_line
from services.auditor.policy import load_policy
from services.auditor.sarif import to_sarif
from shared.contract import Finding
from shared.errors import PlanError, UsageError
from shared.plan import read_plan

FORMATS = ("text", "json", "sarif")


def audit_command(
    paths: Sequence[str],
    policy_file: str | None,
    plan: str | None,
    fmt: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """Run the whole ``seamq audit`` behaviour; returns the exit code (0, 1 or 4)."""
    try:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
        if not paths:
            raise UsageError("no PATH to audit")
        targets = [Path(p) for p in paths]
        for target in targets:
            if not target.exists():
                raise UsageError(f"{target}: no such file or directory")
        start = _common_dir(targets)
        project = _nearest(start, "pyproject.toml")
        policy = load_policy(project, Path(policy_file) if policy_file else None)
        names = _expected_names(Path(plan)) if plan else set()
        files = discover(targets)
        base = project or _nearest(start, ".git") or start
        findings = audit_paths(files, policy, base, expected_names=names)
    except (UsageError, PlanError) as e:
        err.write(f"{' '.join(str(e).split())}\n")
        return e.exit_code
    absolute = [_absolute(f, base) for f in findings]
    if fmt == "sarif":
        repository = _nearest(start, ".git") or base
        out.write(json.dumps(to_sarif(absolute, repository), indent=2) + "\n")
    else:
        cwd = Path.cwd().resolve()
        shown = [_relative(f, cwd) for f in absolute]
        out.write(render_json(shown, len(files)) if fmt == "json" else render_text(shown))
        if fmt == "text":
            err.write(summary_line(shown, len(files)))
    if not files:
        err.write("seamq audit: no test files found (test_*.py, *_test.py)\n")
    return 1 if any(f.severity == "error" for f in findings) else 0


def _common_dir(targets: list[Path]) -> Path:
    dirs = [t.resolve() if t.is_dir() else t.resolve().parent for t in targets]
    return Path(os.path.commonpath(dirs))


def _nearest(start: Path, marker: str) -> Path | None:
    """The closest of ``start`` and its parents that holds ``marker``."""
    for directory in (start, *start.parents):
        if (directory / marker).exists():
            return directory
    return None


def _absolute(finding: Finding, base: Path) -> Finding:
    if Path(finding.path).is_absolute():
        return finding
    return finding.model_copy(update={"path": str(base / finding.path)})


def _relative(finding: Finding, directory: Path) -> Finding:
    try:
        return finding.model_copy(
            update={"path": Path(finding.path).relative_to(directory).as_posix()}
        )
    except ValueError:
        return finding


def _expected_names(plan: Path) -> set[str]:
    """The test file names the plan gives its seams, read by the one plan reader."""
    return {Path(seam.output_file).name for seam in read_plan(plan).seams}
