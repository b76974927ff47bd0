"""Project sources: find a run's project (a path or git), copy it away, apply overlays."""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from shared.contract import ProjectSource
from shared.errors import SandboxError

IGNORED = (".git", ".seamq", "__pycache__", ".pytest_cache", ".venv", "venv", "node_modules",
           ".mypy_cache", ".ruff_cache", ".tox")
COMMIT = re.compile(r"[0-9a-f]{40}")


def _run_git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        raise SandboxError(f"git {args[0]} failed: {proc.stderr.strip()[-500:]}")
    return proc.stdout.strip()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across threads and processes sharing a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mirror(source: ProjectSource, cache_dir: Path, *, fetch: bool) -> Path:
    """The cached bare mirror of the source's repository, cloned or (``fetch``) updated."""
    mirror = cache_dir / "git" / hashlib.sha256(source.url.encode()).hexdigest()[:16]
    if not (mirror / "HEAD").exists():
        shutil.rmtree(mirror, ignore_errors=True)
        _run_git("clone", "--mirror", "--quiet", source.url, str(mirror))
    elif fetch:
        _run_git("fetch", "--quiet", "--prune", "origin", cwd=mirror)
    return mirror


def _resolve(source: ProjectSource, cache_dir: Path) -> tuple[Path, str]:
    """The mirror and the commit of the source's ref; a branch is fetched first, a commit
    only when the mirror does not have it yet."""
    pinned = COMMIT.fullmatch(source.ref) is not None
    mirror = _mirror(source, cache_dir, fetch=not pinned)
    try:
        return mirror, _run_git("rev-parse", "--verify", f"{source.ref}^{{commit}}", cwd=mirror)
    except SandboxError:
        if not pinned:
            raise
    _run_git("fetch", "--quiet", "--prune", "origin", cwd=mirror)
    return mirror, _run_git("rev-parse", "--verify", f"{source.ref}^{{commit}}", cwd=mirror)


def pin(source: ProjectSource, cache_dir: Path) -> ProjectSource:
    """The source with a git ref resolved to its commit, so every job of a run sees the same
    files however the branch moves meanwhile; a path source is returned as it is."""
    if source.kind != "git" or COMMIT.fullmatch(source.ref):
        return source
    with _locked(cache_dir / "git" / ".lock"):
        _, commit = _resolve(source, cache_dir)
    return source.model_copy(update={"ref": commit})


def materialize(source: ProjectSource, cache_dir: Path) -> Path:
    """A local directory holding the project: the path itself (a shared volume), or a
    checkout of the git ref in this host's cache (a pinned commit is fetched only once)."""
    if source.kind == "path":
        path = Path(source.path)
        if not path.is_dir():
            raise SandboxError(f"project directory {source.path!r} is not reachable from here")
        return path
    if COMMIT.fullmatch(source.ref) and (cache_dir / "checkouts" / source.ref).is_dir():
        return cache_dir / "checkouts" / source.ref
    with _locked(cache_dir / "git" / ".lock"):
        mirror, commit = _resolve(source, cache_dir)
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
