"""The coverage gate: a seam that passed but covers less of its component than the run's
``min_seam`` for its priority is ``rejected``, with the regions no test reached named (one
error finding per component file, at its first uncovered line, as an audit finding is).

Measured coverage is coverage.py's total (lines and branches). A measurement that was
refused (its data did not check out, or a test stopped it) cannot pass a gate; one that
could not be taken at all (coverage.py missing in the sandbox) is reported, not gated.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contract import CoverageSpec, Finding, JobResult, Seam, SeamCoverage
from shared.coverage import percent, regions, uncovered

RULE = "coverage-min"


@dataclass(frozen=True)
class Rejection:
    """Why a seam is rejected, its findings, and what a generator is told."""

    reason: str
    findings: tuple[Finding, ...]
    feedback: str


def coverage_rejection(spec: CoverageSpec, seam: Seam, result: JobResult,
                       status: str) -> Rejection | None:
    """The gate's verdict on a seam's execute result: None when it holds, does not apply,
    or the seam did not pass anyway."""
    minimum = spec.min_seam.get(seam.priority.label)
    if status != "passed" or minimum is None or result.coverage is None:
        return None
    return _judge(seam, result.coverage, minimum)


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
