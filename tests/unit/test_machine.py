"""The coordinator's run state machine, driven by hand-made results (no runner, no broker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.coordinator.machine import RunMachine
from services.coordinator.report_builder import build_report
from services.coordinator.service import new_run
from shared.brokers.base import Outgoing
from shared.contract import (
    AuditJob,
    AuditReport,
    Conflict,
    Finding,
    GeneratorSpec,
    JobResult,
    Priority,
    ProjectSource,
    RunEvent,
    RunRequest,
    Seam,
    SeamJob,
    TestOutcome,
    TestPlan,
    TestResult,
    ValidationJob,
)
from shared.topology import AUDITOR_QUEUE, RUNNER_QUEUE


def _seam(seam_id: str, priority: Priority = Priority.P0, *, depends: tuple[str, ...] = (),
          expected: int | None = None) -> Seam:
    return Seam(id=seam_id, title=f"Seam {seam_id}", line=1, priority=priority,
                output_file=f"tests/test_{seam_id}_integration.py", depends_on=depends,
                expected_tests=expected)


def _machine(tmp_path: Path, seams: tuple[Seam, ...], *, files: bool = True,
             generator: GeneratorSpec | None = None, batch_size: int = 3) -> RunMachine:
    if files:
        for seam in seams:
            path = tmp_path / seam.output_file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("def test_x():\n    assert 1 + 1 == 2\n")
    request = RunRequest(
        run_id="r1",
        plan=TestPlan(path="tests/TEST_PLAN.md", seams=seams),
        project=ProjectSource(path=str(tmp_path)),
        batch_size=batch_size,
        generator=generator or GeneratorSpec(),
    )
    return RunMachine(new_run(request, seed=7, durations={}), tmp_path, clock=lambda: 100.0)


def _messages(out: list[Outgoing], kind: type) -> list:
    return [o.message for o in out if isinstance(o.message, kind)]


def _passed(job: SeamJob, *, tests: int = 1) -> JobResult:
    return JobResult(
        job_id=job.job_id, run_id=job.run_id, kind="seam", seam_id=job.seam.id,
        attempt=job.attempt, status="passed",
        tests=tuple(TestResult(name=f"t{i}", outcome="passed", runs=("passed",) * 3)
                    for i in range(tests)),
        collected=tuple(f"t{i}" for i in range(tests)),
    )


def _clean(job: AuditJob) -> AuditReport:
    return AuditReport(job_id=job.job_id, run_id=job.run_id, seam_id=job.seam_id, path=job.path)


def _drive_to_execution(machine: RunMachine) -> list[SeamJob]:
    """Answer every audit job cleanly and return the execute jobs that follow."""
    out = machine.start()
    jobs: list[SeamJob] = []
    for audit in _messages(out, AuditJob):
        jobs += _messages(machine.on_audit(_clean(audit)), SeamJob)
    return jobs


def test_existing_files_are_audited_before_any_runner_is_used(tmp_path: Path) -> None:
    machine = _machine(tmp_path, (_seam("1"), _seam("2")))

    out = machine.start()

    assert [o.queue for o in out if o.queue] == [AUDITOR_QUEUE, AUDITOR_QUEUE]
    assert not _messages(out, SeamJob)


def test_blocking_findings_reject_the_seam_without_execution(tmp_path: Path) -> None:
    machine = _machine(tmp_path, (_seam("1"),))
    audit = _messages(machine.start(), AuditJob)[0]
    finding = Finding(path=audit.path, line=3, rule="mock-usage", severity="error",
                      message="unittest.mock in an integration test")

    out = machine.on_audit(AuditReport(job_id=audit.job_id, run_id="r1", seam_id="1",
                                       path=audit.path, findings=(finding,)))

    assert not _messages(out, SeamJob)
    assert machine.state.seams["1"].status == "rejected"
    assert "mock-usage" in machine.state.seams["1"].reason


def _suite_test(seam_id: str, outcome: TestOutcome = "passed") -> TestResult:
    return TestResult(name=f"tests/test_{seam_id}_integration.py::test_x", outcome=outcome,
                      runs=(outcome, outcome) if outcome != "flaky" else ("passed", "failed"))


def test_one_suite_validation_proves_every_pair_and_gives_the_batch_verdicts(
    tmp_path: Path,
) -> None:
    """No batch jobs: the suite's order and its reverse meet every pair (N + 2 per file)."""
    machine = _machine(tmp_path, (_seam("1"), _seam("2"), _seam("3", Priority.P1)),
                       batch_size=2)
    validations: list[ValidationJob] = []

    for job in _drive_to_execution(machine):
        validations += _messages(machine.on_result(_passed(job)), ValidationJob)

    assert [v.scope for v in validations] == ["suite"]
    assert len(validations[0].files) == 3
    final = machine.on_result(JobResult(
        job_id=validations[0].job_id, run_id="r1", kind="suite", status="isolated",
        tests=tuple(_suite_test(s) for s in ("1", "2", "3"))))
    finished = [e for e in _messages(final, RunEvent) if e.event == "finished"]
    assert finished
    assert finished[0].report is not None
    report = finished[0].report
    assert report.status == "passed"
    assert [(b.seams, b.status) for b in report.batches] == [
        (("1", "2"), "isolated"), (("3",), "isolated")]
    assert machine.state.finished


def test_a_conflict_in_the_suite_marks_the_victims_batch_and_fails_the_run(
    tmp_path: Path,
) -> None:
    machine = _machine(tmp_path, (_seam("1"), _seam("2"), _seam("3", Priority.P1)),
                       batch_size=2)
    validations = []
    for job in _drive_to_execution(machine):
        validations += _messages(machine.on_result(_passed(job)), ValidationJob)
    conflict = Conflict(victim="tests/test_3_integration.py::test_x",
                        polluters=("tests/test_1_integration.py::test_x",), proven=True)

    final = machine.on_result(JobResult(
        job_id=validations[0].job_id, run_id="r1", kind="suite", status="conflict",
        reason="t1 pollutes t3", conflicts=(conflict,),
        tests=(_suite_test("1"), _suite_test("2"), _suite_test("3", "failed"))))

    report = next(e.report for e in _messages(final, RunEvent) if e.event == "finished")
    assert report is not None
    assert report.status == "failed"
    assert [b.status for b in report.batches] == ["isolated", "conflict"]
    assert report.batches[1].conflicts == (conflict,)
    assert report.suite.conflicts == (conflict,)


def test_a_duplicate_result_changes_nothing(tmp_path: Path) -> None:
    machine = _machine(tmp_path, (_seam("1"), _seam("2")))
    jobs = _drive_to_execution(machine)
    first = machine.on_result(_passed(jobs[0]))
    before = machine.state.model_dump_json()

    again = machine.on_result(_passed(jobs[0]))

    assert first
    assert again == []
    assert machine.state.model_dump_json() == before


def test_missing_file_without_generator_is_missing(tmp_path: Path) -> None:
    machine = _machine(tmp_path, (_seam("1"),), files=False)

    machine.start()

    assert machine.state.seams["1"].status == "missing"
    assert machine.state.finished


def test_dependent_seam_waits_for_its_dependency(tmp_path: Path) -> None:
    machine = _machine(tmp_path, (_seam("1"), _seam("2", depends=("1",))))

    out = machine.start()

    assert [a.seam_id for a in _messages(out, AuditJob)] == ["1"]
    audit = _messages(out, AuditJob)[0]
    job = _messages(machine.on_audit(_clean(audit)), SeamJob)[0]
    after = machine.on_result(_passed(job))
    assert [a.seam_id for a in _messages(after, AuditJob)] == ["2"]


def test_generated_test_failing_gets_feedback_and_another_attempt(tmp_path: Path) -> None:
    generator = GeneratorSpec(kind="command", target="agent", max_attempts=2)
    machine = _machine(tmp_path, (_seam("1"),), files=False, generator=generator)
    gen = _messages(machine.start(), SeamJob)[0]
    assert gen.phase == "generate"
    assert gen.attempt == 1
    generated = JobResult(job_id=gen.job_id, run_id="r1", kind="seam", phase="generate",
                          seam_id="1", status="generated", generated_content="def test_x(): ...",
                          generated_path=gen.seam.output_file)
    audit = _messages(machine.on_result(generated), AuditJob)[0]
    assert audit.content == "def test_x(): ..."
    execute = _messages(machine.on_audit(_clean(audit)), SeamJob)[0]
    assert execute.overlay == {gen.seam.output_file: "def test_x(): ..."}
    failed = JobResult(
        job_id=execute.job_id, run_id="r1", kind="seam", seam_id="1", status="failed",
        reason="1 test(s) failed in every repeat",
        tests=(TestResult(name="t", outcome="failed", runs=("failed",) * 3,
                          message="assert 1 == 2"),),
    )

    retry = _messages(machine.on_result(failed), SeamJob)

    assert retry[0].phase == "generate"
    assert retry[0].attempt == 2
    assert "assert 1 == 2" in retry[0].feedback


def test_generator_that_keeps_breaking_policy_ends_rejected_after_k_attempts(
    tmp_path: Path,
) -> None:
    generator = GeneratorSpec(kind="command", target="agent", max_attempts=2)
    machine = _machine(tmp_path, (_seam("1"),), files=False, generator=generator)
    job = _messages(machine.start(), SeamJob)[0]
    bad = Finding(path=job.seam.output_file, line=1, rule="mock-usage", severity="error",
                  message="mock")
    for attempt in (1, 2):
        assert job.attempt == attempt
        generated = JobResult(job_id=job.job_id, run_id="r1", kind="seam", phase="generate",
                              seam_id="1", status="generated", generated_content="x")
        audit = _messages(machine.on_result(generated), AuditJob)[0]
        out = machine.on_audit(AuditReport(job_id=audit.job_id, run_id="r1", seam_id="1",
                                           path=audit.path, findings=(bad,)))
        nxt = _messages(out, SeamJob)
        if nxt:
            job = nxt[0]

    seam = machine.state.seams["1"]
    assert seam.status == "rejected"
    assert seam.attempt == 2
    assert [a.phase for a in seam.attempt_log] == ["generate", "audit", "generate", "audit"]


def test_p0_jobs_carry_a_higher_broker_priority_than_p1(tmp_path: Path) -> None:
    machine = _machine(tmp_path, (_seam("1", Priority.P1), _seam("2", Priority.P0)))

    out = [o for o in machine.start() if o.queue == AUDITOR_QUEUE]

    by_seam = {o.message.seam_id: o.priority for o in out}  # type: ignore[attr-defined]
    assert by_seam["2"] > by_seam["1"]


@pytest.mark.parametrize("expected", [1, 2])
def test_count_check_compares_expected_and_collected_tests(tmp_path: Path, expected: int) -> None:
    machine = _machine(tmp_path, (_seam("1", expected=expected),))
    job = _drive_to_execution(machine)[0]

    out = machine.on_result(_passed(job, tests=1))

    report = next(e.report for e in _messages(out, RunEvent) if e.event == "finished")
    assert report is not None
    check = report.suite.count_check
    assert check is not None
    assert check.ok is (expected == 1)
    assert report.status == ("passed" if expected == 1 else "failed")
    assert all(o.queue in (None, RUNNER_QUEUE, AUDITOR_QUEUE) for o in out)


def test_the_report_carries_each_seams_scope_impact_and_success_criteria(
    tmp_path: Path,
) -> None:
    seam = _seam("1").model_copy(update={"scope": "API → cache", "impact": "stale prices",
                                         "success_criteria": "a write invalidates the entry"})
    machine = _machine(tmp_path, (seam,), files=False)

    [reported] = build_report(machine.state).seams

    assert (reported.scope, reported.impact, reported.success_criteria) == (
        "API → cache", "stale prices", "a write invalidates the entry")
