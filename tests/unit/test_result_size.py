"""A result always fits a broker message: messages cut with a marker, details trimmed with a
note, never a result the coordinator cannot decode."""

from __future__ import annotations

from services.runner.result_size import MESSAGE_CHARS, RESULT_BUDGET, fit_result, truncate
from shared.contract import JobResult, RepeatRun, TestResult, decode, encode

NAMES = [f"tests/test_big_integration.py::test_fails[{n}]" for n in range(5_000)]


def _big() -> JobResult:
    tests = tuple(TestResult(name=name, outcome="failed", runs=("failed",) * 3,
                             message="assert 0\n" + "x" * 4_000) for name in NAMES)
    runs = tuple(RepeatRun(seed=n, exit_code=1, outcome="failed", collected=len(NAMES),
                           order=tuple(NAMES), ran=tuple(NAMES)) for n in range(3))
    return JobResult(job_id="j", run_id="r", kind="seam", seam_id="1", status="failed",
                     reason="5000 of 5000 test(s) failed", tests=tests, repeats=runs,
                     collected=tuple(NAMES))


def test_a_long_message_is_cut_with_a_marker() -> None:
    cut = truncate("y" * 5_000, 2_000)

    assert cut.startswith("y" * 2_000)
    assert "3000 more characters truncated" in cut


def test_5000_failing_tests_fit_and_keep_their_status_names_and_outcomes() -> None:
    big = _big()
    assert len(encode(big)) > 16 * 1024 * 1024

    fitted = fit_result(big)

    assert len(encode(fitted)) <= RESULT_BUDGET
    assert decode("JobResult", encode(fitted)) == fitted
    assert fitted.status == "failed"
    assert [t.name for t in fitted.tests] == NAMES
    assert {t.outcome for t in fitted.tests} == {"failed"}
    assert fitted.collected == tuple(NAMES)
    assert "details trimmed to fit a broker message" in fitted.reason
    assert "truncated" in fitted.tests[0].message


def test_a_small_result_is_left_as_it_is() -> None:
    small = JobResult(job_id="j", run_id="r", kind="seam", status="failed",
                      tests=(TestResult(name="t", outcome="failed", message="short"),))

    assert fit_result(small) == small


def test_a_result_that_cannot_fit_becomes_an_error_for_its_seam() -> None:
    fitted = fit_result(_big(), budget=10_000)

    assert fitted.status == "error"
    assert "does not fit" in fitted.reason
    assert len(encode(fitted)) < 200_000
    assert MESSAGE_CHARS > 0
