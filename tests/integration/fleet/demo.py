"""Small projects for fleet runs: N seams, each one test that takes a moment and checks a
real value from the project's own module; helpers there let a test hold or crash its runner."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.project import Project

SEAM_TEST = '''
"""Seam {n}: component {n} doubles what it is given."""

import time

from demo.calc import double


def test_component_{n}_doubles_its_input():
    """Scope: component {n}. Success: the result is twice the input."""
    time.sleep({sleep_s})
    assert double({n}) == {twice}
'''

CRASHING_TEST = '''
"""Seam {n}: component {n} takes down the process that runs its tests."""

from demo.calc import double
from demo.harm import crash_parent


def test_component_{n}_brings_its_runner_down():
    """Scope: component {n}. Success: never; the runner that started pytest dies."""
    crash_parent()
    assert double({n}) == {twice}
'''

HELD_TEST = '''
"""Seam {n}: component {n} answers once the operator lets it."""

from demo.calc import double
from demo.harm import hold


def test_component_{n}_doubles_once_released():
    """Scope: component {n}. Success: the result is twice the input."""
    hold({marker!r}, {pid_file!r}, {limit_s})
    assert double({n}) == {twice}
'''

HARM = '''"""Helpers that misbehave on purpose, for fleet fault tests."""

import os
import signal
import time
from pathlib import Path


def crash_parent():
    """SIGKILL the runner that started pytest, found up the parent chain (the local
    sandbox puts a shim of its own between the runner and the tests)."""
    pid = os.getppid()
    while pid > 1:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            break
        words = command.split(b"\\0")
        if b"runner" in words and (b"services.cli.main" in words
                                   or words[0].endswith(b"/seamq")):
            os.kill(pid, signal.SIGKILL)
            return
        pid = parent
    os.kill(os.getppid(), signal.SIGKILL)


def hold(marker, pid_file, limit_s):
    """Write this process's pid, then wait while ``marker`` exists (at most ``limit_s``)."""
    Path(pid_file).write_text(str(os.getpid()))
    deadline = time.monotonic() + limit_s
    while Path(marker).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
'''


def seam_file(n: int) -> str:
    return f"test_seam_{n:02d}_integration.py"


def demo_project(root: Path, seams: int, *, sleep_s: float = 0.5, priority: str = "P1",
                 bodies: dict[int, str] | None = None) -> Project:
    """A project whose plan names ``seams`` seams; ``bodies`` replaces some test files."""
    project = Project(root)
    project.write("demo/__init__.py", "")
    project.write("demo/calc.py", '"""The code under test."""\n\n\ndef double(x):\n'
                  '    return 2 * x\n')
    project.write("demo/harm.py", HARM)
    for n in range(1, seams + 1):
        body = (bodies or {}).get(n) or SEAM_TEST.format(n=n, sleep_s=sleep_s, twice=2 * n)
        project.write(f"tests/{seam_file(n)}", body)
    project.plan(*((str(n), priority, seam_file(n)) for n in range(1, seams + 1)))
    return project


def crashing_test(n: int) -> str:
    return CRASHING_TEST.format(n=n, twice=2 * n)


def held_test(n: int, marker: Path, pid_file: Path, limit_s: float = 120) -> str:
    return HELD_TEST.format(n=n, twice=2 * n, marker=str(marker), pid_file=str(pid_file),
                            limit_s=limit_s)


def plan_path(project: Project) -> Path:
    return project.root / "tests" / "TEST_PLAN.md"
