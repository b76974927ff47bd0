"""An honest big suite finishes: 5,000 failing parametrized tests in one seam once made a
21 MB result the coordinator refused, and the run waited forever."""

from __future__ import annotations

import pytest

from tests.e2e.project import Project

pytestmark = pytest.mark.slow

BIG = '''
"""Seam 1: demo component."""
import pytest


@pytest.mark.parametrize("n", range(5000))
def test_fails(n):
    """Scope: a long failure message each."""
    assert n < 0, "x" * 4000
'''


@pytest.mark.timeout(600)
def test_5000_failing_tests_in_one_seam_finish_failed_with_a_readable_report(
    project: Project,
) -> None:
    project.write("tests/test_big_integration.py", BIG)
    project.plan(("1", "P0", "test_big_integration.py"))

    result = project.run("--repeats", "1", "--confirm", "0", "--timeout", "500", timeout=560)

    assert result.code == 1, result.stderr[-3000:]
    seam = result.seam("1")
    assert seam["status"] == "failed"
    assert len(seam["tests"]) == 5000
    assert "details trimmed" in seam["reason"] or "truncated" in str(seam["tests"][0])
    assert (result.out / "report.md").stat().st_size > 0
