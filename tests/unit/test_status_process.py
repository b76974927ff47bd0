"""Judging one pytest process from typed evidence (shared.status), with no files involved."""

from __future__ import annotations

from shared.status import JunitCase, PluginResults, ProcessEvidence, judge_process

IDS = ("t.py::test_a", "t.py::test_b")


def _evidence(code: int = 0, *, junit_b: str = "passed", recorded_b: str = "passed",
              **fields: object) -> ProcessEvidence:
    junit = (JunitCase(IDS[0], "t.py", 2, "passed", 0.1, ""),
             JunitCase(IDS[1], "t.py", 6, junit_b, 0.2, "boom" if junit_b != "passed" else ""))
    results = PluginResults(exitstatus=code, order=IDS[::-1],
                            outcomes={IDS[0]: "passed", IDS[1]: recorded_b})
    base = {"seed": 4, "exit_code": code, "duration_s": 2.0, "collected": IDS,
            "results": results, "junit": junit}
    return ProcessEvidence(**{**base, **fields})


def test_agreeing_records_of_a_passing_process_are_passed_with_1_based_lines() -> None:
    verdict = judge_process(_evidence())

    assert (verdict.outcome, verdict.seed, verdict.order) == ("passed", 4, IDS[::-1])
    assert verdict.cases[IDS[1]].line == 7


def test_a_failing_test_reported_by_both_records_and_the_exit_status_is_failed() -> None:
    verdict = judge_process(_evidence(1, junit_b="failed", recorded_b="failed"))

    assert (verdict.outcome, verdict.reason) == ("failed", "1 of 2 test(s) failed")


def test_records_that_disagree_are_an_error_naming_the_test() -> None:
    verdict = judge_process(_evidence(1, junit_b="failed", recorded_b="passed"))

    assert verdict.outcome == "error"
    assert verdict.reason == (f"results disagree for {IDS[1]}: JUnit says failed, "
                              "the run recorded passed")


def test_no_plugin_results_after_collection_is_an_error_saying_when_it_ended() -> None:
    verdict = judge_process(_evidence(results=None))

    assert verdict.reason == "no results: the test process ended after collection (exit status 0)"


def test_an_infrastructure_failure_is_marked_so_the_run_can_exit_3() -> None:
    verdict = judge_process(_evidence(None, failure="infrastructure", failure_reason=""))

    assert (verdict.outcome, verdict.reason, verdict.infrastructure) == (
        "error", "infrastructure", True)
