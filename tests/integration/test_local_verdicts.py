"""Real pytest processes in the local sandbox: test code must not be able to forge a pass."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.runner.execute import execute_seam
from services.runner.sandboxes.local import LocalSandbox
from shared.contract import ExecutionSpec, Priority, ProjectSource, Seam, SeamJob
from tests.integration.hostile import payloads
from tests.integration.sandboxes.portable import nobody_interpreter
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def as_nobody() -> Iterator[LocalSandbox]:
    """A local sandbox whose tests run as ``nobody`` (seamq as root)."""
    with nobody_interpreter() as (_, python):
        sandbox = LocalSandbox(python=python)
        assert sandbox.run_as.uid not in (None, 0), sandbox.run_as.detail
        yield sandbox
        sandbox.close()


def _run(tmp_path: Path, source: str, sandbox: LocalSandbox | None = None,
         **spec: object) -> tuple[str, str]:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_x_integration.py").write_text(textwrap.dedent(source))
    seam = Seam(id="1", title="x", line=1, priority=Priority.P0,
                output_file="tests/test_x_integration.py")
    job = SeamJob(job_id="j", run_id="r", seam=seam, project=ProjectSource(path=str(project)),
                  plan_path="PLAN.md", execution=ExecutionSpec(repeats=1, **spec), seed=3)  # type: ignore[arg-type]
    result = execute_seam(job, sandbox or LocalSandbox(), tmp_path / "cache", "test")
    return result.status, result.reason


@pytest.mark.parametrize("case", payloads.FORGERIES)
def test_hostile_test_code_never_produces_passed(tmp_path: Path, case: str) -> None:
    status, reason = _run(tmp_path, payloads.source(case))

    assert status in ("error", "failed"), reason
    assert status != "passed"


def test_an_ordinary_test_passes(tmp_path: Path) -> None:
    status, reason = _run(tmp_path, '''
        def test_adds():
            assert 1 + 1 == 2
        ''')

    assert (status, reason) == ("passed", "")


def test_as_nobody_the_plugin_reads_its_key_and_an_ordinary_test_passes(
    tmp_path: Path, as_nobody: LocalSandbox
) -> None:
    status, reason = _run(tmp_path, '''
        import os

        def test_runs_as_nobody():
            assert os.getuid() != 0
        ''', as_nobody)

    assert (status, reason) == ("passed", "")


@pytest.mark.parametrize("case", payloads.FORGERIES)
def test_as_nobody_hostile_test_code_never_produces_passed(
    tmp_path: Path, as_nobody: LocalSandbox, case: str
) -> None:
    status, reason = _run(tmp_path, payloads.source(case), as_nobody)

    assert status in ("error", "failed"), reason


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_runaway_process_group_is_killed_at_the_deadline(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    status, reason = _run(tmp_path, f'''
        import subprocess, sys, time

        def test_spawns_and_hangs():
            subprocess.Popen([sys.executable, "-c",
                "import os, time, pathlib; "
                "pathlib.Path({str(pidfile)!r}).write_text(str(os.getpid())); time.sleep(60)"])
            time.sleep(60)
        ''', timeout_s=1.5)

    assert status == "error"
    assert "timed out after 1.5 s" in reason
    wait_until(pidfile.exists, timeout=5)
    child = int(pidfile.read_text())
    wait_until(lambda: not _alive(child), timeout=5)


@pytest.mark.parametrize("case", payloads.EVIDENCE_BOMBS)
def test_evidence_that_blocks_or_has_no_end_makes_the_job_error_at_once(
    tmp_path: Path, case: str
) -> None:
    status, reason = _run(tmp_path, payloads.source(case), timeout_s=60)

    assert status == "error"
    assert "evidence refused" in reason
