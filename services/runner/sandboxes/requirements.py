"""What an environment image is built from: requirement lines and requirement files of the
project, as ``[tool.seamq.environment]`` names them or by default.

By default, every ``requirements*.txt`` at the project's root; without one, pyproject's
``[project].dependencies`` plus the ``extras`` named. A named ``*.toml`` file is read as a
pyproject; any other file is a pip requirements file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from shared.contract import EnvironmentSpec
from shared.errors import SandboxError


class DependencyError(SandboxError):
    """The project's dependency files cannot be read."""


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


def requirement_inputs(project: Path, spec: EnvironmentSpec
                       ) -> tuple[list[str], dict[str, bytes]]:
    """(requirement lines, requirement files by project-relative path with their bytes)."""
    names = list(spec.dependencies) or [p.name for p in sorted(project.glob("requirements*.txt"))]
    if not names:
        if not (project / "pyproject.toml").is_file():
            raise DependencyError("environment: no requirements*.txt and no pyproject.toml "
                                  "in the project (name the files in [tool.seamq.environment] "
                                  "dependencies)")
        names = ["pyproject.toml"]
    lines: list[str] = []
    files: dict[str, bytes] = {}
    for name in names:
        path = project / name
        if not path.resolve().is_relative_to(project.resolve()) or not path.is_file():
            raise DependencyError(f"environment: dependency file {name} not found in the "
                                  "project")
        if path.suffix == ".toml":
            lines += _pyproject(path, spec.extras)
        else:
            files[name] = path.read_bytes()
    return lines, files
