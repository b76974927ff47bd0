"""Coverage in the run's files: report.json's ``coverage``, report.md's column and section,
and ``coverage.xml`` (Cobertura, by coverage.py's own XML reporter on the merged data).

Per seam: line and branch coverage of its component and the lines its tests did not reach
(for a generated seam, also what the existing tests it was compared with cover); merged over
the run: a line counts when any seam covered it, and the component lines no seam covers are
listed per file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from services.cli.reports.cells import cell, code, table
from shared.contract import BaselineCoverage, RunCoverage, RunReport, SeamCoverage, SeamReport
from shared.coverage import percent, uncovered


def seam_coverage_dict(coverage: SeamCoverage | None) -> dict[str, Any] | None:
    """A seam's coverage for report.json (executed arcs left out: coverage.xml has them)."""
    if coverage is None:
        return None
    return {
        "measured": coverage.measured, "reason": coverage.reason, "refused": coverage.refused,
        "component": list(coverage.component), **coverage.rates.model_dump(mode="json"),
        "files": [f.model_dump(mode="json", exclude={"arcs"}) for f in coverage.files],
        "baseline": _baseline_dict(coverage.baseline),
    }


def _baseline_dict(baseline: BaselineCoverage | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return {"tests": list(baseline.tests), "measured": baseline.measured,
            "reason": baseline.reason, **baseline.rates.model_dump(mode="json"),
            "files": [f.model_dump(mode="json", exclude={"arcs"}) for f in baseline.files]}


def run_coverage_dict(coverage: RunCoverage | None) -> dict[str, Any] | None:
    """The merged coverage for report.json."""
    if coverage is None:
        return None
    return {**coverage.rates.model_dump(mode="json"), "by_priority": coverage.by_priority,
            "files": [f.model_dump(mode="json", exclude={"arcs"}) for f in coverage.files]}


def seam_coverage_line(seam: SeamReport) -> list[str]:
    """The seam section's ``Coverage`` line."""
    coverage = seam.coverage
    if coverage is None:
        return []
    if not coverage.measured:
        return [f"- **Coverage**: {cell(coverage.reason)}"]
    rates = coverage.rates
    said = (f"{percent(rates.total)} of {', '.join(code(c) for c in coverage.component)} "
            f"(lines {percent(rates.lines)}, branches {percent(rates.branches)})")
    missing = uncovered(coverage.files)
    lines = [f"- **Coverage**: {said}" + (f"; not covered: {cell(missing)}" if missing else "")]
    baseline = coverage.baseline
    if baseline is not None:
        tests = ", ".join(code(t) for t in baseline.tests)
        covers = (f"cover {percent(baseline.rates.total)}" if baseline.measured
                  else cell(baseline.reason))
        lines.append(f"- **Existing tests** compared with ({tests}): {covers}")
    return lines


def coverage_section(report: RunReport) -> list[str]:
    """report.md's ``Coverage`` section: the merged rates and what no seam covers."""
    merged = report.coverage
    if merged is None:
        return []
    rates = merged.rates
    lines = ["## Coverage", "", f"Merged over the run's seams: {percent(rates.total)} "
             f"(lines {percent(rates.lines)}, branches {percent(rates.branches)}); "
             "`coverage.xml` holds it in Cobertura form.", ""]
    rows = [[code(f.path), str(f.statements), percent(1 - len(f.missing) / f.statements)
             if f.statements else "n/a", cell(uncovered([f]).split(":", 1)[-1] or "none")]
            for f in merged.files]
    return [*lines, *table(["File", "Statements", "Lines", "Lines no seam covers"], rows)]


def cobertura_xml(report: RunReport, project: Path) -> bytes | None:
    """``coverage.xml`` from the merged executed arcs, reported by coverage.py against the
    project's sources (paths relative to the project); None without coverage.py or data."""
    if report.coverage is None or not report.coverage.files:
        return None
    try:
        import coverage
    except ImportError:
        return None
    root = project.resolve()
    with tempfile.TemporaryDirectory(prefix="seamq-cobertura-") as tmp:
        data = coverage.CoverageData(basename=f"{tmp}/merged.sqlite")
        data.add_arcs({str(root / f.path): set(f.arcs) for f in report.coverage.files
                       if (root / f.path).is_file()})
        data.write()
        cov = coverage.Coverage(data_file=f"{tmp}/merged.sqlite", branch=True,
                                source=[str(root)], config_file=False)
        cov.load()
        cov.xml_report(outfile=f"{tmp}/coverage.xml", ignore_errors=True)
        return Path(f"{tmp}/coverage.xml").read_bytes()
