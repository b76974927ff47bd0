"""Turn runner jobs into results: execute a seam, or validate a batch or the suite.

The runner prepares workspaces and runs the passes; ``shared.status`` decides what the
processes' verdicts amount to.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from services.runner.baseline import with_baseline
from services.runner.passes import Pass, plan_passes, run_passes
from services.runner.pollution import find_conflict, victims
from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.services import ServiceSession
from services.runner.seam_passes import Measured, SeamPasses
from shared.contract import (
    Conflict,
    EnvironmentUse,
    ExecutionSpec,
    JobKind,
    JobResult,
    JobStatus,
    SeamCoverage,
    SeamJob,
    ServiceStart,
    TestResult,
    ValidationJob,
)
from shared.errors import SandboxError
from shared.project import materialize, prepare, safe_relpath
from shared.status import (
    ProcessVerdict,
    always_failing,
    combine,
    confirm,
    judge_validation,
    overrides,
    repeat_runs,
)

# Confirming costs processes: only the first few always-failing tests are rerun alone.
MAX_CONFIRMED = 5


@dataclass(frozen=True)
class _Reply:
    """What every result of one job repeats: its ids, the sandbox kind and the worker."""

    job_id: str
    run_id: str
    kind: JobKind
    sandbox: str
    worker: str
    sandbox_detail: str = ""
    seam_id: str | None = None
    batch_index: int = 0
    attempt: int = 1

    def result(self, status: JobStatus, reason: str = "", *, tests: tuple[TestResult, ...] = (),
               verdicts: Sequence[ProcessVerdict] = (), tail: str = "",
               infrastructure: bool = False, duration_s: float = 0.0,
               alone: Sequence[ProcessVerdict] = (),
               conflicts: Sequence[Conflict] = (),
               services: tuple[ServiceStart, ...] = (),
               environment: EnvironmentUse | None = None,
               coverage: SeamCoverage | None = None) -> JobResult:
        return JobResult(
            job_id=self.job_id, run_id=self.run_id, kind=self.kind, seam_id=self.seam_id,
            batch_index=self.batch_index, attempt=self.attempt, sandbox=self.sandbox,
            worker=self.worker, status=status, reason=reason, tests=tests,
            repeats=repeat_runs(verdicts), confirmations=repeat_runs(alone),
            overridden=overrides([*verdicts, *alone]), conflicts=tuple(conflicts),
            collected=verdicts[0].collected if verdicts else (), services=services,
            environment=environment, coverage=coverage,
            infrastructure=infrastructure or any(v.infrastructure for v in verdicts),
            logs_tail=tail, duration_s=duration_s, sandbox_detail=self.sandbox_detail,
            python=next((v.versions[0] for v in [*verdicts, *alone] if v.versions[0]), ""),
            pytest=next((v.versions[1] for v in [*verdicts, *alone] if v.versions[1]), ""),
        )


def execute_seam(job: SeamJob, sandbox: Sandbox, cache_dir: Path, worker: str) -> JobResult:
    """Run the seam's file ``repeats`` times, each in a new random order (the first one
    measured); a generated seam's existing tests once more, measured (``baseline.py``)."""
    started = time.monotonic()
    reply = _Reply(job_id=job.job_id, run_id=job.run_id, kind="seam", sandbox=sandbox.kind,
                   worker=worker, sandbox_detail=sandbox.detail, seam_id=job.seam.id,
                   attempt=job.attempt)
    try:
        project = materialize(job.project, cache_dir)
        rel = str(safe_relpath(job.seam.output_file))
        with tempfile.TemporaryDirectory(prefix="seamq-ws-") as tmp:
            workspace = prepare(project, Path(tmp) / "project", job.overlay)
            if not (workspace / rel).is_file():
                return reply.result("missing", f"test file {rel} does not exist",
                                    duration_s=time.monotonic() - started)
            environment = sandbox.environment(project, job.execution, job.run_id)
            with _services(sandbox, job) as session:
                run = SeamPasses(sandbox, workspace, job, _in(job.execution, environment),
                                 session, Measured(job, workspace, sandbox.kind))
                verdicts, tail = run([rel], job.execution.repeats, job.seed, measure=True)
                combined = combine(verdicts)
                alone: list[ProcessVerdict] = []
                if combined.status == "failed" and job.execution.confirm:
                    for index, nodeid in enumerate(always_failing(combined)[:MAX_CONFIRMED]):
                        target = f"{rel}::{nodeid.split('::', 1)[-1]}"
                        more, _ = run([target], job.execution.confirm,
                                      job.seed + 7_919 * (index + 1))
                        alone += more
                    combined = confirm(verdicts, alone)
                coverage = with_baseline(run, project, combined.status)
    except SandboxError as e:
        return reply.result("error", str(e), infrastructure=True,
                            duration_s=time.monotonic() - started)
    return reply.result(combined.status, combined.reason, tests=combined.tests,
                        verdicts=verdicts, alone=alone, services=session.started,
                        environment=environment, coverage=coverage,
                        tail=tail if combined.status != "passed" else "",
                        duration_s=round(time.monotonic() - started, 3))


def _in(execution: ExecutionSpec, environment: EnvironmentUse | None) -> ExecutionSpec:
    """``execution`` running in the environment image, when there is one."""
    if environment is None:
        return execution
    return execution.model_copy(update={"image": environment.tag})


def _services(sandbox: Sandbox, job: SeamJob | ValidationJob
              ) -> AbstractContextManager[ServiceSession]:
    """The job's own services (its seams' ``**Services**``), for the block."""
    return sandbox.services(list(job.execution.services.values()), f"seamq-{job.job_id}",
                            {"seamq.run": job.run_id, "seamq.job": job.job_id},
                            job.execution.timeout_s)


def validate(job: ValidationJob, sandbox: Sandbox, cache_dir: Path, worker: str) -> JobResult:
    """Run several seams' files together in one random order and its reverse (every pair of
    tests from different files meets in both orders); on a failure, name the polluter."""
    started = time.monotonic()
    reply = _Reply(job_id=job.job_id, run_id=job.run_id, kind=job.scope, sandbox=sandbox.kind,
                   worker=worker, sandbox_detail=sandbox.detail, batch_index=job.batch_index)
    conflicts: list[Conflict] = []
    try:
        project = materialize(job.project, cache_dir)
        with tempfile.TemporaryDirectory(prefix="seamq-ws-") as tmp:
            workspace = prepare(project, Path(tmp) / "project", job.overlay)
            files = [str(safe_relpath(f)) for f in job.files if (workspace / f).is_file()]
            if not files:
                return reply.result("error", "none of the files exist")
            environment = sandbox.environment(project, job.execution, job.run_id)
            with _services(sandbox, job) as session:
                run = _Run(sandbox, workspace, job, _in(job.execution, environment), session)
                verdicts, tail = run(files, plan_passes(job.seed, 1, with_reverse=True))
                validated = judge_validation(verdicts)
                if validated.status == "conflict":
                    conflicts = _conflicts(run, files, verdicts)
    except SandboxError as e:
        return reply.result("error", str(e), infrastructure=True)
    reason = validated.reason
    if conflicts:
        reason = "; ".join(_said(c) for c in conflicts)
    return reply.result(validated.status, reason, tests=validated.tests, verdicts=verdicts,
                        services=session.started, environment=environment,
                        tail=tail if validated.status != "isolated" else "",
                        duration_s=round(time.monotonic() - started, 3), conflicts=conflicts)


def _said(conflict: Conflict) -> str:
    if conflict.proven:
        return f"`{conflict.polluters[0]}` pollutes `{conflict.victim}` ({conflict.evidence})"
    return f"`{conflict.victim}` fails after other tests: {conflict.evidence}"


def _conflicts(run: _Run, files: list[str], verdicts: list[ProcessVerdict]) -> list[Conflict]:
    def probe(order: Sequence[str]) -> str | None:
        done, _ = run(files, [Pass(seed=0, order=tuple(order))])
        return None if not done or done[0].outcome == "error" else done[0].outcome

    return [find_conflict(probe, victim, failing) for victim, failing in victims(verdicts)]


@dataclass(frozen=True)
class _Run:
    """Runs pytest processes of one validation job over its prepared workspace."""

    sandbox: Sandbox
    workspace: Path
    job: ValidationJob
    execution: ExecutionSpec
    services: ServiceSession

    def __call__(self, files: list[str], passes: list[Pass]
                 ) -> tuple[list[ProcessVerdict], str]:
        job = self.job
        return run_passes(self.sandbox, self.workspace, files, self.execution, passes,
                          name=f"seamq-{job.job_id}", deadline_s=job.execution.timeout_s,
                          labels={"seamq.run": job.run_id, "seamq.job": job.job_id},
                          services=self.services)
