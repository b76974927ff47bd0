"""A small project whose component has two halves, and a seam run over it for real."""

from __future__ import annotations

import textwrap
from pathlib import Path

from services.runner.execute import execute_seam
from services.runner.sandboxes.base import Sandbox
from shared.contract import (
    CoverageSpec,
    ExecutionSpec,
    JobResult,
    Priority,
    ProjectSource,
    Seam,
    SeamJob,
)

# Two functions of nine statements each: calling one covers about half the module.
COMPONENT = '''\
def first(x):
    a = x + 1
    b = a * 2
    c = b - 3
    d = c + 4
    e = d * 5
    f = e - 6
    return f


def second(x):
    a = x - 1
    b = a * 3
    c = b + 5
    d = c - 7
    e = d * 9
    f = e + 11
    return f
'''

HALF = '''
from calc.ops import first

def test_first():
    assert first(1) == 19
'''

OTHER_HALF = '''
from calc.ops import second

def test_second():
    assert isinstance(second(1), int)
'''

# A test that writes coverage data files of its own, claiming every line.
FAKE_DATA = '''
import sys, os
from calc.ops import first

def _out():
    return next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))

def _fake(path):
    import coverage
    data = coverage.CoverageData(basename=path)
    ops = os.path.join(os.getcwd(), "calc", "ops.py")
    data.add_arcs({ops: {(-1, n) for n in range(1, 19)} | {(n, n + 1) for n in range(1, 19)}})
    data.write()

def test_writes_a_fake_coverage_file():
    _fake(os.path.join(_out(), "coverage.sqlite"))
    _fake(os.path.join(_out(), ".coverage"))
    assert first(1) == 19
'''


def project(tmp_path: Path, tests: dict[str, str]) -> Path:
    root = tmp_path / "project"
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "ops.py").write_text(COMPONENT)
    (root / "tests").mkdir()
    for name, source in tests.items():
        (root / "tests" / name).write_text(textwrap.dedent(source))
    return root


def run_seam(root: Path, sandbox: Sandbox, cache: Path, test_file: str, *, seam_id: str = "1",
             component: tuple[str, ...] = ("calc/ops.py",), repeats: int = 1,
             image: str = "", baseline: tuple[str, ...] = (),
             overlay: dict[str, str] | None = None) -> JobResult:
    seam = Seam(id=seam_id, title="ops", line=1, priority=Priority.P0,
                output_file=f"tests/{test_file}", component=component)
    execution = ExecutionSpec(repeats=repeats, confirm=0, image=image,
                              coverage=CoverageSpec())
    job = SeamJob(job_id=f"j{seam_id}", run_id="r", seam=seam,
                  project=ProjectSource(path=str(root)), plan_path="PLAN.md",
                  execution=execution, seed=5, baseline_files=baseline,
                  overlay=overlay or {})
    return execute_seam(job, sandbox, cache, "test")
