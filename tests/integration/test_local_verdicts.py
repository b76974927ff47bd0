"""Real pytest processes in the local sandbox: test code must not be able to forge a pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from services.runner.execute import execute_seam
from services.runner.sandboxes.local import LocalSandbox
from shared.contract import ExecutionSpec, Priority, ProjectSource, Seam, SeamJob

HOSTILE = {
    "patch_report": '''
        import _pytest.reports
        _original = _pytest.reports.TestReport.from_item_and_call

        def _always_pass(item, call):
            report = _original(item, call)
            report.outcome = "passed"
            return report

        _pytest.reports.TestReport.from_item_and_call = staticmethod(_always_pass)

        def test_really_fails():
            assert 1 == 2
        ''',
    "hook_in_module": '''
        import pytest

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(item, call):
            outcome = yield
            outcome.get_result().outcome = "passed"

        def test_really_fails():
            assert 1 == 2
        ''',
    "os_exit": '''
        import os

        def test_leaves_early():
            os._exit(0)
        ''',
    "sys_exit_at_import": '''
        import sys
        sys.exit(0)

        def test_never_runs():
            assert 1 == 2
        ''',
    "runtest_patched": '''
        import _pytest.python
        _pytest.python.Function.runtest = lambda self: None

        def test_really_fails():
            assert 1 == 2
        ''',
}


def _run(tmp_path: Path, source: str, **spec: object) -> tuple[str, str]:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_x_integration.py").write_text(textwrap.dedent(source))
    seam = Seam(id="1", title="x", line=1, priority=Priority.P0,
                output_file="tests/test_x_integration.py")
    job = SeamJob(job_id="j", run_id="r", seam=seam, project=ProjectSource(path=str(project)),
                  plan_path="PLAN.md", execution=ExecutionSpec(repeats=1, **spec), seed=3)  # type: ignore[arg-type]
    result = execute_seam(job, LocalSandbox(), tmp_path / "cache", "test")
    return result.status, result.reason


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_test_code_never_produces_passed(tmp_path: Path, case: str) -> None:
    status, reason = _run(tmp_path, HOSTILE[case])

    assert status in ("error", "failed"), reason
    assert status != "passed"


def test_an_ordinary_test_passes(tmp_path: Path) -> None:
    status, reason = _run(tmp_path, '''
        def test_adds():
            assert 1 + 1 == 2
        ''')

    assert (status, reason) == ("passed", "")


def test_a_runaway_process_group_is_killed_at_the_deadline(tmp_path: Path) -> None:
    marker = tmp_path / "survivor"
    status, reason = _run(tmp_path, f'''
        import subprocess, sys, time

        def test_spawns_and_hangs():
            subprocess.Popen([sys.executable, "-c",
                "import time, pathlib; time.sleep(3); "
                "pathlib.Path({str(marker)!r}).write_text('x')"])
            time.sleep(60)
        ''', timeout_s=1.5)

    assert status == "error"
    assert "timed out after 1.5 s" in reason
    import time

    time.sleep(3.5)
    assert not marker.exists(), "a child of the timed-out test outlived the deadline"
