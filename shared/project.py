"""Project sources: find a run's project (a path or git), copy it away, apply overlays."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from shared.contract import ProjectSource
from shared.errors import SandboxError

IGNORED = (".git", ".seamq", "__pycache__", ".pytest_cache", ".venv", "venv", "node_modules",
           ".mypy_cache", ".ruff_cache", ".tox")


def _run_git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        raise SandboxError(f"git {args[0]} failed: {proc.stderr.strip()[-500:]}")
    return proc.stdout.strip()


def materialize(source: ProjectSource, cache_dir: Path) -> Path:
    """A local directory holding the project: the path itself, or a cached git checkout."""
    if source.kind == "path":
        path = Path(source.path)
        if not path.is_dir():
            raise SandboxError(f"project directory {source.path!r} is not reachable from here")
        return path
    key = hashlib.sha256(source.url.encode()).hexdigest()[:16]
    mirror = cache_dir / "git" / key
    if not (mirror / "HEAD").exists():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        _run_git("clone", "--mirror", "--quiet", source.url, str(mirror))
    else:
        _run_git("fetch", "--quiet", "--prune", "origin", cwd=mirror)
    commit = _run_git("rev-parse", "--verify", f"{source.ref}^{{commit}}", cwd=mirror)
    checkout = cache_dir / "checkouts" / commit
    if not checkout.is_dir():
        tmp = checkout.with_name(commit + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        _run_git("clone", "--quiet", "--no-checkout", str(mirror), str(tmp))
        _run_git("checkout", "--quiet", commit, cwd=tmp)
        tmp.rename(checkout)
    return checkout


def safe_relpath(rel: str) -> PurePosixPath:
    """A project-relative path that cannot escape the project."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise SandboxError(f"path {rel!r} escapes the project")
    return path


def prepare(project: Path, dest: Path, overlay: Mapping[str, str] = {}) -> Path:
    """Copy the project to ``dest`` (which must not exist) and write overlay files into it."""
    shutil.copytree(project, dest, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED))
    for rel, content in overlay.items():
        target = dest / safe_relpath(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return dest
