"""Write a finished run's files: reports, coverage.xml (when coverage was measured),
audit.sarif, generated/ and write-back."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from services.auditor.sarif import from_project, repository_root, to_sarif
from services.cli.progress import first_line
from services.cli.reports import report_dict, write_reports
from services.cli.reports.coverage_report import cobertura_xml
from shared.contract import RunReport, RunRequest
from shared.errors import UsageError
from shared.project import safe_relpath

EXIT_CODES = {"passed": 0, "failed": 1, "interrupted": 2, "error": 3}


def out_dir_for(out: str | None, run_id: str) -> Path:
    """``--out``, else ``.seamq/runs/<run_id>``."""
    return Path(out) if out else Path(".seamq") / "runs" / run_id


def check_out_dir(out_dir: Path) -> None:
    """Make sure reports can be written to ``out_dir`` before any test runs (else one line,
    exit 4): it is, or can become, a directory we can create files in."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except FileExistsError:
        raise UsageError(f"--out: {out_dir} exists and is not a directory") from None
    except OSError as e:
        raise UsageError(f"--out: cannot write reports to {out_dir}: "
                         f"{e.strerror or e}") from None


def write_run_outputs(report: RunReport, out_dir: Path, project: Path | None,
                      write_back: bool) -> dict[str, Path]:
    """Everything ``seamq run`` promises under ``--out`` (and in the project with write-back)."""
    written = write_reports(report, out_dir)
    cobertura = cobertura_xml(report, project) if project is not None else None
    if cobertura is not None:
        (out_dir / "coverage.xml").write_bytes(cobertura)
        written["coverage.xml"] = out_dir / "coverage.xml"
    findings = [f for seam in report.seams for f in seam.findings]
    sarif = out_dir / "audit.sarif"
    if project is not None:
        # Paths in the report are relative to the project; SARIF's to the repository.
        findings = from_project(findings, project)
    root = repository_root(project) if project is not None else None
    sarif.write_text(json.dumps(to_sarif(findings, root), indent=2))
    written["audit.sarif"] = sarif
    for rel, content in report.generated_files.items():
        target = out_dir / "generated" / safe_relpath(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        if write_back and project is not None:
            seam = next((s for s in report.seams if s.file == rel), None)
            if seam is not None and seam.status == "passed":
                destination = project / safe_relpath(rel)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_text(content)
    return written


def exit_code(report: RunReport) -> int:
    return EXIT_CODES.get(report.status, 3)


def text_summary(report: RunReport, out_dir: Path) -> str:
    lines = [f"seamq run {report.run_id}: {report.status}"]
    if report.cause:
        lines.append(f"  cause: {report.cause}")
    for where in report.environment.sandboxes:
        python = ", ".join(report.environment.python) or "?"
        pytest = ", ".join(report.environment.pytest) or "?"
        lines.append(f"  sandbox: {where} (Python {python}, pytest {pytest})")
    for seam in report.seams:
        line = f"  {seam.status:<8} {seam.priority:<8} {seam.id}: {seam.title}"
        if seam.reason:
            line += f" — {first_line(seam.reason)}"
        lines.append(line)
    for index, batch in enumerate(report.batches, 1):
        if batch.status in ("conflict", "error"):
            lines.append(f"  batch {index} ({', '.join(batch.seams)}): {batch.status} — "
                         f"{first_line(batch.detail)}")
    if report.suite.status in ("conflict", "error"):
        lines.append(f"  suite: {report.suite.status} — {first_line(report.suite.detail)}")
    check = report.suite.count_check
    if check is not None and not check.ok:
        lines.append(f"  count check: {check.detail}")
    lines.append(f"  reports: {out_dir}")
    return "\n".join(lines)


def finish_run(report: RunReport, request: RunRequest, *, out: str | None, write_back: bool,
               fmt: str) -> int:
    """Write the run's files, print the report (JSON or a summary), return the exit code.

    The one way ``seamq run`` and ``seamq submit --wait`` finish: ``out`` is ``--out``
    (default ``.seamq/runs/<run_id>``), write-back needs a project given by path."""
    out_dir = out_dir_for(out, request.run_id)
    project = Path(request.project.path) if request.project.kind == "path" else None
    write_run_outputs(report, out_dir, project, write_back)
    if fmt == "json":
        print(json.dumps(report_dict(report), indent=2))
    else:
        print(text_summary(report, out_dir))
    return exit_code(report)
