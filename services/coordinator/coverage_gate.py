"""The coverage gates: a seam that passed but covers less of its component than the run's
``min_seam`` for its priority is ``rejected``, with the regions no test reached named (one
error finding per component file, at its first uncovered line, as an audit finding is); so
is a generated attempt that adds no coverage over the project's existing tests of its
component (its baseline, measured by the runner: ``existing_tests.py``).

Measured coverage is coverage.py's total (lines and branches). A measurement that was
refused (its data did not check out, or a test stopped it) cannot pass a gate; one that
could not be taken at all (coverage.py missing in the sandbox) is reported, not gated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.contract import CoverageSpec, FileCoverage, Finding, JobResult, Seam, SeamCoverage
from shared.coverage import merge, percent, regions, uncovered

RULE = "coverage-min"
GAIN_RULE = "coverage-gain"


@dataclass(frozen=True)
class Rejection:
    """Why a seam is rejected, its findings, and what a generator is told."""

    reason: str
    findings: tuple[Finding, ...]
    feedback: str


def coverage_rejection(spec: CoverageSpec, seam: Seam, result: JobResult, status: str,
                       generated: bool = False) -> Rejection | None:
    """The gates' verdict on a seam's execute result: None when they hold, do not apply,
    or the seam did not pass anyway. The gain rule applies to ``generated`` seams only."""
    if status != "passed" or result.coverage is None:
        return None
    minimum = spec.min_seam.get(seam.priority.label)
    below = None if minimum is None else _judge(seam, result.coverage, minimum)
    if below is not None or not generated:
        return below
    return gain_rejection(seam, result.coverage)


def _judge(seam: Seam, coverage: SeamCoverage, minimum: float) -> Rejection | None:
    if not coverage.measured:
        if not coverage.refused:
            return None
        return Rejection(coverage.reason, (), f"The coverage of your tests was refused: "
                         f"{coverage.reason}. Tests must not touch seamq's measurement.")
    total = coverage.rates.total
    if total is None or total >= minimum:
        return None
    where = ", ".join(coverage.component)
    regions_said = uncovered(coverage.files)
    reason = (f"coverage {percent(total)} of {where} is under the minimum "
              f"{percent(minimum)} ({seam.priority.label}); not covered: {regions_said}")
    findings = tuple(
        Finding(path=f.path, line=f.missing[0], rule=RULE, severity="error", message=(
            f"seam {seam.id}: lines {_spans(f.missing)} are not covered by its tests "
            f"(coverage {percent(total)}, minimum {percent(minimum)})")[:2_000])
        for f in coverage.files if f.missing)
    feedback = (f"The tests pass but cover {percent(total)} of {where}, under the minimum "
                f"{percent(minimum)}. Lines no test reaches: {regions_said}. Add tests that "
                "exercise them through the seam's real integration.")
    return Rejection(reason, findings, feedback)


def _spans(lines: tuple[int, ...]) -> str:
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in regions(lines)[:20])


def adds_coverage(files: Sequence[FileCoverage], before: Sequence[FileCoverage]) -> bool:
    """Whether ``files`` reach a line or branch that ``before`` (the same component,
    measured the same way) does not; a file ``before`` lacks counts as not reached."""
    seen = {f.path: f for f in before}
    for f in files:
        old = seen.get(f.path)
        if old is None:
            if len(f.missing) < f.statements or len(f.missing_branches) < f.branches:
                return True
        elif (set(old.missing) - set(f.missing)
              or set(old.missing_branches) - set(f.missing_branches)):
            return True
    return False


def gain_rejection(seam: Seam, coverage: SeamCoverage) -> Rejection | None:
    """A generated attempt that reaches nothing its baseline does not; None when it adds
    coverage, when the baseline already covers the whole component (nothing is left to
    add), or when nothing was measured. A baseline that was not measured covers nothing."""
    if not coverage.measured:
        return None
    baseline = coverage.baseline
    before = baseline.files if baseline is not None and baseline.measured else ()
    if adds_coverage(coverage.files, before):
        return None
    left = merge([before, coverage.files])  # what neither reaches
    if not any(f.missing or f.missing_branches for f in left):
        return None
    where = ", ".join(coverage.component)
    regions_said = uncovered(left) or "some branches"
    if baseline is not None and baseline.measured:
        tests = ", ".join(baseline.tests[:5]) + (" …" if len(baseline.tests) > 5 else "")
        said = (f"adds no coverage over the existing tests ({tests} already cover every line "
                f"and branch it reaches: {_reached(coverage.files) or 'none'})")
        told = f"add no coverage over the existing tests ({tests})"
    else:
        why = f" ({baseline.reason})" if baseline is not None else ""
        said = f"adds no coverage: its tests reach no line or branch of {where}{why}"
        told = f"reach no line or branch of {where}"
    findings = tuple(
        Finding(path=f.path, line=f.missing[0], rule=GAIN_RULE, severity="error", message=(
            f"seam {seam.id}: its generated tests add no coverage over the existing tests; "
            f"lines {_spans(f.missing)} are covered by neither")[:2_000])
        for f in left if f.missing)
    feedback = (f"The tests pass but {told}. Lines of {where} that neither your tests nor "
                f"the existing ones reach: {regions_said}. Write tests that exercise those "
                "lines through the seam's real integration instead of repeating what the "
                "existing tests already do.")
    return Rejection(f"{said}; uncovered: {regions_said}", findings, feedback)


def _reached(files: Sequence[FileCoverage]) -> str:
    """``calc/ops.py:1-8, 11``: the lines the executed arcs touch, per file."""
    parts = []
    for f in files:
        lines = {n for arc in f.arcs for n in arc if n > 0}
        if lines:
            parts.append(f"{f.path}:{_spans(tuple(lines))}")
    return "; ".join(parts)
