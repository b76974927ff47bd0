"""Who a local job's tests run as.

When seamq runs as root, tests run as an unprivileged user (``nobody``, uid/gid 65534 by
default) with no supplementary groups and ``no_new_privs`` set, so setuid programs cannot
give root back. The job's workspace copy, outputs and home are handed to that user; the
support directory (seamq's plugin) stays root's and readable. The runner's
``/proc/<pid>/environ`` is then unreadable to the tests (another uid).

That needs an interpreter the user can start: one under ``/root`` (0700) cannot be. The
sandbox asks once, by starting the interpreter as the user; if it cannot, or seamq is not
root, tests run as seamq's own user and the sandbox's detail says so ("same user: weaker").
"""

from __future__ import annotations

import ctypes
import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_USER = "nobody"
NOBODY = 65534
PR_SET_NO_NEW_PRIVS = 38
PROBE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class RunAs:
    """The uid/gid tests run as (None: seamq's own) and how the report says it."""

    uid: int | None
    gid: int | None
    detail: str


def _ids(user: str) -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return NOBODY, NOBODY
    return entry.pw_uid, entry.pw_gid


def choose_run_as(python: str, user: str = DEFAULT_USER) -> RunAs:
    """``user`` when seamq is root and ``user`` can start ``python`` with pytest, else
    seamq's own user, with the reason."""
    if os.geteuid() != 0:
        return RunAs(None, None, "same user: weaker")
    uid, gid = _ids(user)
    why = _cannot_start(python, uid, gid)
    if why:
        return RunAs(None, None, f"same user, root: weaker; {user} cannot start {python}: {why}")
    return RunAs(uid, gid, f"tests run as {user}, uid {uid}")


def _cannot_start(python: str, uid: int, gid: int) -> str:
    """Why ``python -c 'import pytest'`` fails as uid/gid, or ''."""
    try:
        proc = subprocess.run(
            [python, "-I", "-c", "import pytest"], user=uid, group=gid, extra_groups=[],
            cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            stdin=subprocess.DEVNULL, capture_output=True, timeout=PROBE_TIMEOUT_S,
            check=False)
    except (OSError, subprocess.SubprocessError) as e:
        return str(e)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit {proc.returncode}"
    return ""


_libc = ctypes.CDLL(None, use_errno=True)


def drop_privileges(run_as: RunAs) -> None:
    """In the child between fork and exec: become ``run_as`` for good."""
    if run_as.uid is None or run_as.gid is None:
        return
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    os.setgroups([])
    os.setresgid(run_as.gid, run_as.gid, run_as.gid)
    os.setresuid(run_as.uid, run_as.uid, run_as.uid)


def hand_over(run_as: RunAs, *trees: Path | None) -> None:
    """Give the job's own trees (workspace copy, outputs, home) to ``run_as``'s user; links
    are changed, never followed."""
    if run_as.uid is None or run_as.gid is None:
        return
    for tree in trees:
        if tree is None or not tree.exists():
            continue
        os.lchown(tree, run_as.uid, run_as.gid)
        for dirpath, dirs, files in os.walk(tree):
            for name in (*dirs, *files):
                os.lchown(os.path.join(dirpath, name), run_as.uid, run_as.gid)
