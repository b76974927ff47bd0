"""Build the RunReport from a run's state: seams, batches, suite and the count check.

Statuses and the summary come from ``shared.status``; this module only gathers the facts.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.coordinator.state import RunState
from shared.contract import (
    BatchReport,
    CountCheck,
    RunEnvironment,
    RunReport,
    SeamReport,
    SuiteReport,
)
from shared.coverage import run_coverage
from shared.status import (
    environment_cause,
    reported_seam,
    reported_validation,
    run_status,
    summarize,
)


def _seam_reports(state: RunState) -> list[SeamReport]:
    specs = {s.id: s for s in state.request.parsed_plan.seams}
    reports = []
    for seam_id in state.order:
        seam = state.seams[seam_id]
        spec = specs[seam_id]
        status, reason = reported_seam(seam.status, seam.reason)
        result = seam.result
        reports.append(
            SeamReport(
                id=seam_id,
                title=spec.title,
                priority=spec.label,
                status=status,
                reason=reason,
                file=spec.output_file,
                scope=spec.scope,
                impact=spec.impact,
                success_criteria=spec.success_criteria,
                attempts=seam.attempt if seam.attempt_log else 0,
                generated=seam.generated,
                tests=result.tests if result else (),
                findings=tuple(seam.findings),
                seeds=tuple(r.seed for r in result.repeats) if result else (),
                repeats=result.repeats if result else (),
                confirmations=result.confirmations if result else (),
                overridden=result.overridden if result else (),
                shared_with=tuple(other.id for other in state.request.parsed_plan.seams
                                  if other.id != seam_id and other.id in state.seams
                                  and other.output_file == spec.output_file),
                services=result.services if result else (),
                environment=result.environment if result else None,
                coverage=result.coverage if result else None,
                duration_s=round(max(0.0, seam.finished_at - seam.started_at), 3)
                if seam.finished_at and seam.started_at else 0.0,
                attempt_log=tuple(seam.attempt_log),
                logs_tail=result.logs_tail if result else "",
            )
        )
    return reports


def count_check(state: RunState) -> CountCheck:
    """Plan seams vs test files present; expected test counts vs tests collected.

    Every mismatch is listed. A file shared by seams counts once. A rejected seam's tests
    were never run, which is said as such rather than counted as missing tests; a seam the
    infrastructure failed (a service or environment image that never came up) is left out:
    its error says why nothing ran, and the run is then ``error``, not ``failed``.
    """
    specs = {s.id: s for s in state.request.parsed_plan.seams}
    files: dict[str, int] = {}
    expected: int | None = None
    problems: list[str] = []
    missing = [sid for sid in state.order if state.seams[sid].status in ("missing", "pending")]
    for seam_id in state.order:
        seam, spec = state.seams[seam_id], specs[seam_id]
        if seam_id in missing or (seam.status == "error" and seam.infrastructure):
            continue
        got = len(seam.result.collected) if seam.result else 0
        files[spec.output_file] = max(files.get(spec.output_file, 0), got)
        if spec.expected_tests is None:
            continue
        expected = (expected or 0) + spec.expected_tests
        if seam.status == "rejected":
            problems.append(f"seam {seam_id}: {spec.expected_tests} expected test(s) not run "
                            "(rejected)")
        elif got != spec.expected_tests:
            problems.append(f"seam {seam_id}: expected {spec.expected_tests} test(s), "
                            f"collected {got}")
    if missing:
        problems.insert(0, f"{len(missing)} selected seam(s) have no test file: "
                           f"{', '.join(missing)}")
    return CountCheck(plan_seams=len(state.order), files=len(files), expected_tests=expected,
                      collected_tests=sum(files.values()), ok=not problems,
                      detail="; ".join(problems))


def _environment(state: RunState) -> RunEnvironment:
    """The distinct sandboxes and versions the runners reported for this run's jobs."""
    results = [s.result for s in state.seams.values() if s.result is not None]

    def distinct(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in values if v))

    return RunEnvironment(
        sandboxes=distinct(r.sandbox_detail or r.sandbox for r in results),
        python=distinct(r.python for r in results),
        pytest=distinct(r.pytest for r in results))


def build_report(state: RunState) -> RunReport:
    seams = _seam_reports(state)
    check = count_check(state)
    generated = {
        specs.output_file: state.seams[specs.id].content or ""
        for specs in state.request.parsed_plan.seams
        if specs.id in state.seams and state.seams[specs.id].generated
    }
    status = run_status(
        seams,
        interrupted=state.interrupted,
        validations=[v.status for v in (*state.batches, state.suite)],
        count_ok=check.ok,
        infrastructure={s.id for s in state.seams.values() if s.infrastructure},
    )
    return RunReport(
        run_id=state.run_id,
        cause=environment_cause(seams),
        environment=_environment(state),
        status=status,
        plan=state.request.parsed_plan.path,
        summary=summarize(seams, round(max(0.0, state.finished_at - state.started_at), 3)),
        seams=tuple(seams),
        batches=tuple(
            BatchReport(seams=tuple(b.seams), status=reported_validation(b.status),
                        detail=b.detail, seed=b.seed, conflicts=tuple(b.conflicts),
                        victims=tuple(b.victims), duration_s=b.duration_s)
            for b in state.batches
        ),
        suite=SuiteReport(status=reported_validation(state.suite.status), seed=state.suite.seed,
                          detail=state.suite.detail, count_check=check,
                          conflicts=tuple(state.suite.conflicts),
                          victims=tuple(state.suite.victims),
                          duration_s=state.suite.duration_s),
        generated_files=generated,
        started_at=state.started_at,
        finished_at=state.finished_at,
        warnings=state.request.parsed_plan.warnings,
        coverage=run_coverage(seams),
    )
