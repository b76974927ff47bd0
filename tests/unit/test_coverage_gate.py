"""The coverage gate in the run state machine, the merge arithmetic and the report cells."""

from __future__ import annotations

from pathlib import Path

from services.coordinator.machine import RunMachine
from services.coordinator.service import new_run
from shared.contract import (
    AuditJob,
    AuditReport,
    CoverageSpec,
    ExecutionSpec,
    FileCoverage,
    GeneratorSpec,
    JobResult,
    Priority,
    ProjectSource,
    RunRequest,
    Seam,
    SeamCoverage,
    SeamJob,
    TestPlan,
)
from shared.coverage import merge, rates, uncovered

HALF = FileCoverage(path="calc/ops.py", statements=16, missing=tuple(range(12, 19)),
                    branches=2, missing_branches=((3, 5),), arcs=((1, 2),))
OTHER = FileCoverage(path="calc/ops.py", statements=16, missing=(2, 3, 4, 5, 6, 7, 8),
                     branches=2, missing_branches=((3, 4),), arcs=((11, 12),))


def _measured(*files: FileCoverage) -> SeamCoverage:
    return SeamCoverage(measured=True, component=("calc/ops.py",), files=files,
                        rates=rates(files))


def _machine(tmp_path: Path, minimum: dict[str, float], generator: GeneratorSpec | None = None,
             files: bool = True) -> RunMachine:
    seam = Seam(id="1", title="Ops", line=1, priority=Priority.P0,
                output_file="tests/test_ops_integration.py", component=("calc/ops.py",))
    if files:
        path = tmp_path / seam.output_file
        path.parent.mkdir(parents=True)
        path.write_text("def test_x():\n    assert 1 + 1 == 2\n")
    request = RunRequest(
        run_id="r1", plan=TestPlan(path="tests/TEST_PLAN.md", seams=(seam,)),
        project=ProjectSource(path=str(tmp_path)), generator=generator or GeneratorSpec(),
        execution=ExecutionSpec(coverage=CoverageSpec(min_seam=minimum)))  # type: ignore[arg-type]
    return RunMachine(new_run(request, seed=7, durations={}), tmp_path, clock=lambda: 100.0)


def _execute(machine: RunMachine) -> SeamJob:
    audit = next(o.message for o in machine.start() if isinstance(o.message, AuditJob))
    clean = AuditReport(job_id=audit.job_id, run_id="r1", seam_id="1", path=audit.path)
    return next(o.message for o in machine.on_audit(clean) if isinstance(o.message, SeamJob))


def _passed(job: SeamJob, coverage: SeamCoverage) -> JobResult:
    return JobResult(job_id=job.job_id, run_id="r1", kind="seam", seam_id="1",
                     attempt=job.attempt, status="passed", coverage=coverage)


def test_a_seam_under_the_minimum_is_rejected_with_the_regions_named(tmp_path: Path) -> None:
    machine = _machine(tmp_path, {"P0": 0.8})

    machine.on_result(_passed(_execute(machine), _measured(HALF)))

    seam = machine.state.seams["1"]
    assert seam.status == "rejected"
    assert seam.reason == ("coverage 56 % of calc/ops.py is under the minimum 80 % (P0); "
                           "not covered: calc/ops.py:12-18")
    (finding,) = seam.findings
    assert (finding.path, finding.line, finding.rule, finding.severity) == (
        "calc/ops.py", 12, "coverage-min", "error")


def test_a_seam_at_the_minimum_passes_and_other_priorities_are_not_gated(
    tmp_path: Path
) -> None:
    machine = _machine(tmp_path, {"P0": 0.5, "P1": 0.99})

    machine.on_result(_passed(_execute(machine), _measured(HALF)))

    assert machine.state.seams["1"].status == "passed"


def test_refused_coverage_cannot_pass_a_gate_but_missing_coverage_is_only_reported(
    tmp_path: Path
) -> None:
    refused = SeamCoverage(reason="coverage refused: digest", refused=True)
    missing = SeamCoverage(reason="coverage not measured: coverage.py missing in the image")
    for coverage, status in ((refused, "rejected"), (missing, "passed")):
        machine = _machine(tmp_path / status, {"P0": 0.6})
        machine.on_result(_passed(_execute(machine), coverage))
        assert machine.state.seams["1"].status == status


def test_a_generated_attempt_under_the_minimum_goes_back_with_the_uncovered_lines(
    tmp_path: Path
) -> None:
    generator = GeneratorSpec(kind="command", target="agent", max_attempts=2)
    machine = _machine(tmp_path, {"P0": 0.8}, generator, files=False)
    gen = next(o.message for o in machine.start() if isinstance(o.message, SeamJob))
    made = JobResult(job_id=gen.job_id, run_id="r1", kind="seam", phase="generate",
                     seam_id="1", status="generated", generated_content="def test_x(): ...",
                     generated_path=gen.seam.output_file)
    audit = next(o.message for o in machine.on_result(made) if isinstance(o.message, AuditJob))
    clean = AuditReport(job_id=audit.job_id, run_id="r1", seam_id="1", path=audit.path)
    execute = next(o.message for o in machine.on_audit(clean) if isinstance(o.message, SeamJob))

    retry = [o.message for o in machine.on_result(_passed(execute, _measured(HALF)))
             if isinstance(o.message, SeamJob)]

    assert retry[0].phase == "generate"
    assert "Lines no test reaches: calc/ops.py:12-18" in retry[0].feedback


def test_merging_two_seams_keeps_what_either_covered() -> None:
    (merged,) = merge([(HALF,), (OTHER,)])

    assert merged.missing == ()
    assert merged.missing_branches == ()
    assert merged.arcs == ((1, 2), (11, 12))
    assert rates([merged]).total == 1.0
    assert rates([HALF]).lines == 0.5625
    assert rates([HALF]).branches == 0.5


def test_uncovered_regions_read_as_ranges() -> None:
    assert uncovered([HALF, OTHER]) == "calc/ops.py:12-18; calc/ops.py:2-8"
