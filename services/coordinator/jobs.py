"""The work the coordinator hands out, built from a run's state: seam, audit and validation
jobs, their seeds and deadlines, and the feedback a generator gets for another attempt."""

from __future__ import annotations

from pathlib import Path

from services.coordinator.existing_tests import existing_tests
from services.coordinator.state import RunState, SeamState, ValidationState
from shared.contract import (
    AuditJob,
    AuditReport,
    ExecutionSpec,
    JobPhase,
    JobResult,
    RunRequest,
    Seam,
    SeamJob,
    ValidationJob,
    ValidationScope,
)

FEEDBACK_LIMIT = 12_000
DEADLINE_SLACK_S = 60.0


def deadline(request: RunRequest, phase: JobPhase) -> float:
    """A job's deadline: its own timeout plus slack for the runner's setup and reply."""
    if phase == "generate":
        return request.generator.timeout_s + DEADLINE_SLACK_S
    return request.execution.timeout_s + DEADLINE_SLACK_S


def with_services(execution: ExecutionSpec, seams: list[Seam]) -> ExecutionSpec:
    """The run's execution spec with only the services these seams name (their union,
    for a validation job): a job starts exactly what its seams need."""
    names = dict.fromkeys(name for seam in seams for name in seam.services)
    wanted = {name: execution.services[name] for name in names if name in execution.services}
    return execution.model_copy(update={"services": wanted})


def seam_job(state: RunState, spec: Seam, seam: SeamState, phase: JobPhase,
             job_id: str, project_dir: Path) -> SeamJob:
    """The runner job ``job_id`` for ``seam``'s current attempt; a generated attempt's
    execution also measures the project's existing tests of its component."""
    request = state.request
    overlay = {spec.output_file: seam.content} if seam.content is not None else {}
    execute = phase == "execute"
    return SeamJob(
        job_id=job_id,
        run_id=state.run_id,
        seam=spec,
        phase=phase,
        attempt=seam.attempt,
        project=request.project,
        plan_path=request.parsed_plan.path,
        execution=with_services(request.execution, [spec]),
        generator=request.generator,
        policy=request.policy,
        feedback=seam.feedback[-FEEDBACK_LIMIT:],
        overlay=overlay if execute else {},
        baseline_files=existing_tests(request, spec, project_dir)
        if execute and seam.generated else (),
        # Each seam and attempt gets its own seed, reproducible from the run's seed.
        seed=(state.seed + sum(map(ord, seam.id)) * 7_919 + seam.attempt) % 2**32,
        deadline_s=deadline(request, phase),
    )


def audit_job(state: RunState, spec: Seam, seam: SeamState, job_id: str, content: str,
              conftests: dict[str, str]) -> AuditJob:
    """The auditor job ``job_id`` for ``seam``'s test file."""
    return AuditJob(
        job_id=job_id,
        run_id=state.run_id,
        seam_id=seam.id,
        path=spec.output_file,
        content=content,
        conftests=conftests,
        policy=state.request.policy,
        attempt=seam.attempt,
    )


def start_validation(state: RunState, specs: dict[str, Seam], v: ValidationState,
                     scope: ValidationScope, index: int) -> ValidationJob | None:
    """Mark a batch (or the suite) running and return its job, or mark it skipped and
    return None when there is nothing to run together."""
    files, overlay = passed_files(state, specs, v.seams)
    if state.request.skip_validation:
        v.status, v.detail = "skipped", "--skip-validation"
        return None
    if state.suite_cached is not None and scope == "suite":
        # Every file is unchanged since a run whose suite validation found no conflict.
        v.status, v.detail = "isolated", state.suite_cached.said()
        return None
    if len(files) < 2:
        v.status, v.detail = "skipped", ("no test file passed, so there was nothing to run "
                                         "together" if not files else "only one test file "
                                         f"passed ({files[0]}); there was nothing to run it with")
        return None
    v.status = "running"
    v.seed = (state.seed + 104_729 * (index + 1) + (0 if scope == "batch" else 1)) % 2**32
    v.job_id = f"{state.run_id}.{scope}.{index}"
    return ValidationJob(
        job_id=v.job_id,
        run_id=state.run_id,
        scope=scope,
        batch_index=index,
        seam_ids=tuple(v.seams),
        files=tuple(files),
        project=state.request.project,
        execution=with_services(state.request.execution, [specs[s] for s in v.seams]),
        overlay=overlay,
        seed=v.seed,
        deadline_s=deadline(state.request, "execute"),
    )


def passed_files(state: RunState, specs: dict[str, Seam],
                  seam_ids: list[str]) -> tuple[list[str], dict[str, str]]:
    files, overlay = [], {}
    for seam_id in seam_ids:
        seam = state.seams[seam_id]
        path = specs[seam_id].output_file
        if seam.status == "passed" and path not in files:
            files.append(path)
            if seam.content is not None:
                overlay[path] = seam.content
    return files, overlay


def audit_feedback(report: AuditReport) -> str:
    """What the generator is told when the audit rejected its test."""
    return "The audit rejected the test:\n" + "\n".join(
        f"- line {f.line}: [{f.rule}] {f.message}" for f in report.blocking
    )


def failure_feedback(result: JobResult) -> str:
    """What the generator is told when its test did not pass its runs."""
    lines = [f"The test did not pass: {result.status}: {result.reason}"]
    for test in result.tests:
        if test.outcome != "passed":
            lines.append(f"\n## {test.name}: {test.outcome} (runs: {', '.join(test.runs)})")
            if test.message:
                lines.append(test.message[-3_000:])
    if result.logs_tail and result.status == "error":
        lines.append("\n## Output\n" + result.logs_tail[-3_000:])
    return "\n".join(lines)[-FEEDBACK_LIMIT:]
