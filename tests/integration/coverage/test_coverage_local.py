"""Coverage measured for real (coverage.py in the local sandbox): numbers, merging, forgery."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.runner.sandboxes.local import LocalSandbox
from shared.coverage import merge, rates
from tests.integration.coverage.support import (
    FAKE_DATA,
    HALF,
    OTHER_HALF,
    project,
    run_seam,
)

pytest.importorskip("coverage")
pytestmark = pytest.mark.slow


def test_a_seam_that_exercises_half_its_component_reports_about_half(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_half.py": HALF})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_half.py", repeats=2)

    assert result.status == "passed", result.reason
    coverage = result.coverage
    assert coverage is not None
    assert coverage.measured, coverage.reason
    (ops,) = coverage.files
    assert ops.path == "calc/ops.py"
    assert ops.statements == 16
    assert ops.missing == tuple(range(12, 19))  # second()'s body
    assert coverage.rates.lines == pytest.approx(9 / 16)


def test_two_seams_on_one_component_merge_to_what_either_covered(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_half.py": HALF, "test_other.py": OTHER_HALF})
    sandbox, cache = LocalSandbox(), tmp_path / "cache"

    first = run_seam(root, sandbox, cache, "test_half.py", seam_id="1").coverage
    second = run_seam(root, sandbox, cache, "test_other.py", seam_id="2").coverage

    assert first is not None
    assert second is not None
    merged = merge([first.files, second.files])
    assert [f.missing for f in merged] == [()]
    assert rates(merged).lines == 1.0
    assert set(merged[0].arcs) == set(first.files[0].arcs) | set(second.files[0].arcs)


STOPS = '''
import coverage
from calc.ops import first

def test_stops_and_restarts_the_measurement():
    coverage.Coverage.current().stop()
    assert first(1) == 19
'''

OVERWRITES_LATER = '''
import atexit, sys, os, shutil
from calc.ops import first, second

def _later():
    import coverage
    out = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))
    path = os.path.join(out, "coverage.sqlite")
    data = coverage.CoverageData(basename=path)
    data.read()
    ops = os.path.join(os.getcwd(), "calc", "ops.py")
    data.add_arcs({ops: {(n, n + 1) for n in range(1, 19)}})
    data.write()

atexit.register(_later)

def test_overwrites_the_data_after_the_plugin_signed_it():
    assert first(1) == 19
'''


def test_a_fake_coverage_file_written_by_a_test_does_not_raise_its_number(
    tmp_path: Path
) -> None:
    root = project(tmp_path, {"test_fake.py": FAKE_DATA})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_fake.py")

    assert result.coverage is not None
    assert result.coverage.measured, result.coverage.reason
    assert result.coverage.rates.lines == pytest.approx(9 / 16)


@pytest.mark.parametrize(("source", "said"), [
    (STOPS, "the coverage measurement was stopped or replaced by tests/test_x.py::"),
    (OVERWRITES_LATER, "does not match the digest seamq's plugin signed"),
])
def test_tampering_with_the_measurement_is_refused(tmp_path: Path, source: str,
                                                   said: str) -> None:
    root = project(tmp_path, {"test_x.py": source})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_x.py")

    assert result.coverage is not None
    assert not result.coverage.measured
    assert result.coverage.refused
    assert said in result.coverage.reason
    assert result.coverage.files == ()


def test_a_seam_without_a_component_is_not_measured(tmp_path: Path) -> None:
    root = project(tmp_path, {"test_half.py": HALF})

    result = run_seam(root, LocalSandbox(), tmp_path / "cache", "test_half.py", component=())

    assert result.status == "passed"
    assert result.coverage is None
