"""Which dependency files an environment image is built from, how a lock file feeds the
image's tag, and how pip is asked to install a lock's pins (without resolving again)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes import environment
from services.runner.sandboxes.environment import Interpreter, _digest
from services.runner.sandboxes.requirements import Requirements, requirement_inputs
from shared.contract import EnvironmentSpec
from shared.errors import DependencyError

UV_LOCK = '''version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "six" }]

[[package]]
name = "six"
version = "1.16.0"
source = { registry = "https://pypi.org/simple" }
'''
POETRY_LOCK = '''[[package]]
name = "six"
version = "1.17.0"
optional = false
groups = ["main"]

[metadata]
lock-version = "2.1"
'''
PYLOCK = '''lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "six"
version = "1.15.0"
'''
PYPROJECT = '[project]\nname = "app"\nversion = "0"\ndependencies = ["idna==3.7"]\n'


def _project(root: Path, **files: str) -> Path:
    for name, text in files.items():
        (root / name.replace("__", ".")).write_text(text)
    return root


@pytest.mark.parametrize(("files", "lines", "locked"), [
    ({"uv__lock": UV_LOCK, "poetry__lock": POETRY_LOCK, "pylock__toml": PYLOCK,
      "requirements__txt": "six==1.0\n", "pyproject__toml": PYPROJECT}, ("six==1.16.0",), True),
    ({"poetry__lock": POETRY_LOCK, "pylock__toml": PYLOCK,
      "requirements__txt": "six==1.0\n", "pyproject__toml": PYPROJECT}, ("six==1.17.0",), True),
    ({"pylock__toml": PYLOCK, "requirements__txt": "six==1.0\n",
      "pyproject__toml": PYPROJECT}, ("six==1.15.0",), True),
    ({"requirements__txt": "six==1.0\n", "pyproject__toml": PYPROJECT}, (), False),
    ({"pyproject__toml": PYPROJECT}, ("idna==3.7",), False),
])
def test_by_default_a_lock_comes_first_then_requirements_then_pyproject(
    tmp_path: Path, files: dict[str, str], lines: tuple[str, ...], locked: bool
) -> None:
    found = requirement_inputs(_project(tmp_path, **files), EnvironmentSpec())

    assert (found.lines, found.locked) == (lines, locked)
    assert set(found.files) == ({"requirements.txt"} if lines == () else set())


def test_a_named_lock_is_read_as_a_lock_and_kept_for_the_tag(tmp_path: Path) -> None:
    root = _project(tmp_path, pylock__dev__toml=PYLOCK, requirements__txt="six==1.0\n")

    found = requirement_inputs(root, EnvironmentSpec(dependencies=("pylock.dev.toml",)))

    assert found == Requirements(("six==1.15.0",), {}, {"pylock.dev.toml": PYLOCK.encode()})


def test_a_lock_named_with_a_requirements_file_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path, uv__lock=UV_LOCK, requirements__txt="pytest-cov==5.0\n")
    spec = EnvironmentSpec(dependencies=("uv.lock", "requirements.txt"))

    with pytest.raises(DependencyError, match=r"^environment: uv.lock is a lock file, "
                       r"complete on its own: name lock files without requirements.txt"):
        requirement_inputs(root, spec)


def test_a_project_without_any_dependency_file_is_told_what_was_looked_for(
    tmp_path: Path
) -> None:
    with pytest.raises(DependencyError, match=r"no lock file \(uv.lock, poetry.lock, "
                       r"pylock.toml\), no requirements\*.txt and no pyproject.toml"):
        requirement_inputs(tmp_path, EnvironmentSpec())


def test_the_tag_changes_with_the_lock_bytes_even_when_the_pins_do_not(tmp_path: Path) -> None:
    before = requirement_inputs(_project(tmp_path, uv__lock=UV_LOCK), EnvironmentSpec())
    after = requirement_inputs(_project(tmp_path, uv__lock=UV_LOCK.replace(
        "revision = 2", "revision = 3")), EnvironmentSpec())

    assert before.lines == after.lines
    assert _digest("sha256:base", before, "") != _digest("sha256:base", after, "")


def test_a_requirements_file_feeds_the_tag_as_before(tmp_path: Path) -> None:
    """A project without a lock hashes as it did before locks were read (the recipe,
    seamq's version, base, lines, setup, then each file's name and digest): its
    environment image is not rebuilt by the upgrade."""
    found = requirement_inputs(_project(tmp_path, requirements__txt="six==1.16.0\n"),
                               EnvironmentSpec())
    before = hashlib.sha256()
    for part in (environment.RECIPE, environment.seamq_version(), "sha256:base", "", ""):
        before.update(part.encode() + b"\0")
    before.update(b"requirements.txt\0" + hashlib.sha256(b"six==1.16.0\n").digest())

    assert _digest("sha256:base", found, "") == before.hexdigest()[:16]


@pytest.mark.parametrize(("locked", "no_deps"), [(True, True), (False, False)])
def test_pip_resolves_again_only_for_requirements_not_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locked: bool, no_deps: bool
) -> None:
    seen: list[list[str]] = []

    def run(argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        seen.append(argv)
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(environment.subprocess, "run", run)
    python = Interpreter("3.11", "/usr/lib/python3/dist-packages", "linux-x86_64",
                         "glibc 2.36", {"sys_platform": "linux"})

    environment._pip(tmp_path, tmp_path, python, no_deps=locked)

    assert ("--no-deps" in seen[0]) is no_deps
    assert seen[0][-2:] == ["-r", str(tmp_path / "requirements.txt")]
