"""The generator interface, its outcome, and the checks every generator's output goes through.

A generator writes one seam's test file into a throwaway workspace. What it produced is
read back from disk, so every implementation is judged the same way: the file must exist,
be non-empty UTF-8 within the contract's size bound, and nothing else may have changed.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from shared.contract import SeamJob

MAX_CONTENT_CHARS = 2_000_000
HASH_LIMIT_BYTES = 1024 * 1024
LOG_TAIL_CHARS = 4_000
# Caches and tool state that agents and the tools they run touch without changing the project.
IGNORED_DIRS = frozenset({
    ".git", ".seamq", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
    ".hypothesis", ".tox", ".venv", "venv", "node_modules",
})

Snapshot = dict[str, tuple[int, int, str]]


@dataclass(frozen=True)
class GenerationOutcome:
    """What one generation attempt produced; ``reason`` says why when ``ok`` is false."""

    ok: bool
    content: str | None
    reason: str = ""
    scaffold: bool = False
    log_tail: str = ""
    duration_s: float = 0.0


class Generator(abc.ABC):
    """Writes the test file of one seam; implementations: command, openai, scaffold."""

    kind: str = "abstract"

    @abc.abstractmethod
    def generate(
        self, job: SeamJob, workspace: Path, output_path: Path, brief: str
    ) -> GenerationOutcome:
        """Write ``output_path`` inside ``workspace`` for ``job``; blocking, never raises
        for a generator's own failure (that is a failed outcome with a reason)."""


def output_rel(workspace: Path, output_path: Path) -> str | None:
    """``output_path`` relative to the workspace (POSIX form), or None when it lies outside."""
    try:
        return output_path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return None


def misplaced(output_path: Path) -> GenerationOutcome:
    """The failed outcome for an output path that does not lie inside the workspace."""
    return GenerationOutcome(False, None, f"output file {output_path} is outside the workspace")


def read_output(output_path: Path, rel: str) -> tuple[str | None, str]:
    """The written file's content and, when it is not usable, the reason why."""
    try:
        data = output_path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None, f"wrote nothing to {rel}"
    except OSError as e:
        return None, f"wrote {rel}, but it cannot be read: {e.strerror}"
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, f"wrote {rel}, but it is not UTF-8 text"
    if not content.strip():
        return None, f"wrote nothing to {rel}"
    if len(content) > MAX_CONTENT_CHARS:
        return None, f"wrote {len(content)} characters to {rel} (limit {MAX_CONTENT_CHARS})"
    return content, ""


def snapshot(root: Path) -> Snapshot:
    """Relative path -> (size, mtime_ns, sha256 of small files) for every file under root."""
    files: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS]
        for name in filenames:
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(dirpath, name)
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue
            digest = ""
            if st.st_size <= HASH_LIMIT_BYTES and path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns, digest)
    return files


def changed_files(before: Snapshot, after: Snapshot, *, allowed: str) -> list[str]:
    """Files created, modified or deleted between two snapshots, except ``allowed``."""
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    changed.discard(allowed)
    return sorted(changed)


def describe_paths(paths: list[str], limit: int = 10) -> str:
    """``a.py, b.py`` — at most ``limit`` names, then how many more."""
    shown = ", ".join(paths[:limit])
    return shown if len(paths) <= limit else f"{shown} and {len(paths) - limit} more"


def tail(text: str, chars: int = LOG_TAIL_CHARS) -> str:
    """The last ``chars`` characters of ``text``, stripped."""
    text = text.strip()
    return text if len(text) <= chars else "…" + text[-chars:]
