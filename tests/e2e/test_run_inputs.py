"""Every hostile input to ``seamq run`` is one line and exit 4, before any test runs: files
that are not UTF-8 or not regular, absurd numbers, an output path that cannot be written."""

from __future__ import annotations

import pytest

from tests.e2e.project import Completed, Project

pytestmark = pytest.mark.slow

# Leaves a marker when it runs, so a test can show that nothing ran.
MARKING = '''
"""Seam 1: demo component."""
import pathlib


def test_marks():
    """Scope: a marker file."""
    pathlib.Path(__file__).with_name("RAN").touch()
    assert True
'''


def _one_line(result: Completed, message: str) -> None:
    assert result.code == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture
def marking(project: Project) -> Project:
    project.write("tests/test_one_integration.py", MARKING)
    project.plan(("1", "P0", "test_one_integration.py"))
    return project


@pytest.mark.parametrize("option", ["--policy", "--services"])
def test_a_config_file_that_is_not_utf8_is_one_line(marking: Project, option: str) -> None:
    bad = marking.root / "bad.toml"
    bad.write_bytes(b'[services]\nname = "\xff\xfe"\n')

    _one_line(marking.run(option, str(bad)), "UTF-8")


def test_a_project_pyproject_that_is_not_utf8_is_one_line(marking: Project) -> None:
    (marking.root / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')

    _one_line(marking.run(), "UTF-8")


def test_services_that_is_not_a_table_is_one_line(marking: Project) -> None:
    services = marking.root / "services.toml"
    services.write_text("services = 1\n")

    _one_line(marking.run("--services", str(services)), "services")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--timeout", "nan"), "--timeout"),
        (("--timeout", "inf"), "--timeout"),
        (("--timeout", "1e308"), "--timeout"),
        (("--repeats", "100000000"), "--repeats"),
        (("--confirm", "100000000"), "--confirm"),
        (("--batch-size", "100000000"), "--batch-size"),
        (("--max-attempts", "100000000"), "--max-attempts"),
        (("--brief-template", "/dev/zero"), "--brief-template"),
    ],
)
def test_absurd_values_are_one_line(marking: Project, args: tuple[str, ...],
                                    message: str) -> None:
    _one_line(marking.run(*args, timeout=60), message)


@pytest.mark.parametrize("out", ["/etc/passwd", "/proc/version"])
def test_an_out_that_cannot_be_written_fails_before_any_test_runs(
    marking: Project, out: str
) -> None:
    result = marking.run("--out", out)

    _one_line(result, "--out")
    assert not (marking.root / "tests" / "RAN").exists()
