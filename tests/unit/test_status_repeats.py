"""Combining the repeats of a job (shared.status): per-test results, job and validation status."""

from __future__ import annotations

from shared.contract import Outcome, TestResult
from shared.status import (
    CaseResult,
    ProcessVerdict,
    combine,
    is_flaky,
    judge_validation,
    repeat_runs,
    shown_outcome,
)


def _verdict(seed: int, order: tuple[str, ...] = (), **outcomes: Outcome) -> ProcessVerdict:
    cases = {n: CaseResult(n, "f.py", 1, o, 0.1, "boom" if o == "failed" else "")
             for n, o in outcomes.items()}
    bad = any(o == "failed" for o in outcomes.values())
    return ProcessVerdict(seed=seed, outcome="failed" if bad else "passed", cases=cases,
                          order=order or tuple(outcomes))


def _test(outcome: str, runs: tuple[str, ...] = ()) -> TestResult:
    return TestResult(name="test_x", outcome=outcome, runs=runs)


def test_every_repeat_passing_is_passed() -> None:
    combined = combine([_verdict(1, a="passed"), _verdict(2, a="passed")])

    assert combined.status == "passed"
    assert combined.tests[0].runs == ("passed", "passed")


def test_differing_outcomes_are_flaky_and_name_the_seeds() -> None:
    combined = combine([_verdict(11, a="passed"), _verdict(22, a="failed"),
                        _verdict(33, a="passed")])

    assert combined.status == "flaky"
    assert combined.tests[0].outcome == "flaky"
    assert "failed with seed(s) 22" in combined.reason
    assert "passed with seed(s) 11, 33" in combined.reason


def test_a_test_failing_in_every_repeat_is_failed() -> None:
    combined = combine([_verdict(1, a="failed", b="passed"), _verdict(2, a="failed", b="passed")])

    assert combined.status == "failed"
    assert combined.tests[0].message == "boom"


def test_any_error_repeat_makes_the_job_an_error() -> None:
    error = ProcessVerdict(seed=9, outcome="error", reason="no results")

    combined = combine([_verdict(1, a="passed"), error])

    assert combined.status == "error"
    assert combined.reason == "no results (seed 9)"


def test_all_skipped_verifies_nothing_and_is_not_passed() -> None:
    combined = combine([_verdict(1, a="skipped")])

    assert combined.status == "failed"
    assert "skipped" in combined.reason


def test_files_passing_together_are_isolated() -> None:
    validated = judge_validation([_verdict(1, a="passed", b="passed")])

    assert (validated.status, validated.reason) == ("isolated", "")


def test_a_failure_only_after_another_test_is_a_conflict_naming_the_suspect() -> None:
    validated = judge_validation([
        _verdict(1, ("a", "b"), a="passed", b="failed"),
        _verdict(2, ("b", "a"), a="passed", b="passed"),
    ])

    assert validated.status == "conflict"
    assert validated.reason == ("1 test(s) fail when run together in random order (seed 1): "
                                "b fails after a")


def test_repeat_runs_report_each_process_with_its_seed_and_collection() -> None:
    verdict = ProcessVerdict(seed=7, outcome="passed", exit_code=0, collected=("a", "b"),
                             duration_s=1.23456)

    (run,) = repeat_runs([verdict])

    assert (run.seed, run.outcome, run.exit_code, run.collected, run.duration_s) == (
        7, "passed", 0, 2, 1.235)


def test_is_flaky_ignores_skips_and_unanimous_runs() -> None:
    assert not is_flaky(_test("passed", ("passed", "passed")))
    assert not is_flaky(_test("passed", ("passed", "skipped")))
    assert is_flaky(_test("error", ("passed", "error")))


def test_reports_show_a_test_whose_repeats_disagreed_as_flaky() -> None:
    assert shown_outcome(_test("passed", ("passed", "failed"))) == "flaky"
    assert shown_outcome(_test("skipped", ("skipped",))) == "skipped"
