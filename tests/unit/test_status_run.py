"""Seam, validation and run statuses, and the run summary (shared.status)."""

from __future__ import annotations

import pytest

from shared.contract import AuditReport, Finding, JobResult, SeamReport, TestResult
from shared.status import (
    audit_rejection,
    environment_cause,
    reported_seam,
    reported_validation,
    run_status,
    seam_status,
    summarize,
    validation_status,
)


def _seam(seam_id: str, status: str, priority: str = "P0", *tests: TestResult,
          duration_s: float = 1.0) -> SeamReport:
    return SeamReport(id=seam_id, title=seam_id, priority=priority, status=status,
                      file=f"tests/test_{seam_id}.py", tests=tests, duration_s=duration_s)


def _test(outcome: str, runs: tuple[str, ...] = ()) -> TestResult:
    return TestResult(name="test_x", outcome=outcome, runs=runs)


def _result(status: str, kind: str = "seam") -> JobResult:
    return JobResult(job_id="j", run_id="r", kind=kind, status=status)


def test_summary_counts_every_status_and_outcome_even_when_zero() -> None:
    seams = [_seam("a", "passed", "P0", _test("passed"), _test("skipped")),
             _seam("b", "failed", "P1", _test("failed"))]

    summary = summarize(seams)

    assert summary.seams == {"passed": 1, "failed": 1, "flaky": 0, "rejected": 0,
                             "missing": 0, "error": 0}
    assert summary.tests == {"passed": 1, "failed": 1, "flaky": 0, "error": 0, "skipped": 1}
    assert summary.duration_s == 2.0


def test_summary_counts_a_test_whose_repeats_disagree_as_flaky() -> None:
    seams = [_seam("a", "flaky", "P0", _test("passed", ("passed", "failed")), _test("flaky"))]

    assert summarize(seams).tests["flaky"] == 2


def test_summary_prefers_the_given_wall_clock_duration() -> None:
    assert summarize([_seam("a", "passed")], duration_s=12.3456).duration_s == 12.346


def test_summary_has_the_json_shape_report_json_documents() -> None:
    data = summarize([_seam("a", "passed")]).model_dump(mode="json")

    assert list(data) == ["seams", "tests", "duration_s"]
    assert list(data["tests"]) == ["passed", "failed", "flaky", "error", "skipped"]


@pytest.mark.parametrize(
    ("statuses", "fields", "expected"),
    [
        (["passed", "passed"], {}, "passed"),
        (["passed", "flaky"], {}, "failed"),
        (["passed"], {"count_ok": False}, "failed"),
        (["passed"], {"validations": ["isolated", "conflict"]}, "failed"),
        (["passed", "error"], {}, "failed"),
        (["passed", "error"], {"infrastructure": {"s1"}}, "error"),
        (["passed"], {"validations": ["error"]}, "error"),
        (["failed"], {"interrupted": True}, "interrupted"),
    ],
)
def test_run_status_passes_only_a_clean_run_and_errors_only_on_infrastructure(
    statuses: list[str], fields: dict, expected: str
) -> None:
    seams = [_seam(f"s{i}", status) for i, status in enumerate(statuses)]
    options = {"interrupted": False, "validations": ["isolated"], "count_ok": True, **fields}

    assert run_status(seams, **options) == expected


def test_an_execute_result_gives_its_seam_that_status_or_error() -> None:
    assert seam_status(_result("flaky")) == "flaky"
    assert seam_status(_result("missing")) == "missing"
    assert seam_status(_result("generated")) == "error"


def test_a_blocking_finding_rejects_the_test_and_a_warning_does_not() -> None:
    def report(*findings: Finding) -> AuditReport:
        return AuditReport(job_id="j", run_id="r", seam_id="1", path="t.py", findings=findings)

    blocking = Finding(path="t.py", line=3, rule="mock-usage", severity="error", message="m")
    warning = Finding(path="t.py", line=5, rule="print-call", severity="warning", message="p")

    assert audit_rejection(report(warning)) == ""
    assert audit_rejection(report(blocking, warning)) == (
        "1 audit finding(s) block this test: mock-usage (line 3)")


def test_a_seam_left_unfinished_is_reported_as_an_error() -> None:
    assert reported_seam("passed", "") == ("passed", "")
    assert reported_seam("executing", "") == ("error", "interrupted while executing")


def test_validation_results_are_isolated_conflict_or_error_and_unrun_ones_skipped() -> None:
    assert validation_status(_result("conflict", "batch")) == "conflict"
    assert validation_status(_result("failed", "suite")) == "error"
    assert reported_validation("running") == "skipped"
    assert reported_validation("isolated") == "isolated"


def _errored(seam_id: str, reason: str) -> SeamReport:
    return SeamReport(id=seam_id, title=seam_id, priority="P0", status="error", reason=reason,
                      file=f"test_{seam_id}.py")


def test_one_missing_import_in_every_seam_is_an_environment_cause() -> None:
    seams = [_errored(s, f"collection error: E   ModuleNotFoundError: No module named "
                         f"'fastapi.testclient' (seed {n})") for n, s in enumerate("ab")]
    assert environment_cause(seams).startswith("the sandbox cannot import 'fastapi'")
    assert run_status(seams, interrupted=False, validations=[], count_ok=True) == "error"


def test_a_timeout_is_the_tests_own_error_not_the_environments() -> None:
    seams = [_errored("a", "timed out after 3 s (the job's wall-clock deadline) (seed 1)")]
    assert environment_cause(seams) == ""
    assert run_status(seams, interrupted=False, validations=[], count_ok=True) == "failed"


def test_different_causes_are_not_one_cause() -> None:
    seams = [_errored("a", "collection error: ModuleNotFoundError: No module named 'x'"),
             _errored("b", "collection error: ModuleNotFoundError: No module named 'y'")]
    assert environment_cause(seams) == ""
