"""An interpreter with pytest that an unprivileged user can start, for the local sandbox's
tests as root: the runner's own may live where ``nobody`` cannot reach (``/root``, 0700).

A virtual environment over a system interpreter of the same minor version, reachable by
everyone, with copies of pytest and what it imports; and job directories under a root
every user can traverse (pytest's own ``tmp_path`` is under a 0700 directory).
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PACKAGES = ("pytest", "_pytest", "pluggy", "iniconfig", "packaging", "pygments", "py")


@contextmanager
def reachable_dir(prefix: str) -> Iterator[Path]:
    """A fresh directory in /tmp that every user can traverse but not list."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def portable_python(root: Path) -> str | None:
    """A python under ``root`` with pytest, startable by any user; None when the host has
    no system interpreter of this minor version."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = Path(f"/usr/bin/python{version}")
    if not base.exists():
        return None
    venv = root / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True,
                   capture_output=True, timeout=120)
    site = venv / "lib" / f"python{version}" / "site-packages"
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        source = Path(module.__file__ or "")
        if source.name == "__init__.py":
            shutil.copytree(source.parent, site / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, site / source.name)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644 | (path.stat().st_mode & 0o111))
    return str(venv / "bin" / "python")


@contextmanager
def nobody_interpreter() -> Iterator[tuple[Path, str]]:
    """(a reachable root, a python there ``nobody`` can start); skips the test when seamq
    does not run as root or the host has no system interpreter to build it from."""
    if os.geteuid() != 0:
        pytest.skip("seamq does not run as root: local runs tests as its own user")
    with reachable_dir("seamq-nobody-") as root:
        python = portable_python(root)
        if python is None:
            pytest.skip(f"no /usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}")
        yield root, python
