"""Lock files as pinned requirement lines: what a uv, poetry or PEP 751 lock installs on the
image's Python, read from locks as the tools write them (``tests/fixtures/locks``: a Flask
project locked by uv 0.13 and poetry 2.5 for Python >= 3.9, wheel lists shortened), and
one line naming the file for a lock that cannot be read."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from services.runner.sandboxes.locks import is_lock, locked_requirements
from shared.errors import DependencyError

LOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "locks"
LINUX_311 = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.2",
             "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
LINUX_312 = {**LINUX_311, "python_version": "3.12", "python_full_version": "3.12.8"}
WINDOWS_311 = {**LINUX_311, "sys_platform": "win32", "platform_system": "Windows",
               "os_name": "nt"}


def _lines(name: str, text: str | None = None) -> list[str]:
    data = (LOCKS / name).read_bytes() if text is None else textwrap.dedent(text).encode()
    return locked_requirements(name, data)


def _installed(lines: list[str], environment: dict[str, str]) -> dict[str, str]:
    """name -> version of the lines whose markers hold in ``environment``, as pip would."""
    pins: dict[str, str] = {}
    for line in lines:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(environment):
            assert req.name not in pins, f"two versions of {req.name} in one environment"
            pins[req.name] = str(req.specifier).removeprefix("==")
    return pins


def test_a_uv_lock_pins_every_package_but_the_project() -> None:
    lines = _lines("uv.lock")

    assert all("==" in line for line in lines)
    assert "flask==3.0.3" in lines
    assert "six==1.16.0" in lines
    assert "pytest==8.3.3" in lines  # the dev group: the tests need it
    assert not [line for line in lines if line.startswith("shop")]


def test_a_uv_dependency_reached_only_under_markers_gets_those_markers() -> None:
    lines = _lines("uv.lock")

    # click and pytest both want colorama with sys_platform == 'win32': one marker, once.
    assert "colorama==0.4.6 ; sys_platform == 'win32'" in lines
    assert "colorama" not in _installed(lines, LINUX_311)
    assert _installed(lines, WINDOWS_311)["colorama"] == "0.4.6"


def test_a_uv_dependency_with_one_unconditional_edge_is_always_installed() -> None:
    lines = _lines("uv.lock")

    # exceptiongroup wants typing-extensions without a marker (though it is itself
    # conditional): only direct edges count, so it is installed everywhere.
    assert "typing-extensions==4.16.0" in lines
    assert "exceptiongroup" not in _installed(lines, LINUX_311)


def test_a_forked_uv_resolution_gives_one_version_per_python() -> None:
    lines = _lines("uv.lock")

    on_311, on_312 = _installed(lines, LINUX_311), _installed(lines, LINUX_312)

    assert (on_311["numpy"], on_312["numpy"]) == ("1.26.4", "2.1.3")
    assert (on_311["click"], on_312["click"]) == ("8.5.1", "8.5.1")
    numpy = [line for line in lines if line.startswith("numpy==")]
    assert numpy[1] == "numpy==2.1.3 ; python_full_version >= '3.12'"


def test_a_virtual_uv_project_is_left_out() -> None:
    lines = _lines("uv.lock", '''
        version = 1
        revision = 2
        requires-python = ">=3.11"

        [[package]]
        name = "scripts"
        version = "0.1.0"
        source = { virtual = "." }
        dependencies = [{ name = "six" }]

        [[package]]
        name = "six"
        version = "1.16.0"
        source = { registry = "https://pypi.org/simple" }
        ''')

    assert lines == ["six==1.16.0"]


def test_a_poetry_2_lock_keeps_the_main_group_with_its_markers() -> None:
    lines = _lines("poetry.lock")

    assert {Requirement(line).name for line in lines} == {
        "blinker", "click", "colorama", "flask", "importlib-metadata", "itsdangerous",
        "jinja2", "markupsafe", "six", "werkzeug", "zipp"}
    # colorama is in both groups with a marker for each: the main group's is kept.
    assert 'colorama==0.4.6 ; platform_system == "Windows"' in lines
    assert 'zipp==3.23.1 ; python_version == "3.9"' in lines
    assert "colorama" not in _installed(lines, LINUX_311)


def test_a_poetry_1_lock_keeps_the_main_category() -> None:
    lines = _lines("poetry.lock", '''
        [[package]]
        name = "requests"
        version = "2.31.0"
        description = "Python HTTP for Humans."
        category = "main"
        optional = false
        python-versions = ">=3.7"

        [[package]]
        name = "pytest"
        version = "7.4.0"
        description = "pytest: simple powerful testing with Python"
        category = "dev"
        optional = false
        python-versions = ">=3.7"

        [[package]]
        name = "pysocks"
        version = "1.7.1"
        description = "A Python SOCKS client module."
        category = "main"
        optional = true
        python-versions = ">=2.7"

        [extras]
        socks = ["PySocks"]

        [metadata]
        lock-version = "1.1"
        python-versions = "^3.11"
        content-hash = "8d3e4f0b6a4c1f1c2b8e9d0a7f6e5d4c3b2a19081726354453627180f9e8d7c6"
        ''')

    assert lines == ["requests==2.31.0"]


def test_a_poetry_lock_without_groups_or_categories_holds_every_package() -> None:
    lines = _lines("poetry.lock", '''
        [[package]]
        name = "idna"
        version = "3.7"
        description = "Internationalized Domain Names in Applications (IDNA)"
        optional = false
        python-versions = ">=3.5"

        [[package]]
        name = "pytest"
        version = "8.2.0"
        description = "pytest: simple powerful testing with Python"
        optional = false
        python-versions = ">=3.8"

        [metadata]
        lock-version = "2.0"
        python-versions = "^3.11"
        content-hash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
        ''')

    assert lines == ["idna==3.7", "pytest==8.2.0"]


def test_a_pylock_carries_each_package_marker_and_leaves_the_project_out() -> None:
    lines = _lines("pylock.toml")

    assert "colorama==0.4.6 ; sys_platform == 'win32'" in lines
    assert "flask==3.0.3" in lines
    assert not [line for line in lines if line.startswith("shop")]
    assert _installed(lines, LINUX_312)["numpy"] == "2.1.3"


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("uv.lock", "version = 1\n[[package]\nname = 'x'\n",
     r"uv.lock is not valid TOML: .*\(at line 2"),
    ("uv.lock", "[[package]]\nname = 'six'\n", r"uv.lock: no version: not a lock file"),
    ("uv.lock", "version = 2\n", r"uv.lock: version 2 is not one seamq reads \(1.x\)"),
    ("uv.lock", "version = 1\npackage = 'six'\n", r"uv.lock: \[\[package\]\] is not an array"),
    ("uv.lock", "version = 1\n[[package]]\nname = 'six'\nsource = { registry = 'r' }\n",
     r"uv.lock: package 'six' has no version"),
    ("uv.lock", "version = 1\n[[package]]\nname = 'six'\nversion = '1'\n",
     r"uv.lock: package 'six' has no source table"),
    ("uv.lock", "version = 1\n[[package]]\nname = 'lib'\nversion = '1'\n"
                "source = { git = 'https://example.org/lib.git?rev=v1#0a1b2c' }\n",
     r"uv.lock: package 'lib' comes from git https://example.org/lib.git\?rev=v1#0a1b2c, "
     r"not a package index"),
    ("uv.lock", "version = 1\n[[package]]\nversion = '1'\n",
     r"uv.lock: \[\[package\]\] entry 1 has no name"),
    ("poetry.lock", "[[package]]\nname = 'six'\nversion = '1'\n",
     r"poetry.lock: no \[metadata\] table"),
    ("poetry.lock", "[[package]]\nname = 'six'\nversion = '1'\nmarkers = 3\n"
                    "[metadata]\nlock-version = '2.1'\n",
     r"poetry.lock: package 'six': markers is not a string or a table of strings"),
    ("poetry.lock", "[[package]]\nname = 'app'\nversion = '1'\n[package.source]\n"
                    "type = 'directory'\nurl = '../app'\n[metadata]\nlock-version = '2.1'\n",
     r"poetry.lock: package 'app' comes from a directory source, not a package index"),
    ("pylock.toml", "lock-version = '2.0'\n",
     r"pylock.toml: lock-version 2.0 is not one seamq reads \(1.x\)"),
    ("pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = 'lib'\n"
                    "vcs = { type = 'git', url = 'https://example.org/lib.git' }\n",
     r"pylock.toml: package 'lib' comes from a vcs, not a package index"),
    ("pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = 'six'\nversion = ''\n",
     r"pylock.toml: package 'six': version is not a non-empty string"),
    # What pip would read as more than a pin: another line, an option, a comment.
    ("pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = 'six'\n"
                    'version = "1.16.0\\n--index-url https://example.org/simple"\n',
     r"pylock.toml: package 'six': version '1.16.0\\n--index-url .*' is not a version"),
    ("pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = 'six'\nversion = '1.16.0'\n"
                    "marker = 'os_name == \"nt\" # and more'\n",
     r"pylock.toml: package 'six': marker .* is not one marker"),
    ("pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = '-e .'\nversion = '1'\n",
     r"pylock.toml: package '-e \.': not a package name"),
])
def test_a_malformed_lock_is_one_line_naming_the_file(name: str, text: str,
                                                      problem: str) -> None:
    with pytest.raises(DependencyError, match=rf"^environment: {problem}") as raised:
        locked_requirements(name, text.encode())

    assert "\n" not in str(raised.value)


def test_a_lock_is_known_by_its_name() -> None:
    assert [is_lock(n) for n in ("uv.lock", "sub/poetry.lock", "pylock.toml",
                                 "pylock.dev.toml", "pyproject.toml", "requirements.txt")] \
        == [True, True, True, True, False, False]
