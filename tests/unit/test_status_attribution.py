"""Tests of a file several seams share: marker, then class or name, else every seam."""

from __future__ import annotations

from shared.contract import JobResult, TestOutcome, TestResult
from shared.status.attribution import attribute, shared_verdict

TITLES = {"1": "Environment Detection", "2": "Policy Limits", "3": "Security Headers"}


def _test(name: str, outcome: TestOutcome = "passed", seams: tuple[str, ...] = ()
          ) -> TestResult:
    return TestResult(name=f"tests/test_sec.py::{name}", outcome=outcome, seams=seams)


def _names(tests: tuple[TestResult, ...]) -> list[str]:
    return [t.name.split("::", 1)[1] for t in tests]


def test_a_marker_wins_over_the_name() -> None:
    """@pytest.mark.seam("2") makes a test seam 2's even if its name says headers."""
    owned = attribute([_test("test_security_headers_set", seams=("2",))], TITLES)
    assert {k: _names(v) for k, v in owned.items()} == {
        "1": [], "2": ["test_security_headers_set"], "3": []}


def test_a_class_named_after_a_seam_gives_its_tests_to_that_seam() -> None:
    owned = attribute([_test("TestSecurityHeaders::test_frame_options")], TITLES)
    assert _names(owned["3"]) == ["TestSecurityHeaders::test_frame_options"]
    assert owned["1"] == owned["2"] == ()


def test_an_unattributable_test_counts_for_every_seam() -> None:
    """No marker, no matching name: the file's verdict counts for each of its seams."""
    owned = attribute([_test("test_smoke")], TITLES)
    assert all(_names(tests) == ["test_smoke"] for tests in owned.values())


def test_one_seams_failure_is_not_anothers() -> None:
    result = JobResult(job_id="j", run_id="r", kind="seam", status="failed", tests=(
        _test("test_detects", seams=("1",)),
        _test("test_limits", "failed", seams=("2",)),
    ))
    assert shared_verdict(result, "1", TITLES).status == "passed"
    assert shared_verdict(result, "2", TITLES).status == "failed"
    third = shared_verdict(result, "3", TITLES)
    assert third.status == "missing"
    assert "its tests are seam(s) 1, 2" in third.reason
