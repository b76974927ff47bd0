"""Every process a local job starts, found and killed when the job ends.

A process group is not enough: ``setsid`` leaves it, and a double fork leaves the parent
chain. Two trackers, both used when they can be:

- **A cgroup v2 child** of the runner's own cgroup, when the cgroup2 hierarchy is mounted
  writable (``/sys/fs/cgroup`` or ``/sys/fs/cgroup/unified``). The job's first process joins
  it between fork and exec; every descendant is born in it and cannot leave (moving
  requires write access to root-owned ``cgroup.procs``). ``cgroup.kill`` (or a kill of
  each listed pid) ends them all; the empty cgroup is removed.
- **A marker in the environment** (``SEAMQ_JOB_MARK=<random>``): descendants inherit it;
  at the end ``/proc/*/environ`` is scanned and every process carrying it is killed. This
  needs no privilege over the process but its cooperation: a process that execs with a
  clean environment, or overwrites its own environment block, escapes it.

A runner killed mid-job leaves its job cgroups behind; the next local sandbox on the host
kills what they hold and removes them (``reap_stale``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from pathlib import Path

MARK_VAR = "SEAMQ_JOB_MARK"
CGROUP_MOUNTS = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified"))
KILL_ROUNDS = 50
EMPTY_WAIT_S = 5.0


def cgroup_home() -> Path | None:
    """The runner's own cgroup v2 directory when job cgroups can be made under it."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    own = next((line[3:] for line in lines if line.startswith("0::")), None)
    if own is None:
        return None
    for mount in CGROUP_MOUNTS:
        home = mount / own.lstrip("/")
        if (mount / "cgroup.controllers").exists() and os.access(home, os.W_OK):
            return home
    return None


def reap_stale(home: Path | None) -> list[str]:
    """Kill and remove the job cgroups a dead runner left under ``home`` (named after the
    runner's pid); the names of those removed."""
    reaped: list[str] = []
    if home is None:
        return reaped
    for path in home.glob("seamq-job-*-*"):
        pid = path.name.split("-")[2]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue  # its runner still runs (or a process reusing its pid: left alone)
        _kill_cgroup(path)
        _remove_cgroup(path)
        if not path.exists():
            reaped.append(path.name)
    return reaped


class JobTracker:
    """One job's processes: the marker its environment carries and, when one could be
    made, its cgroup."""

    def __init__(self, home: Path | None) -> None:
        token = secrets.token_hex(12)
        self.mark = token
        self.cgroup: Path | None = None
        if home is not None:
            path = home / f"seamq-job-{os.getpid()}-{token[:8]}"
            with contextlib.suppress(OSError):
                path.mkdir()
                self.cgroup = path

    @property
    def env(self) -> dict[str, str]:
        return {MARK_VAR: self.mark}

    def join(self) -> None:
        """Move the calling process into the job's cgroup (in the child, before exec)."""
        if self.cgroup is not None:
            with contextlib.suppress(OSError):  # then the marker alone tracks the job
                (self.cgroup / "cgroup.procs").write_text("0")

    def kill_all(self) -> None:
        """Kill every process of the job, by cgroup and by marker, and remove the cgroup."""
        if self.cgroup is not None:
            _kill_cgroup(self.cgroup)
        needle = f"{MARK_VAR}={self.mark}".encode()
        for _ in range(KILL_ROUNDS):  # a process forking while it is killed: again
            if not _kill_marked(needle):
                break
            time.sleep(0.01)
        if self.cgroup is not None:
            _remove_cgroup(self.cgroup)


def _kill_cgroup(cgroup: Path) -> None:
    kill = cgroup / "cgroup.kill"
    if kill.exists():
        with contextlib.suppress(OSError):
            kill.write_text("1")
            return
    for _ in range(KILL_ROUNDS):  # kernels before 5.14: each pid, until none is left
        pids = _cgroup_pids(cgroup)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _cgroup_pids(cgroup: Path) -> list[int]:
    try:
        return [int(pid) for pid in (cgroup / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _remove_cgroup(cgroup: Path) -> None:
    """Remove the cgroup once its killed processes are gone (they leave it as they die)."""
    deadline = time.monotonic() + EMPTY_WAIT_S
    while time.monotonic() < deadline:
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # EBUSY while the dying are still listed
            _kill_cgroup(cgroup)
            time.sleep(0.02)


def _kill_marked(needle: bytes) -> int:
    """SIGKILL every process whose environment holds ``needle``; how many were found."""
    found = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue  # gone, or not ours to read
        if needle in environ.split(b"\0"):
            found += 1
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)
    return found
