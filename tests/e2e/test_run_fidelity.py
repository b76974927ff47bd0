"""A project's own pytest configuration is read, and what would void the proof is not.

The fixture project is configured the way real ones are: a pytest.ini whose addopts turn on
pytest-xdist, pytest-randomly, pytest-rerunfailures and ``-x``, with its own markers and
warning filters. seamq must run the tests under the project's settings, in seamq's order,
with each of those options taken out and reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.project import Project

pytestmark = pytest.mark.slow

INI = """\
[pytest]
addopts = -n 2 -x --reruns 2 -p randomly --randomly-seed=1 --strict-markers
markers =
    slowish: a marker only this project registers
filterwarnings =
    error::UserWarning
seamq_probe_value = from-the-project-ini
"""
CONFTEST = '''\
def pytest_addoption(parser):
    parser.addini("seamq_probe_value", "a setting only this project's ini file gives")
'''
TESTS = '''\
"""SEAM 1: settings, markers and warning filters of the project, as its authors chose."""
import os
import warnings

import pytest


def test_the_project_ini_file_is_the_one_in_effect(request):
    """pytest found the project's pytest.ini, as plain pytest does."""
    assert request.config.inipath is not None
    assert request.config.inipath.name == "pytest.ini"
    assert request.config.getini("seamq_probe_value") == "from-the-project-ini"


@pytest.mark.slowish
def test_a_marker_the_project_registers_is_accepted():
    """--strict-markers from addopts, with the project's own marker list."""
    assert os.environ.get("PYTEST_XDIST_WORKER") is None


def test_the_project_warning_filter_applies():
    """filterwarnings = error::UserWarning turns the warning into an error."""
    with pytest.raises(UserWarning):
        warnings.warn("from the project", UserWarning, stacklevel=1)


_ATTEMPTS = []


def test_a_failure_that_a_rerun_would_hide():
    """Fails on its first attempt in a process: only --reruns could make it pass."""
    _ATTEMPTS.append(1)
    assert len(_ATTEMPTS) > 1, "first attempt in this process"
'''


@pytest.fixture
def configured(project: Project) -> Project:
    project.write("pytest.ini", INI)
    project.write("tests/conftest.py", CONFTEST)
    project.write("tests/test_settings_integration.py", TESTS)
    project.plan(("1", "P0", "test_settings_integration.py"))
    return project


def test_the_project_config_applies_and_the_proof_stays_in_seamqs_order(
    configured: Project,
) -> None:
    """Ini, markers and filters hold; xdist, randomly, reruns and -x are taken out."""
    done = configured.run("--repeats", "2", "--skip-validation", "--confirm", "1")

    seam = done.seam("1")
    outcomes = {t["name"].rsplit("::", 1)[-1]: t["outcome"] for t in seam["tests"]}
    assert outcomes == {
        "test_the_project_ini_file_is_the_one_in_effect": "passed",
        "test_a_marker_the_project_registers_is_accepted": "passed",
        "test_the_project_warning_filter_applies": "passed",
        "test_a_failure_that_a_rerun_would_hide": "failed",
    }, done.stderr
    assert seam["status"] == "failed"
    overridden = {o["option"] for o in seam["overridden"]}
    assert {"-n 2", "-x", "--reruns 2", "-p randomly", "--randomly-seed=1"} <= overridden
    assert all(o["why"] for o in seam["overridden"])
    assert "not under seamq's control" not in seam["reason"]


def test_per_test_outcomes_match_plain_pytest_without_the_overridden_options(
    configured: Project,
) -> None:
    """Plain pytest, with the same options removed by hand, agrees test by test."""
    plain = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:randomly",
         "-p", "no:rerunfailures", "-o", "addopts=--strict-markers",
         "--junitxml=plain.xml", "-o", "junit_family=xunit1", "-q",
         "tests/test_settings_integration.py"],
        cwd=configured.root, capture_output=True, text=True, check=False, timeout=120,
        # Plain pytest as a user runs it: none of the variables of the pytest running us.
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
    )
    assert plain.returncode == 1, plain.stdout
    import xml.etree.ElementTree as ET

    cases = ET.parse(configured.root / "plain.xml").getroot().iter("testcase")
    plain_outcomes = {c.get("name"): "failed" if c.find("failure") is not None else "passed"
                      for c in cases}

    done = configured.run("--repeats", "1", "--skip-validation", "--confirm", "1")

    ours = {t["name"].rsplit("::", 1)[-1]: t["outcome"] for t in done.seam("1")["tests"]}
    assert ours == plain_outcomes, json.dumps(done.report)[:2000]


def test_order_is_verified_from_the_plugins_records(configured: Project, tmp_path: Path) -> None:
    """Every repeat ran the tests in exactly the order seamq chose and recorded."""
    done = configured.run("--repeats", "2", "--skip-validation", "--confirm", "1")

    runs = done.seam("1")["repeats"]
    assert len(runs) >= 2
    for run in runs:
        assert run["order"], run
        assert run["ran"] == run["order"], run


UNLUCKY = '''\
"""SEAM 1: a timing-dependent test that happened to fail in all three repeats."""
import os
from pathlib import Path


def test_passes_only_after_three_unlucky_runs():
    """Fails in its first three processes, passes later: flaky, never just failed."""
    counter = Path(os.environ["COUNTER_DIR"]) / "runs"
    runs = len(counter.read_text()) if counter.exists() else 0
    counter.write_text("x" * (runs + 1))
    assert runs >= 3, f"unlucky run {runs + 1}"
'''


def test_a_test_failing_every_repeat_is_confirmed_alone_and_found_flaky(
    project: Project, tmp_path: Path,
) -> None:
    """Three failed repeats by chance, then passes alone: the seam is flaky, with counts."""
    counter = tmp_path / "counter"
    counter.mkdir()
    project.write("tests/test_unlucky_integration.py", UNLUCKY)
    project.plan(("1", "P0", "test_unlucky_integration.py"))

    done = project.run("--repeats", "3", "--skip-validation", "--confirm", "3",
                       "--env", f"COUNTER_DIR={counter}")

    seam = done.seam("1")
    assert seam["status"] == "flaky", seam["reason"]
    assert "passed 3 of 6 runs" in seam["reason"]
    assert [t["outcome"] for t in seam["tests"]] == ["flaky"]
    assert len(seam["confirmations"]) == 3
    assert done.code == 1


def test_a_test_that_fails_every_time_is_failed_after_confirmation(project: Project) -> None:
    """Failed in every repeat and every run alone: only then is it called failed."""
    project.write("tests/test_broken_integration.py", '''\
"""SEAM 1: broken for real."""


def test_always_fails():
    """The component is broken."""
    assert 1 + 1 == 3
''')
    project.plan(("1", "P0", "test_broken_integration.py"))

    done = project.run("--repeats", "2", "--skip-validation", "--confirm", "2")

    seam = done.seam("1")
    assert seam["status"] == "failed"
    assert "failed every time, 2 run(s) alone included" in seam["reason"]
    assert [r["outcome"] for r in seam["confirmations"]] == ["failed", "failed"]


SHARED = '''\
"""Security layer: detection, policy and headers, tested together."""
import pytest


@pytest.mark.seam("1")
def test_environment_is_detected():
    """Seam 1's test, by marker."""
    assert "prod".upper() == "PROD"


@pytest.mark.seam("2")
def test_policy_limits_requests():
    """Seam 2's test, by marker: broken."""
    assert 10 < 5, "the limiter ignores the policy"


class TestSecurityHeaders:
    """Seam 3's tests, by class name."""

    def test_headers_are_set(self):
        """Headers present."""
        assert {"X-Frame-Options": "DENY"}["X-Frame-Options"] == "DENY"
'''
SESSIONS = '''\
import os
from pathlib import Path


def pytest_sessionstart(session):
    with (Path(os.environ["COUNTER_DIR"]) / "sessions").open("a") as handle:
        handle.write("x")
'''


def test_seams_sharing_a_file_run_it_once_and_are_judged_on_their_own_tests(
    project: Project, tmp_path: Path,
) -> None:
    """Markers and class names attribute tests; one seam's failure is not the others'."""
    counter = tmp_path / "counter"
    counter.mkdir()
    project.write("tests/conftest.py", SESSIONS)
    project.write("tests/test_security_integration.py", SHARED)
    project.write("tests/TEST_PLAN.md", """\
        # Security plan

        ### SEAM 1: Environment Detection
        **Priority**: P0
        **Output File**: test_security_integration.py

        ### SEAM 2: Policy Limits
        **Priority**: P0
        **Output File**: test_security_integration.py

        ### SEAM 3: Security Headers
        **Priority**: P0
        **Output File**: test_security_integration.py
        """)

    done = project.run("--repeats", "2", "--skip-validation", "--confirm", "0",
                       "--env", f"COUNTER_DIR={counter}")

    statuses = {s["id"]: s["status"] for s in done.report["seams"]}
    assert statuses == {"1": "passed", "2": "failed", "3": "passed"}, done.stderr
    names = {s["id"]: [t["name"].rsplit("::", 1)[-1] for t in s["tests"]]
             for s in done.report["seams"]}
    assert names == {"1": ["test_environment_is_detected"],
                     "2": ["test_policy_limits_requests"],
                     "3": ["test_headers_are_set"]}
    assert done.seam("1")["shared_with"] == ["2", "3"]
    assert (counter / "sessions").read_text() == "xx", "the shared file ran once per repeat"
    assert done.report["suite"]["count_check"]["files"] == 1
