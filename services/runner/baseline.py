"""What a generated seam's existing tests cover: its baseline.

The coordinator names the project's existing tests of the seam's component
(``SeamJob.baseline_files``); when the seam's own runs passed and were measured, the runner
runs those tests once more in a copy of the project without the generated file, measured
over the same component through the same signed, bounded evidence path as the seam's own
measured repeat (``seam_passes``). The coordinator then rejects an attempt that covers
nothing they do not (``coordinator/coverage_gate.py``).

Existing tests that fail, cannot run or cannot be measured count as covering nothing and the
baseline says why: generation is never blocked on them.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from services.runner.seam_passes import Measured, SeamPasses
from shared.contract import BaselineCoverage, JobStatus, SeamCoverage
from shared.errors import SandboxError
from shared.project import prepare, safe_relpath

# Added to the job's seed: the baseline's order differs from every repeat's.
SEED_OFFSET = 104_723


def with_baseline(run: SeamPasses, project: Path, status: JobStatus) -> SeamCoverage | None:
    """The seam's coverage, with its baseline when the job asks for one and the gain rule
    can apply (the seam passed and its coverage was measured)."""
    coverage = run.measured.result()
    if not run.job.baseline_files or status != "passed" or coverage is None:
        return coverage
    if not coverage.measured:
        return coverage
    return coverage.model_copy(update={"baseline": measure_baseline(run, project)})


def measure_baseline(run: SeamPasses, project: Path) -> BaselineCoverage:
    """One measured process over the job's baseline files in a clean copy of ``project``."""
    job = run.job
    tests = job.baseline_files
    try:
        with tempfile.TemporaryDirectory(prefix="seamq-base-") as tmp:
            workspace = prepare(project, Path(tmp) / "project")
            present = [str(safe_relpath(t)) for t in tests if (workspace / t).is_file()]
            if not present:
                return _nothing(tests, "none of the existing test files is in the project")
            base = replace(run, workspace=workspace, name=f"seamq-{job.job_id}-base",
                           measured=Measured(job, workspace, run.sandbox.kind))
            verdicts, _ = base(present, 1, (job.seed + SEED_OFFSET) % 2**32, measure=True)
    except SandboxError as e:
        return _nothing(tests, f"the existing tests could not run: {e}")
    if not verdicts or verdicts[0].outcome != "passed":
        said = verdicts[0].reason if verdicts else "no process ran"
        outcome = verdicts[0].outcome if verdicts else "error"
        return _nothing(tests, f"the existing tests did not pass ({outcome}: {said})")
    found = base.measured.found
    if found is None or not found.measured:
        return _nothing(tests, found.reason if found else "coverage not measured")
    files = tuple(f.model_copy(update={"arcs": ()}) for f in found.files)
    return BaselineCoverage(tests=tests, measured=True, files=files, rates=found.rates)


def _nothing(tests: tuple[str, ...], why: str) -> BaselineCoverage:
    return BaselineCoverage(tests=tests, reason=f"{why}; counted as covering nothing"[:1_000])
