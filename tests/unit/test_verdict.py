"""Judging one pytest process from the plugin's records, the JUnit XML and the exit status,
as the runner reads them from a process's outputs directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.runner.evidence import judge_outputs as judge
from services.runner.sandboxes.base import SandboxOutcome

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2">
<testcase classname="tests.test_a" name="test_one" file="tests/test_a.py" line="3" time="0.01"/>
<testcase classname="tests.test_a.TestGroup" name="test_two" file="tests/test_a.py" line="9"
  time="0.02">{failure}</testcase>
</testsuite></testsuites>
"""
IDS = ["tests/test_a.py::test_one", "tests/test_a.py::TestGroup::test_two"]


def _outputs(tmp_path: Path, *, failed: bool = False, exitstatus: int = 0,
             tampered: tuple[str, ...] = (), collect_errors: tuple[str, ...] = (),
             junit: bool = True, results: bool = True, collected: list[str] | None = None) -> Path:
    ids = IDS if collected is None else collected
    (tmp_path / "collected.json").write_text(json.dumps(
        {"seed": 1, "collected": [{"nodeid": n, "file": "tests/test_a.py", "line": 0}
                                  for n in ids]}))
    if results:
        outcomes = {IDS[0]: {"outcome": "passed"},
                    IDS[1]: {"outcome": "failed" if failed else "passed"}}
        (tmp_path / "results.json").write_text(json.dumps({
            "seed": 1, "order": IDS, "exitstatus": exitstatus, "outcomes": outcomes,
            "tampered": list(tampered), "collect_errors": list(collect_errors)}))
    if junit:
        failure = '<failure message="assert 1 == 2">detail</failure>' if failed else ""
        (tmp_path / "junit.xml").write_text(JUNIT.format(failure=failure))
    return tmp_path


def _exit(code: int | None, failure: str | None = None, reason: str = "") -> SandboxOutcome:
    return SandboxOutcome(exit_code=code, output="", duration_s=1.0, failure=failure,  # type: ignore[arg-type]
                          reason=reason)


def test_consistent_records_of_a_passing_run_are_passed(tmp_path: Path) -> None:
    verdict = judge(1, _exit(0), _outputs(tmp_path))

    assert verdict.outcome == "passed"
    assert set(verdict.cases) == set(IDS)
    assert verdict.cases[IDS[1]].line == 10


def test_a_failing_test_is_failed_with_its_message(tmp_path: Path) -> None:
    verdict = judge(1, _exit(1), _outputs(tmp_path, failed=True, exitstatus=1))

    assert verdict.outcome == "failed"
    assert "assert 1 == 2" in verdict.cases[IDS[1]].message


@pytest.mark.parametrize(
    ("kwargs", "code", "reason"),
    [
        ({"results": False, "junit": False}, 0, "no results"),
        ({"tampered": ("x: reported passed but its call raised",)}, 0, "tampering"),
        ({"collect_errors": ("tests/test_a.py: ImportError: nope",)}, 2, "collection error"),
        ({"exitstatus": 1}, 0, "do not match the exit status"),
        ({"junit": False}, 0, "no results"),
        ({"collected": [*IDS, "tests/test_a.py::test_three"]}, 0, "do not match collection"),
        ({"failed": True, "exitstatus": 0}, 0, "do not match the exit status"),
        ({"collected": []}, 5, "no tests collected"),
    ],
)
def test_missing_or_inconsistent_evidence_is_an_error(
    tmp_path: Path, kwargs: dict, code: int, reason: str
) -> None:
    if code == 5:
        kwargs = {**kwargs, "exitstatus": 5}
    verdict = judge(1, _exit(code), _outputs(tmp_path, **kwargs))

    assert verdict.outcome == "error"
    assert reason in verdict.reason


def test_a_sandbox_failure_is_an_error_with_its_reason(tmp_path: Path) -> None:
    verdict = judge(1, _exit(None, "timeout", "timed out after 3 s"), _outputs(tmp_path))

    assert verdict.outcome == "error"
    assert verdict.reason == "timed out after 3 s"
