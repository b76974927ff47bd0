"""What an environment image is built from: requirement lines, requirement files and lock
files of the project, as ``[tool.seamq.environment]`` names them or by default.

By default, a lock file at the project's root (``uv.lock``, then ``poetry.lock``, then
``pylock.toml``); without one, every ``requirements*.txt`` there; without those,
pyproject's ``[project].dependencies`` plus the ``extras`` named. A named ``uv.lock``,
``poetry.lock`` or ``pylock[.name].toml`` is a lock (``locks.py``); another ``*.toml`` is
read as a pyproject; any other file is a pip requirements file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.runner.sandboxes.locks import LOCK_FILES, is_lock, locked_requirements
from shared.contract import EnvironmentSpec
from shared.errors import DependencyError

__all__ = ["DependencyError", "Requirements", "requirement_inputs"]


@dataclass(frozen=True)
class Requirements:
    """What pip installs: requirement ``lines``, requirement ``files`` it reads with
    ``-r`` (project-relative path: bytes), and the ``locks`` lines were taken from
    (hashed into the tag, never read by pip)."""

    lines: tuple[str, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)
    locks: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def locked(self) -> bool:
        """Lines from a lock are complete: pip installs them without dependencies."""
        return bool(self.locks)


def _pyproject(path: Path, extras: tuple[str, ...]) -> list[str]:
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise DependencyError(f"environment: cannot read {path.name}: {e}") from e
    lines = [str(d) for d in project.get("dependencies", [])]
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise DependencyError(f"environment: {path.name} has no extra '{extra}' in "
                                  "[project.optional-dependencies]")
        lines += [str(d) for d in optional[extra]]
    return lines


def _default_names(project: Path) -> list[str]:
    """The dependency files seamq takes when the project names none."""
    lock = next((name for name in LOCK_FILES if (project / name).is_file()), None)
    if lock is not None:
        return [lock]
    names = [p.name for p in sorted(project.glob("requirements*.txt"))]
    if names:
        return names
    if (project / "pyproject.toml").is_file():
        return ["pyproject.toml"]
    raise DependencyError("environment: no lock file (uv.lock, poetry.lock, pylock.toml), no "
                          "requirements*.txt and no pyproject.toml in the project (name the "
                          "files in [tool.seamq.environment] dependencies)")


def requirement_inputs(project: Path, spec: EnvironmentSpec) -> Requirements:
    """The project's requirements, from the files ``spec`` names or the default ones."""
    names = list(spec.dependencies) or _default_names(project)
    locks = [name for name in names if is_lock(name)]
    if locks and len(locks) < len(names):
        other = next(name for name in names if not is_lock(name))
        raise DependencyError(f"environment: {locks[0]} is a lock file, complete on its own: "
                              f"name lock files without {other} in [tool.seamq.environment] "
                              "dependencies")
    lines: list[str] = []
    files: dict[str, bytes] = {}
    locked: dict[str, bytes] = {}
    for name in names:
        path = project / name
        if not path.resolve().is_relative_to(project.resolve()) or not path.is_file():
            raise DependencyError(f"environment: dependency file {name} not found in the "
                                  "project")
        if path.suffix == ".toml" and not is_lock(name):
            lines += _pyproject(path, spec.extras)
            continue
        try:
            data = path.read_bytes()
        except OSError as e:
            raise DependencyError(f"environment: cannot read {name}: {e}") from e
        if is_lock(name):
            lines += locked_requirements(name, data)
            locked[name] = data
        else:
            files[name] = data
    return Requirements(tuple(lines), files, locked)
