"""Build the RunReport from a run's state: seams, batches, suite and the count check."""

from __future__ import annotations

from services.cli.reports import summary_counts
from services.coordinator.state import RunState, ValidationState
from shared.contract import (
    BatchReport,
    CountCheck,
    RunReport,
    SeamReport,
    SeamStatus,
    SuiteReport,
)


def _seam_reports(state: RunState) -> list[SeamReport]:
    specs = {s.id: s for s in state.request.plan.seams}
    reports = []
    for seam_id in state.order:
        seam = state.seams[seam_id]
        spec = specs[seam_id]
        status = seam.status
        reason = seam.reason
        if not status.terminal:
            reason = f"interrupted while {status.value}"
            status = SeamStatus.ERROR
        result = seam.result
        reports.append(
            SeamReport(
                id=seam_id,
                title=spec.title,
                priority=spec.label,  # type: ignore[arg-type]
                status=status.value,  # type: ignore[arg-type]
                reason=reason,
                file=spec.output_file,
                attempts=seam.attempt if seam.attempt_log else 0,
                generated=seam.generated,
                tests=result.tests if result else (),
                findings=tuple(seam.findings),
                seeds=tuple(r.seed for r in result.repeats) if result else (),
                duration_s=round(max(0.0, seam.finished_at - seam.started_at), 3)
                if seam.finished_at and seam.started_at else 0.0,
                attempt_log=tuple(seam.attempt_log),
                logs_tail=result.logs_tail if result else "",
            )
        )
    return reports


def _validation(v: ValidationState) -> str:
    return v.status if v.status in ("isolated", "conflict", "error", "skipped") else "skipped"


def count_check(state: RunState) -> CountCheck:
    """Plan seams vs test files present; expected test counts vs tests collected."""
    specs = {s.id: s for s in state.request.plan.seams}
    files = 0
    collected = 0
    expected: int | None = None
    problems: list[str] = []
    for seam_id in state.order:
        seam, spec = state.seams[seam_id], specs[seam_id]
        if seam.status not in (SeamStatus.MISSING, SeamStatus.PENDING):
            files += 1
        got = len(seam.result.collected) if seam.result else 0
        collected += got
        if spec.expected_tests is not None:
            expected = (expected or 0) + spec.expected_tests
            if got != spec.expected_tests:
                problems.append(f"seam {seam_id}: expected {spec.expected_tests} test(s), "
                                f"collected {got}")
    if files != len(state.order):
        problems.insert(0, f"{len(state.order) - files} selected seam(s) have no test file")
    return CountCheck(plan_seams=len(state.order), files=files, expected_tests=expected,
                      collected_tests=collected, ok=not problems, detail="; ".join(problems))


def run_status(state: RunState, seams: list[SeamReport], check: CountCheck) -> str:
    if state.interrupted:
        return "interrupted"
    statuses = {s.status for s in seams}
    if statuses - {"passed", "error"} or not check.ok:
        return "failed"
    if any(v.status == "conflict" for v in (*state.batches, state.suite)):
        return "failed"
    if "error" in statuses:
        infra = any(state.seams[s.id].infrastructure for s in seams if s.status == "error")
        return "error" if infra else "failed"
    if any(v.status == "error" for v in (*state.batches, state.suite)):
        return "error"
    return "passed"


def build_report(state: RunState) -> RunReport:
    seams = _seam_reports(state)
    check = count_check(state)
    generated = {
        specs.output_file: state.seams[specs.id].content or ""
        for specs in state.request.plan.seams
        if specs.id in state.seams and state.seams[specs.id].generated
    }
    summary = summary_counts(seams)
    summary["duration_s"] = round(max(0.0, state.finished_at - state.started_at), 3)
    return RunReport(
        run_id=state.run_id,
        status=run_status(state, seams, check),  # type: ignore[arg-type]
        plan=state.request.plan.path,
        summary=summary,
        seams=tuple(seams),
        batches=tuple(
            BatchReport(seams=tuple(b.seams), status=_validation(b), detail=b.detail,  # type: ignore[arg-type]
                        seed=b.seed)
            for b in state.batches
        ),
        suite=SuiteReport(status=_validation(state.suite), seed=state.suite.seed,  # type: ignore[arg-type]
                          detail=state.suite.detail, count_check=check),
        generated_files=generated,
        started_at=state.started_at,
        finished_at=state.finished_at,
        warnings=state.request.plan.warnings,
    )
