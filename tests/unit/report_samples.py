"""A sample run report for the report-writer tests: every seam status, a conflict, warnings."""

from __future__ import annotations

from shared.contract import (
    Attempt,
    BatchReport,
    CountCheck,
    Finding,
    PlanWarning,
    RunReport,
    SeamReport,
    SuiteReport,
    TestResult,
)
from shared.status import summarize

LONG_TRACE = "\n".join(f"trace line {n}" for n in range(200)) + "\nE   assert 1 == 2"


def sample_seams() -> tuple[SeamReport, ...]:
    return (
        SeamReport(
            id="1", title="API → service", priority="P0", status="passed",
            file="tests/test_api_service.py", attempts=1, seeds=(11, 12, 13), duration_s=4.0,
            tests=(
                TestResult(name="test_creates_order", file="tests/test_api_service.py",
                           line=10, outcome="passed", runs=("passed",) * 3, duration_s=0.5),
                TestResult(name="TestCache::test_hits", file="tests/test_api_service.py",
                           line=30, outcome="passed", runs=("passed",) * 3, duration_s=0.25),
            ),
        ),
        SeamReport(
            id="2", title="Service → cache", priority="P0", status="failed",
            reason="test_x[a|b]: assert 1 == 2", file="tests/test_cache.py", attempts=1,
            seeds=(21,),
            tests=(
                TestResult(name="test_x[a|b]", file="tests/test_cache.py", line=7,
                           outcome="failed", runs=("failed",), duration_s=1.5,
                           message="\x1b[31mAssertionError\x1b[0m: ```boom```\x00\n" + LONG_TRACE),
            ),
        ),
        SeamReport(
            id="3", title="Cache → DB", priority="P1", status="flaky",
            reason="test_race: seeds 31, 33", file="tests/test_db.py", attempts=1,
            seeds=(31, 32, 33),
            tests=(
                TestResult(name="test_race", file="tests/test_db.py", line=5, outcome="flaky",
                           runs=("failed", "passed", "failed"), message="timing"),
                TestResult(name="test_legacy", file="tests/test_db.py", line=9,
                           outcome="passed", runs=("passed", "error", "passed")),
            ),
        ),
        SeamReport(
            id="4", title="Queue consumer", priority="P1", status="rejected",
            reason="2 blocking audit findings", file="tests/test_queue.py", attempts=3,
            generated=True,
            attempt_log=(
                Attempt(number=1, phase="generate", status="generated"),
                Attempt(number=1, phase="audit", status="rejected", reason="mock-usage"),
            ),
            findings=(
                Finding(path="tests/test_queue.py", line=12, rule="mock-usage",
                        severity="error", message="unittest.mock patches the broker"),
                Finding(path="tests/test_queue.py", line=20, rule="print-call",
                        severity="warning", message="print() in a test"),
            ),
        ),
        SeamReport(id="5", title="Webhooks", priority="P2", status="missing",
                   reason="tests/test_hooks.py does not exist and no generator is set",
                   file="tests/test_hooks.py"),
        SeamReport(id="6", title="Search index", priority="P3", status="error",
                   reason="sandbox timed out after 300s", file="tests/test_search.py",
                   logs_tail="starting container\nkilled after 300s"),
        SeamReport(
            id="7", title="Audit log", priority="P2", status="passed", file="tests/test_log.py",
            tests=(TestResult(name="test_optional", file="tests/test_log.py", line=3,
                              outcome="skipped", runs=("skipped",), message="needs S3"),),
        ),
    )


def sample_report(seams: tuple[SeamReport, ...], status: str = "failed",
                  **fields: object) -> RunReport:
    """A report of ``seams`` whose summary is computed as the coordinator computes it."""
    return RunReport(run_id="run-42", status=status, plan="docs/TEST_PLAN.md",
                     summary=summarize(seams), seams=seams, **fields)


def full_report() -> RunReport:
    """Seven seams (one of each status), two batches (one conflict), a count mismatch."""
    return sample_report(
        sample_seams(),
        batches=(
            BatchReport(seams=("1", "2", "3"), status="isolated", seed=5),
            BatchReport(seams=("4", "5", "6"), status="conflict", seed=6,
                        detail="test_hits fails after test_race\nsecond line",
                        victims=(TestResult(name="tests/test_cache.py::TestCache::test_hits",
                                            file="tests/test_cache.py", line=14,
                                            outcome="failed", duration_s=0.42,
                                            message="AssertionError: stale entry"),),
                        duration_s=3.5),
        ),
        suite=SuiteReport(
            status="isolated", seed=99,
            count_check=CountCheck(plan_seams=7, files=6, expected_tests=10, collected_tests=8,
                                   ok=False, detail="seam 5 has no file"),
        ),
        generated_files={"tests/test_queue.py": "def test_generated(): ...\n" * 1_000},
        warnings=(PlanWarning(line=3, message="seam 7 has no priority; using P2"),),
        started_at=1_700_000_000.0,
        finished_at=1_700_000_125.0,
    )


def all_passed() -> RunReport:
    """The first sample seam alone: a clean run."""
    return sample_report(sample_seams()[:1], status="passed")
