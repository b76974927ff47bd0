"""``seamq run`` end to end on the embedded default with the local sandbox: what each seam and
batch is judged, from a pass to a timeout, a collection error and an order-dependent pair."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.e2e.project import REPO, Project

pytestmark = pytest.mark.slow

GOOD = '''
"""Seam {n}: demo component."""


def test_adds_{n}():
    """Scope: addition. Success: the sum is right."""
    assert {n} + 1 == {m}
'''


def test_all_seams_passing_exits_zero_with_reports(project: Project) -> None:
    project.write("tests/test_one_integration.py", GOOD.format(n=1, m=2))
    project.write("tests/test_two_integration.py", GOOD.format(n=2, m=3))
    project.plan(("1", "P0", "test_one_integration.py"), ("2", "P1", "test_two_integration.py"))

    result = project.run("--repeats", "2")

    assert result.code == 0, result.stderr
    report = result.report
    assert report["status"] == "passed"
    assert report["summary"]["seams"]["passed"] == 2
    assert [s["status"] for s in report["seams"]] == ["passed", "passed"]
    assert report["seams"][0]["tests"][0]["runs"] == ["passed", "passed"]
    assert report["suite"]["status"] == "isolated"
    assert report["suite"]["count_check"]["ok"] is True
    for name in ("report.md", "junit.xml", "audit.sarif"):
        assert (result.out / name).is_file()
    suites = ET.parse(result.out / "junit.xml").getroot().findall("testsuite")
    case = suites[0].find("testcase")
    assert case is not None
    assert case.get("file") == "tests/test_one_integration.py"


def test_a_failing_test_exits_one_and_reports_its_message(project: Project) -> None:
    project.write("tests/test_bad_integration.py", '''
        """Seam 1."""


        def test_total_is_wrong():
            """Scope: totals."""
            total = 2 + 2
            assert total == 5, "total should be five"
        ''')
    project.plan(("1", "P0", "test_bad_integration.py"))

    result = project.run("--repeats", "2")

    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "failed"
    # two repeats, then three runs alone (--confirm's default) before it is called failed
    assert seam["tests"][0]["runs"] == ["failed"] * 5
    assert "total should be five" in seam["tests"][0]["message"]


def test_a_test_that_fails_once_is_flaky_with_its_seeds(project: Project, tmp_path: Path) -> None:
    marker_dir = tmp_path / "flaky-state"
    marker_dir.mkdir()
    project.write("tests/test_flaky_integration.py", '''
        """Seam 1."""
        import os
        from pathlib import Path


        def test_passes_after_first_run():
            """Scope: a flaky dependency."""
            marker = Path(os.environ["FLAKY_DIR"]) / "ran"
            first = not marker.exists()
            marker.write_text("x")
            assert not first, "first run fails"
        ''')
    project.plan(("1", "P0", "test_flaky_integration.py"))

    result = project.run("--repeats", "3", "--env", f"FLAKY_DIR={marker_dir}")

    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "flaky"
    assert seam["tests"][0]["runs"] == ["failed", "passed", "passed"]
    assert len(seam["seeds"]) == 3
    assert str(seam["seeds"][0]) in seam["reason"]


def test_order_dependent_pair_is_a_batch_conflict(project: Project) -> None:
    project.write("demo_state.py", "FLAGS = {}\n")
    project.write("tests/test_sets_integration.py", '''
        """Seam 1."""
        import demo_state


        def test_enables_feature():
            """Scope: turns a global flag on and leaves it on."""
            demo_state.FLAGS["beta"] = True
            assert demo_state.FLAGS["beta"] is True
        ''')
    project.write("tests/test_reads_integration.py", '''
        """Seam 2."""
        import demo_state


        def test_feature_is_off_by_default():
            """Scope: the default flags."""
            assert demo_state.FLAGS.get("beta") is None
        ''')
    project.plan(("1", "P0", "test_sets_integration.py"), ("2", "P0", "test_reads_integration.py"))

    result = project.run("--repeats", "2")

    assert result.code == 1, result.stderr
    report = result.report
    assert [s["status"] for s in report["seams"]] == ["passed", "passed"]
    assert report["batches"][0]["status"] == "conflict"
    assert "test_feature_is_off_by_default" in report["batches"][0]["detail"]


def test_missing_file_is_reported_missing(project: Project) -> None:
    project.plan(("1", "P0", "test_absent_integration.py"))

    result = project.run()

    assert result.code == 1, result.stderr
    assert result.seam("1")["status"] == "missing"
    assert result.report["suite"]["count_check"]["ok"] is False


def test_a_hanging_test_is_an_error_with_the_timeout(project: Project) -> None:
    project.write("tests/test_hang_integration.py", '''
        """Seam 1."""
        import time


        def test_waits_forever():
            """Scope: a dependency that never answers."""
            time.sleep(600)
            assert time.time() > 0
        ''')
    project.plan(("1", "P0", "test_hang_integration.py"))

    started = time.monotonic()
    result = project.run("--timeout", "3")

    assert time.monotonic() - started < 60
    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "error"
    assert "timed out after 3 s" in seam["reason"]


def test_a_collection_error_is_an_error_not_a_pass(project: Project) -> None:
    project.write("tests/test_broken_integration.py", '''
        """Seam 1."""
        import module_that_does_not_exist


        def test_never_collected():
            """Scope: nothing."""
            assert module_that_does_not_exist
        ''')
    project.plan(("1", "P0", "test_broken_integration.py"))

    result = project.run()

    # Every evaluated seam errored on one missing import: an environment problem, exit 3.
    assert result.code == 3, result.stderr
    assert "cannot import 'module_that_does_not_exist'" in result.report["cause"]
    seam = result.seam("1")
    assert seam["status"] == "error"
    assert "collection error" in seam["reason"]
    assert "module_that_does_not_exist" in seam["reason"]


def test_runner_environment_does_not_leak_into_tests(project: Project) -> None:
    project.write("tests/test_env_integration.py", '''
        """Seam 1."""
        import os


        def test_sees_only_what_it_was_given():
            """Scope: the sandbox environment."""
            assert "SEAMQ_TEST_SECRET" not in os.environ
            assert os.environ["GIVEN"] == "yes"
        ''')
    project.plan(("1", "P0", "test_env_integration.py"))

    result = project.run("--env", "GIVEN=yes", env={"SEAMQ_TEST_SECRET": "hunter2"})

    assert result.code == 0, result.stderr + result.stdout
    assert result.seam("1")["status"] == "passed"


def test_the_example_reports_its_order_dependent_pair_as_a_batch_conflict(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "SEAMQ_STATE_DIR": str(tmp_path / "state"),
           "SEAMQ_CACHE_DIR": str(tmp_path / "cache")}

    proc = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "run", "examples/inventory/tests/TEST_PLAN.md",
         "--sandbox", "local", "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )

    assert proc.returncode == 1, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert {s["id"]: s["status"] for s in report["seams"]} == {
        "1": "passed", "2": "passed", "3": "passed", "4": "passed"}
    conflicts = [b for b in report["batches"] if b["status"] == "conflict"]
    assert len(conflicts) == 1
    assert {"3", "4"} <= set(conflicts[0]["seams"])
    assert "test_cached_reads_integration.py" in conflicts[0]["detail"]
    assert report["suite"]["count_check"]["ok"] is True
    # Coverage of the example's component, per seam and merged (report.md, coverage.xml).
    assert all(s["coverage"]["measured"] for s in report["seams"]), report["seams"]
    assert 0 < report["coverage"]["lines"] <= 1
    assert "| Coverage |" in (out / "report.md").read_text()
    pycobertura = pytest.importorskip("pycobertura")
    cobertura = pycobertura.Cobertura(str(out / "coverage.xml"))
    assert any(name.startswith("inventory/") for name in cobertura.files())
    assert cobertura.line_rate() == pytest.approx(report["coverage"]["lines"], abs=0.01)
