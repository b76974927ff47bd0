"""Bounded, link-free reads of files that come from a sandbox or a user.

Every such file is opened without following a final symlink (``O_NOFOLLOW``) and without
blocking (``O_NONBLOCK``: a FIFO opens at once instead of waiting for a writer), must then be
a regular file (``fstat``), and is read with a size cap. Anything else raises
``UnsafeFileError`` with a one-line reason, never a hang or an unbounded read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from shared.errors import SeamqError

MiB = 1024 * 1024
# Config files a user hands seamq (policy, services, pyproject, brief template).
CONFIG_CAP = 1 * MiB
_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class UnsafeFileError(SeamqError):
    """A file that is not a regular file, a symlink, too large, or not text."""


def read_capped(path: str | Path, cap: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``cap`` of them (else an error)."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as e:
        if isinstance(e, FileNotFoundError):
            raise
        if os.path.islink(path):
            raise UnsafeFileError(f"{path} is a symbolic link; it is not followed") from e
        raise UnsafeFileError(f"cannot open {path}: {e.strerror}") from e
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(f"{path} is not a regular file")
        if info.st_size > cap:
            raise UnsafeFileError(f"{path} holds {info.st_size} bytes, over the cap of {cap}")
        data = f.read(cap + 1)
    if len(data) > cap:
        raise UnsafeFileError(f"{path} holds over {cap} bytes, over the cap")
    return data


def read_text_capped(path: str | Path, cap: int) -> str:
    """``read_capped`` decoded as UTF-8, with a one-line error when it is not."""
    data = read_capped(path, cap)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnsafeFileError(f"{path} is not UTF-8 text (byte {e.start})") from e


def tree_bytes(root: Path, quota: int) -> int:
    """Total apparent size of the files under ``root`` (links not followed); stops counting
    once over ``quota`` so a huge tree costs no more than needed."""
    total = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in (*files, *dirs):
            try:
                info = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                total += max(info.st_size, info.st_blocks * 512)
            if total > quota:
                return total
    return total
