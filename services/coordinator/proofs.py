"""The result cache: what a seam's proof depends on, hashed into one key.

A seam proven stable is not proven again while its key is unchanged. The key covers the
seam's test file and the conftest.py files above it, the project's source (every Python
file that is not a test) and its dependency and configuration files, the execution and
audit options (image, environment, setup, repeats …), the coordinator's interpreter and
seamq's version. Any change to any of them is a new key: the cache can be too cautious,
never too trusting. The suite's key is made of the keys of the files it runs together.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath

from shared.contract import RunRequest, Seam

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 20_000
CONFIG_FILES = frozenset({"pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini",
                          "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock",
                          "conftest.py"})
SKIPPED_DIRS = frozenset({".git", ".seamq", "__pycache__", "node_modules", ".venv", "venv",
                          ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


def _version() -> str:
    try:
        return metadata.version("seamq")
    except metadata.PackageNotFoundError:
        return "dev"


def _is_test(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py")


def _file_digest(path: Path) -> str:
    try:
        info = path.stat()
        if info.st_size > MAX_FILE_BYTES:
            return f"size:{info.st_size}:{info.st_mtime_ns}"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _project_files(root: Path) -> Iterable[Path]:
    """Source and configuration files that every seam's proof depends on."""
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            source = name.endswith(".py") and not _is_test(name)
            config = (name in CONFIG_FILES or name.endswith(".lock")
                      or (name.startswith("requirements") and name.endswith(".txt")))
            if source or config:
                count += 1
                if count > MAX_FILES:
                    return
                yield Path(folder) / name


def _shared_digest(request: RunRequest, root: Path) -> str:
    digest = hashlib.sha256()
    for part in (_version(), sys.version, request.execution.model_dump_json(),
                 request.policy.model_dump_json()):
        digest.update(part.encode() + b"\0")
    for path in _project_files(root):
        digest.update(f"{path.relative_to(root).as_posix()}={_file_digest(path)}\0".encode())
    return digest.hexdigest()


def proof_keys(request: RunRequest, root: Path, seams: Iterable[Seam]) -> dict[str, str]:
    """Seam id -> the key of its proof (seams whose file is missing get none)."""
    shared = _shared_digest(request, root)
    keys: dict[str, str] = {}
    for seam in seams:
        test_file = root / seam.output_file
        if not test_file.is_file():
            continue
        digest = hashlib.sha256(f"{shared}\0{seam.output_file}\0".encode())
        digest.update(_file_digest(test_file).encode())
        for folder in (PurePosixPath(seam.output_file).parent, *PurePosixPath(
                seam.output_file).parent.parents):
            conftest = root / folder / "conftest.py"
            if conftest.is_file():
                digest.update(f"{folder}:{_file_digest(conftest)}".encode())
        keys[seam.id] = digest.hexdigest()
    return keys


def suite_key(keys: Mapping[str, str], seam_ids: Iterable[str]) -> str:
    """The key of running these seams' files together: changes when any of them changes."""
    parts = sorted({keys.get(s, "") for s in seam_ids})
    return hashlib.sha256("\0".join(["suite", *parts]).encode()).hexdigest()


def commit_of(root: Path) -> str:
    """The project's git commit, when it is a git checkout (for the report)."""
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""
