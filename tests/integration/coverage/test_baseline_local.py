"""A generated seam's baseline, measured for real in the local sandbox: what the existing
tests cover, in a copy of the project without the generated file, or why it counts as
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.runner.sandboxes.local import LocalSandbox
from tests.integration.coverage.support import HALF, OTHER_HALF, project, run_seam

pytest.importorskip("coverage")
pytestmark = pytest.mark.slow

FAILS = '''
from calc.ops import second

def test_second_is_wrong():
    assert second(1) == -1
'''


def test_the_existing_tests_coverage_comes_back_beside_the_seams(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_first.py": HALF, "test_again.py": HALF})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_again.py",
                      baseline=("tests/test_first.py",))

    assert result.status == "passed", result.reason
    assert result.coverage is not None
    baseline = result.coverage.baseline
    assert baseline is not None
    assert baseline.measured, baseline.reason
    assert baseline.tests == ("tests/test_first.py",)
    assert [f.missing for f in baseline.files] == [tuple(range(12, 19))]
    assert baseline.files[0].arcs == ()
    assert result.coverage.files[0].missing == baseline.files[0].missing


def test_the_baseline_runs_the_projects_file_not_the_generated_one(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_own.py": OTHER_HALF})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_own.py",
                      baseline=("tests/test_own.py",),
                      overlay={"tests/test_own.py": HALF})  # what --regenerate wrote

    assert result.coverage is not None
    baseline = result.coverage.baseline
    assert baseline is not None
    assert [f.missing for f in baseline.files] == [tuple(range(2, 9))]
    assert [f.missing for f in result.coverage.files] == [tuple(range(12, 19))]


def test_failing_existing_tests_count_as_covering_nothing_and_say_so(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_fails.py": FAILS, "test_new.py": HALF})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_new.py",
                      baseline=("tests/test_fails.py", "tests/test_gone.py"))

    assert result.status == "passed"
    assert result.coverage is not None
    baseline = result.coverage.baseline
    assert baseline is not None
    assert not baseline.measured
    assert baseline.files == ()
    assert baseline.reason.startswith("the existing tests did not pass (failed")
    assert baseline.reason.endswith("; counted as covering nothing")


def test_no_baseline_is_measured_for_a_seam_that_did_not_pass(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_first.py": HALF, "test_fails.py": FAILS})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_fails.py",
                      baseline=("tests/test_first.py",))

    assert result.status == "failed"
    assert result.coverage is not None
    assert result.coverage.baseline is None
