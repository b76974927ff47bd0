"""The gain rule: a generated attempt that covers nothing its component's existing tests do
not is rejected with that reason and the lines neither reaches; hand-written seams never are."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from services.coordinator.coverage_gate import adds_coverage, gain_rejection
from services.coordinator.machine import RunMachine
from services.coordinator.service import new_run
from shared.brokers.base import Outgoing
from shared.contract import (
    AuditJob,
    AuditReport,
    BaselineCoverage,
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
from shared.coverage import rates

OPS = "calc/ops.py"
FIRST = FileCoverage(path=OPS, statements=16, missing=tuple(range(12, 19)),
                     arcs=((-1, 1), (1, 11), (11, -1), (-1, 2), (2, 8), (8, -1)))
SECOND = FileCoverage(path=OPS, statements=16, missing=tuple(range(2, 9)),
                      arcs=((-1, 1), (1, 11), (11, -1), (-1, 12), (12, 18), (18, -1)))
NOTHING = FileCoverage(path=OPS, statements=16, missing=(*range(1, 9), *range(11, 19)))
EVERYTHING = FileCoverage(path=OPS, statements=16)
SEAM = Seam(id="2", title="Ops", line=1, priority=Priority.P1,
            output_file="tests/test_second_integration.py", component=(OPS,))


def _coverage(files: tuple[FileCoverage, ...], baseline: BaselineCoverage | None
              ) -> SeamCoverage:
    return SeamCoverage(measured=True, component=(OPS,), files=files, rates=rates(files),
                        baseline=baseline)


def _baseline(*files: FileCoverage) -> BaselineCoverage:
    return BaselineCoverage(tests=("tests/test_first_integration.py",), measured=True,
                            files=files, rates=rates(files))


def test_an_attempt_adds_coverage_only_with_a_line_or_branch_the_baseline_misses() -> None:
    branchy = FIRST.model_copy(update={"branches": 2, "missing_branches": ((3, 5),)})
    both = FIRST.model_copy(update={"branches": 2, "missing_branches": ()})

    assert not adds_coverage([FIRST], [FIRST])
    assert not adds_coverage([NOTHING], [FIRST])
    assert adds_coverage([SECOND], [FIRST])
    assert adds_coverage([FIRST], [])
    assert not adds_coverage([NOTHING], [])
    assert adds_coverage([both], [branchy])


def test_an_attempt_that_repeats_the_existing_tests_is_rejected_with_what_is_left() -> None:
    rejection = gain_rejection(SEAM, _coverage((FIRST,), _baseline(FIRST)))

    assert rejection is not None
    assert rejection.reason == (
        "adds no coverage over the existing tests (tests/test_first_integration.py already "
        "cover every line and branch it reaches: calc/ops.py:1-2, 8, 11); "
        "uncovered: calc/ops.py:12-18")
    (finding,) = rejection.findings
    assert (finding.path, finding.line, finding.rule, finding.severity) == (
        OPS, 12, "coverage-gain", "error")
    assert "neither your tests nor the existing ones reach: calc/ops.py:12-18" in (
        rejection.feedback)


def test_an_attempt_that_reaches_new_lines_is_kept() -> None:
    assert gain_rejection(SEAM, _coverage((SECOND,), _baseline(FIRST))) is None


def test_nothing_is_rejected_when_the_existing_tests_leave_nothing_to_cover() -> None:
    assert gain_rejection(SEAM, _coverage((FIRST,), _baseline(EVERYTHING))) is None


def test_existing_tests_that_were_not_measured_count_as_covering_nothing() -> None:
    failed = BaselineCoverage(tests=("tests/test_first_integration.py",), reason=(
        "the existing tests did not pass (failed: 1 failed); counted as covering nothing"))

    kept = gain_rejection(SEAM, _coverage((FIRST,), failed))
    hollow = gain_rejection(SEAM, _coverage((NOTHING,), failed))

    assert kept is None
    assert hollow is not None
    assert hollow.reason.startswith(
        "adds no coverage: its tests reach no line or branch of calc/ops.py (the existing "
        "tests did not pass")
    assert hollow.reason.endswith("uncovered: calc/ops.py:1-8, 11-18")


def _machine(tmp_path: Path, *, generated: bool, attempts: int = 2) -> RunMachine:
    first = SEAM.model_copy(update={"id": "1", "output_file": "tests/test_first_integration.py"})
    for seam in (first, SEAM) if not generated else (first,):
        path = tmp_path / seam.output_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def test_x():\n    assert 1 + 1 == 2\n")
    request = RunRequest(
        run_id="r1", plan=TestPlan(path="tests/TEST_PLAN.md", seams=(first, SEAM)),
        project=ProjectSource(path=str(tmp_path)), skip_validation=True,
        generator=GeneratorSpec(kind="command", target="agent", max_attempts=attempts),
        execution=ExecutionSpec(coverage=CoverageSpec()), priorities=(Priority.P1,))
    machine = RunMachine(new_run(request, seed=7, durations={}), tmp_path, clock=lambda: 1.0)
    machine.state.seams["1"].status = "passed"  # only seam 2 is followed here
    return machine


M = TypeVar("M")


def _job(out: list[Outgoing], kind: type[M]) -> M:
    return next(o.message for o in out if isinstance(o.message, kind))


def _through_audit(machine: RunMachine, out: list[Outgoing]) -> SeamJob:
    audit = _job(out, AuditJob)
    clean = AuditReport(job_id=audit.job_id, run_id="r1", seam_id="2", path=audit.path)
    return _job(machine.on_audit(clean), SeamJob)


def _generated(machine: RunMachine, job: SeamJob) -> SeamJob:
    made = JobResult(job_id=job.job_id, run_id="r1", kind="seam", phase="generate",
                     seam_id="2", attempt=job.attempt, status="generated",
                     generated_content="def test_x(): ...", generated_path=SEAM.output_file)
    return _through_audit(machine, machine.on_result(made))


def _passed(job: SeamJob, coverage: SeamCoverage) -> JobResult:
    return JobResult(job_id=job.job_id, run_id="r1", kind="seam", seam_id="2",
                     attempt=job.attempt, status="passed", coverage=coverage)


def test_a_generated_attempt_with_no_gain_goes_back_and_the_next_is_accepted(
    tmp_path: Path
) -> None:
    machine = _machine(tmp_path, generated=True)
    generate = _job(machine.start(), SeamJob)
    execute = _generated(machine, generate)
    assert execute.baseline_files == ("tests/test_first_integration.py",)

    retry = _job(machine.on_result(_passed(execute, _coverage((FIRST,), _baseline(FIRST)))),
                 SeamJob)
    assert retry.phase == "generate"
    assert "calc/ops.py:12-18" in retry.feedback
    second = _generated(machine, retry)
    machine.on_result(_passed(second, _coverage((SECOND,), _baseline(FIRST))))

    seam = machine.state.seams["2"]
    assert seam.status == "passed"
    assert [(a.number, a.phase, a.status) for a in seam.attempt_log] == [
        (1, "generate", "generated"), (1, "audit", "passed"), (1, "execute", "rejected"),
        (2, "generate", "generated"), (2, "audit", "passed"), (2, "execute", "passed")]
    assert seam.attempt_log[2].reason.startswith("adds no coverage over the existing tests")


def test_the_last_attempt_with_no_gain_ends_rejected_with_its_finding(tmp_path: Path) -> None:
    machine = _machine(tmp_path, generated=True, attempts=1)
    execute = _generated(machine, _job(machine.start(), SeamJob))

    machine.on_result(_passed(execute, _coverage((FIRST,), _baseline(FIRST))))

    seam = machine.state.seams["2"]
    assert seam.status == "rejected"
    assert seam.reason.endswith("uncovered: calc/ops.py:12-18")
    assert [(f.rule, f.path, f.line) for f in seam.findings] == [("coverage-gain", OPS, 12)]


def test_a_hand_written_seam_is_never_rejected_for_adding_no_coverage(tmp_path: Path) -> None:
    machine = _machine(tmp_path, generated=False)
    execute = _through_audit(machine, machine.start())
    assert execute.baseline_files == ()

    machine.on_result(_passed(execute, _coverage((FIRST,), _baseline(FIRST))))

    assert machine.state.seams["2"].status == "passed"
