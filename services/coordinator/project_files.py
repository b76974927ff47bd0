"""What the coordinator reads from the project: test files and their conftest files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

MAX_READ = 2_000_000


def read_file(project_dir: Path, rel: str) -> str | None:
    """A project file's text, or None when it is missing, too large or not UTF-8."""
    path = project_dir / rel
    try:
        if path.stat().st_size > MAX_READ:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def conftests_for(project_dir: Path, rel: str) -> dict[str, str]:
    """conftest.py files from the test file's directory up to the project root."""
    found: dict[str, str] = {}
    parent = PurePosixPath(rel).parent
    for directory in (parent, *parent.parents):
        candidate = (directory / "conftest.py").as_posix()
        content = read_file(project_dir, candidate)
        if content is not None:
            found[candidate] = content
    return found
