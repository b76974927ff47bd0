"""The result cache: an unchanged seam is not proven twice; any change re-proves it."""

from __future__ import annotations

import pytest

from tests.e2e.project import Completed, Project

pytestmark = pytest.mark.slow

PASSING = '''\
"""SEAM {n}: a stable seam."""


def test_adds():
    """Sums."""
    assert sum([{n}, 1]) == {n} + 1
'''


@pytest.fixture
def stable(project: Project) -> Project:
    for n in ("1", "2"):
        project.write(f"tests/test_s{n}_integration.py", PASSING.format(n=n))
    project.plan(("1", "P0", "test_s1_integration.py"), ("2", "P0", "test_s2_integration.py"))
    return project


def _reasons(done: Completed) -> dict[str, str]:
    return {s["id"]: s["reason"] for s in done.report["seams"]}


def test_an_unchanged_run_is_answered_from_the_cache(stable: Project) -> None:
    first = stable.run()
    first_id = first.report["run_id"]

    second = stable.run()

    assert (first.code, second.code) == (0, 0), second.stderr
    assert _reasons(second) == {s: f"cached (proven in run {first_id})" for s in ("1", "2")}
    assert second.report["suite"]["status"] == "isolated"
    assert second.report["suite"]["detail"] == f"cached (proven in run {first_id})"
    assert "sandbox none (no seam was executed)" in second.stderr


def test_a_changed_test_file_or_conftest_is_proven_again(stable: Project) -> None:
    stable.run()
    stable.write("tests/test_s2_integration.py", PASSING.format(n="2") + "\n# edited\n")

    after_edit = stable.run()

    reasons = _reasons(after_edit)
    assert reasons["1"].startswith("cached")
    assert reasons["2"] == ""
    assert after_edit.report["suite"]["status"] == "isolated"
    assert not after_edit.report["suite"]["detail"].startswith("cached")

    stable.write("tests/conftest.py", "# a new conftest above every seam\n")
    after_conftest = stable.run()
    assert set(_reasons(after_conftest).values()) == {""}


def test_no_cache_proves_everything_again(stable: Project) -> None:
    stable.run()

    again = stable.run("--no-cache")

    assert set(_reasons(again).values()) == {""}
    assert not again.report["suite"]["detail"].startswith("cached")
