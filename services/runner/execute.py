"""Turn runner jobs into results: execute a seam, validate a batch or the suite, generate."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from services.runner.passes import plan_passes, run_passes
from services.runner.sandboxes.base import Sandbox
from services.runner.stability import combine
from services.runner.verdict import RepeatVerdict
from shared.contract import JobResult, RepeatRun, SeamJob, ValidationJob
from shared.errors import SandboxError
from shared.project import materialize, prepare, safe_relpath

SandboxFor = Callable[[str, str], Sandbox]


def _repeat_runs(verdicts: list[RepeatVerdict]) -> tuple[RepeatRun, ...]:
    return tuple(
        RepeatRun(
            seed=v.seed,
            exit_code=v.exit_code,
            outcome=v.outcome,  # type: ignore[arg-type]
            reason=v.reason,
            collected=len(v.collected),
            duration_s=round(v.duration_s, 3),
            order=v.order[:500],
        )
        for v in verdicts
    )


def execute_seam(job: SeamJob, sandbox: Sandbox, cache_dir: Path, worker: str) -> JobResult:
    """Run the seam's file ``repeats`` times, each in a new random order."""
    started = time.monotonic()
    common = dict(job_id=job.job_id, run_id=job.run_id, kind="seam", seam_id=job.seam.id,
                  attempt=job.attempt, sandbox=sandbox.kind, worker=worker)
    try:
        project = materialize(job.project, cache_dir)
        rel = str(safe_relpath(job.seam.output_file))
        with tempfile.TemporaryDirectory(prefix="seamq-ws-") as tmp:
            workspace = prepare(project, Path(tmp) / "project", job.overlay)
            if not (workspace / rel).is_file():
                return JobResult(**common, status="missing",  # type: ignore[arg-type]
                                 reason=f"test file {rel} does not exist",
                                 duration_s=time.monotonic() - started)
            verdicts, tail = run_passes(
                sandbox, workspace, [rel], job.execution,
                plan_passes(job.seed, job.execution.repeats, with_reverse=False),
                name=f"seamq-{job.job_id}", deadline_s=job.execution.timeout_s,
                labels={"seamq.run": job.run_id, "seamq.job": job.job_id},
            )
    except SandboxError as e:
        return JobResult(**common, status="error", reason=str(e),  # type: ignore[arg-type]
                         infrastructure=True, duration_s=time.monotonic() - started)
    combined = combine(verdicts)
    collected = verdicts[0].collected if verdicts else ()
    return JobResult(
        **common,  # type: ignore[arg-type]
        status=combined.status,  # type: ignore[arg-type]
        reason=combined.reason,
        tests=combined.tests,
        repeats=_repeat_runs(verdicts),
        collected=collected,
        infrastructure=any(v.infrastructure for v in verdicts),
        logs_tail=tail if combined.status != "passed" else "",
        duration_s=round(time.monotonic() - started, 3),
    )


def _suspects(victim: str, verdicts: list[RepeatVerdict]) -> str:
    """Name the tests that ran before ``victim`` whenever it failed and never when it passed."""
    before_fail: set[str] | None = None
    before_pass: set[str] = set()
    for verdict in verdicts:
        case = verdict.cases.get(victim)
        if case is None or victim not in verdict.order:
            continue
        before = set(verdict.order[: verdict.order.index(victim)])
        if case.outcome in ("failed", "error"):
            before_fail = before if before_fail is None else before_fail & before
        else:
            before_pass |= before
    suspects = sorted((before_fail or set()) - before_pass)
    if not suspects or len(suspects) > 3:
        return victim
    return f"{victim} fails after {', '.join(suspects)}"


def validate(job: ValidationJob, sandbox: Sandbox, cache_dir: Path, worker: str) -> JobResult:
    """Run several seams' files together; any failure there is a conflict between them."""
    started = time.monotonic()
    common = dict(job_id=job.job_id, run_id=job.run_id, kind=job.scope,
                  batch_index=job.batch_index, sandbox=sandbox.kind, worker=worker)
    try:
        project = materialize(job.project, cache_dir)
        with tempfile.TemporaryDirectory(prefix="seamq-ws-") as tmp:
            workspace = prepare(project, Path(tmp) / "project", job.overlay)
            files = [str(safe_relpath(f)) for f in job.files if (workspace / f).is_file()]
            if not files:
                return JobResult(**common, status="error",  # type: ignore[arg-type]
                                 reason="none of the files exist")
            verdicts, tail = run_passes(
                sandbox, workspace, files, job.execution,
                plan_passes(job.seed, job.execution.repeats, with_reverse=True),
                name=f"seamq-{job.job_id}", deadline_s=job.execution.timeout_s,
                labels={"seamq.run": job.run_id, "seamq.job": job.job_id},
            )
    except SandboxError as e:
        return JobResult(**common, status="error", reason=str(e),  # type: ignore[arg-type]
                         infrastructure=True)
    combined = combine(verdicts)
    if combined.status == "passed":
        status, reason = "isolated", ""
    elif combined.status == "error":
        status, reason = "error", combined.reason
    else:
        bad = [t for t in combined.tests if t.outcome != "passed" and t.outcome != "skipped"]
        failing = next((v for v in verdicts if v.outcome == "failed"), verdicts[0])
        status = "conflict"
        reason = (f"{len(bad)} test(s) fail when run together in random order "
                  f"(seed {failing.seed}): " + "; ".join(_suspects(t.name, verdicts)
                                                         for t in bad[:5]))
    return JobResult(
        **common,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        reason=reason,
        tests=combined.tests,
        repeats=_repeat_runs(verdicts),
        collected=verdicts[0].collected if verdicts else (),
        infrastructure=any(v.infrastructure for v in verdicts),
        logs_tail=tail if status != "isolated" else "",
        duration_s=round(time.monotonic() - started, 3),
    )
