"""The pytest processes of one seam job, and the coverage its measured process found.

``SeamPasses`` runs processes over a prepared workspace; the first pass of a measured call
gets ``--seamq-cov`` for the seam's component and ``Measured`` reads what it covered through
the signed, bounded evidence path (``coverage_read``). The seam's repeats and the baseline
of a generated seam (``baseline.py``) both go through here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from services.runner.coverage_read import cover_dirs, not_measured, read_measurement
from services.runner.passes import Pass, plan_passes, run_passes
from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.services import ServiceSession
from shared.contract import ExecutionSpec, SeamCoverage, SeamJob
from shared.status import ProcessVerdict


class Measured:
    """The seam's component, measured in the first pass of a measured call (once per proof)."""

    def __init__(self, job: SeamJob, workspace: Path, kind: str) -> None:
        spec = job.execution.coverage
        self.component = (job.seam.component or spec.source) if spec.enabled else ()
        self.workspace = workspace
        self.where = "in the image" if kind == "docker" else "on the runner's interpreter"
        self.found: SeamCoverage | None = None

    def read(self, p: Pass, outputs: Path, key: bytes) -> None:
        if p.cover:
            self.found = read_measurement(outputs, key, self.workspace, self.component,
                                          self.where)

    def result(self) -> SeamCoverage | None:
        if not self.component or self.found is not None:
            return self.found
        return not_measured(self.component, "coverage not measured: the measured repeat "
                            "did not run")


@dataclass(frozen=True)
class SeamPasses:
    """Runs pytest processes of one seam job over its prepared workspace; ``name`` tells
    this job's groups of processes apart (container names must not repeat)."""

    sandbox: Sandbox
    workspace: Path
    job: SeamJob
    execution: ExecutionSpec
    services: ServiceSession
    measured: Measured
    name: str = ""

    def __call__(self, targets: list[str], count: int, seed: int, measure: bool = False
                 ) -> tuple[list[ProcessVerdict], str]:
        job = self.job
        passes = plan_passes(seed, count, with_reverse=False)
        if measure and self.measured.component:
            passes[0] = replace(passes[0], cover=cover_dirs(self.measured.component))
        return run_passes(
            self.sandbox, self.workspace, targets, self.execution, passes,
            name=self.name or f"seamq-{job.job_id}", deadline_s=job.execution.timeout_s,
            labels={"seamq.run": job.run_id, "seamq.job": job.job_id},
            services=self.services, on_outputs=self.measured.read,
        )
