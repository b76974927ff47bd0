"""``seamq run`` end to end with the local sandbox, as a command: output formats, Ctrl-C,
and the one-line exit 4 for a bad plan or a bad option."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.project import REPO, Project
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

PASSING = '''
"""Seam 1: demo component."""


def test_adds_1():
    """Scope: addition. Success: the sum is right."""
    assert 1 + 1 == 2
'''


def test_json_format_prints_the_report_on_stdout(project: Project) -> None:
    project.write("tests/test_one_integration.py", PASSING)
    project.plan(("1", "P0", "test_one_integration.py"))

    result = project.run("--format", "json", "--repeats", "1")

    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["seams"][0]["status"] == "passed"


def test_ctrl_c_exits_two_and_leaves_a_partial_report(project: Project, tmp_path: Path) -> None:
    started = tmp_path / "started"
    project.write("tests/test_slow_integration.py", '''
        """Seam 1."""
        import os
        import time
        from pathlib import Path


        def test_takes_a_while():
            """Scope: slow work."""
            Path(os.environ["STARTED"]).touch()
            time.sleep(60)
            assert time.time() > 0
        ''')
    project.plan(("1", "P0", "test_slow_integration.py"))
    out = project.root / ".seamq-out"
    env = {**os.environ, "SEAMQ_STATE_DIR": str(project.root / ".state"),
           "SEAMQ_CACHE_DIR": str(project.root / ".cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "run", str(project.root / "tests/TEST_PLAN.md"),
         "--out", str(out), "--sandbox", "local", "--env", f"STARTED={started}"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if "executing" in line:
                break
        wait_until(started.exists, timeout=60, what="the start of the slow test")

        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    assert proc.returncode == 2, "".join(seen) + rest
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "interrupted"
    assert report["seams"][0]["status"] == "error"
    assert "interrupted" in report["seams"][0]["reason"]


@pytest.mark.parametrize(
    ("plan_text", "message"),
    [
        ("# Nothing here\n\nJust prose.\n", "no seam"),
        ("### SEAM 1: A\n- **Depends On**: SEAM 9\n", "unknown"),
    ],
)
def test_bad_plans_get_one_line_and_exit_four(project: Project, plan_text: str,
                                              message: str) -> None:
    project.write("tests/TEST_PLAN.md", plan_text)

    result = project.run()

    assert result.code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(str(project.root / "tests/TEST_PLAN.md") + ":")
    assert message in lines[0].lower()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--priority", "P7"), "--priority"),
        (("--env", "NOEQUALS"), "--env"),
        (("--batch-size", "0"), "--batch-size"),
        (("--repeats", "0"), "--repeats"),
        (("--generator", "magic:x"), "--generator"),
        (("--brief-template", "/nonexistent/brief.md"), "--brief-template"),
        (("--services", "/nonexistent/services.toml"), "services"),
        (("--policy", "/nonexistent/policy.toml"), "policy"),
        (("--project", "/nonexistent/project"), "--project"),
        (("--sandbox", "vm"), "--sandbox"),
        (("--broker", "redis://x"), "--broker"),
    ],
)
def test_bad_options_get_one_line_and_exit_four(project: Project, args: tuple[str, ...],
                                                message: str) -> None:
    project.write("tests/test_one_integration.py", PASSING)
    project.plan(("1", "P0", "test_one_integration.py"))

    result = project.run(*args)

    assert result.code == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr
