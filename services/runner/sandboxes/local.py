"""The ``local`` sandbox: a subprocess with a scrubbed environment, rlimits and a deadline.

Weaker than Docker — the process shares the host's network and filesystem — and labelled
as such wherever it is chosen. It exists for the embedded default on machines without a
Docker engine. When seamq is root the tests run as an unprivileged user (``identity.py``);
they start through a shim whose environment holds no secret (``shim.py``), in a session of
their own, and every process of the job is killed when it ends, however it left the
process group (``tracking.py``).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from services.runner.sandboxes import shim
from services.runner.sandboxes.base import (
    OUTPUT_CAP_BYTES,
    Limits,
    Mounts,
    Sandbox,
    SandboxOutcome,
    SandboxRequest,
    cap_output,
)
from services.runner.sandboxes.identity import RunAs, choose_run_as, drop_privileges, hand_over
from services.runner.sandboxes.tracking import JobTracker, cgroup_home, reap_stale

SHIM = Path(shim.__file__).read_text()


def _rlimits(limits: Limits) -> None:
    """Applied in the child between fork and exec."""
    mib = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.fsize_mb * mib, limits.fsize_mb * mib))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile))
    # Address space, not resident memory: generous so interpreters start, still a ceiling.
    address_space = max(limits.memory_mb, 256) * mib * 4
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def _child_setup(limits: Limits, tracker: JobTracker, run_as: RunAs) -> None:
    """Between fork and exec, as root still: limits, the job's cgroup, then the user."""
    _rlimits(limits)
    tracker.join()
    drop_privileges(run_as)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


class LocalSandbox(Sandbox):
    """Runs the request as a child process group on this host."""

    kind = "local"

    def __init__(self, python: str | None = None, user: str = "nobody") -> None:
        self.python = python or sys.executable
        self.user = user
        self._run_as: RunAs | None = None
        self._cgroups = cgroup_home()
        reap_stale(self._cgroups)
        self._live: dict[int, JobTracker] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def run_as(self) -> RunAs:
        """Who the tests run as, asked once (``identity.py``)."""
        with self._lock:
            if self._run_as is None:
                self._run_as = choose_run_as(self.python, self.user)
            return self._run_as

    def close(self) -> None:
        """Kill every job still running and start no more (interrupt or shutdown): the
        worker threads then return at once and the process can exit."""
        with self._lock:
            self._closed = True
            for pgid, tracker in list(self._live.items()):
                _kill_group(pgid)
                tracker.kill_all()

    def mounts(self, request_dirs: tuple[Path, Path, Path]) -> Mounts:
        workspace, outputs, support = request_dirs
        return Mounts(str(workspace), str(outputs), str(support))

    def run(self, request: SandboxRequest) -> SandboxOutcome:
        started = time.monotonic()
        run_as = self.run_as
        hand_over(run_as, request.workspace, request.outputs, request.home)
        tracker = JobTracker(self._cgroups)
        errors, errors_w = os.pipe()
        os.set_blocking(errors, False)
        try:
            with tempfile.TemporaryFile() as captured:
                proc = self._start(request, captured, started, tracker, run_as, errors_w)
                os.close(errors_w)
                if isinstance(proc, SandboxOutcome):
                    return proc
                start_s = time.monotonic() - started
                timed_out = self._wait(proc, request.timeout_s, tracker)
                output = _captured_tail(captured)
            not_started = _read_ready(errors)
        finally:
            tracker.kill_all()
            os.close(errors)
        if not_started:
            return SandboxOutcome(exit_code=None, output=output,
                                  duration_s=time.monotonic() - started,
                                  failure="infrastructure",
                                  reason=f"could not start {request.argv[0]}: {not_started}")
        return _outcome(request, proc.returncode, timed_out, output,
                        time.monotonic() - started, start_s)

    def _start(self, request: SandboxRequest, captured: IO[bytes], started: float,
               tracker: JobTracker, run_as: RunAs, errors: int
               ) -> subprocess.Popen[bytes] | SandboxOutcome:
        """The shim, in a session of its own, or why it was not started."""
        # Started under the lock, so that ``close`` either sees the process or keeps it
        # from starting.
        with self._lock:
            if self._closed:
                return SandboxOutcome(
                    exit_code=None,
                    output="",
                    duration_s=0.0,
                    failure="infrastructure",
                    reason="the sandbox is closed (the runner is shutting down)",
                )
            try:
                proc = subprocess.Popen(
                    (self.python, "-I", "-S", "-c", SHIM, str(errors), *request.argv),
                    cwd=request.workspace,
                    env={**request.env, **tracker.env},
                    stdin=subprocess.DEVNULL,
                    stdout=captured,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    pass_fds=(errors,),
                    preexec_fn=lambda: _child_setup(request.limits, tracker, run_as),
                )
            except (OSError, subprocess.SubprocessError) as e:
                return SandboxOutcome(
                    exit_code=None,
                    output="",
                    duration_s=time.monotonic() - started,
                    failure="infrastructure",
                    reason=f"could not start {request.argv[0]}: {e}",
                )
            self._live[proc.pid] = tracker
        return proc

    def _wait(self, proc: subprocess.Popen[bytes], timeout_s: float,
              tracker: JobTracker) -> bool:
        """Wait for the exit or the deadline, then kill everything of the job; True at the
        deadline."""
        timed_out = False
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        # Whatever happened, nothing the job started may outlive it: its process group,
        # and what left the group (its cgroup, its marker).
        _kill_group(proc.pid)
        tracker.kill_all()
        proc.wait()
        with self._lock:
            self._live.pop(proc.pid, None)
        return timed_out


def _read_ready(fd: int) -> str:
    """What the shim's child wrote to ``fd`` when its exec failed ('' if it did not)."""
    try:
        return os.read(fd, 4096).decode("utf-8", "replace")
    except BlockingIOError:
        return ""


def _captured_tail(captured: IO[bytes]) -> str:
    """The last ``OUTPUT_CAP_BYTES`` of the captured output, marking what was cut."""
    captured.seek(0, os.SEEK_END)
    size = captured.tell()
    captured.seek(max(0, size - OUTPUT_CAP_BYTES))
    tail = captured.read()
    output = cap_output(tail)
    if size > len(tail):
        output = f"[... {size - len(tail)} bytes cut ...]\n" + output
    return output


def _outcome(request: SandboxRequest, code: int, timed_out: bool, output: str,
             duration: float, start_s: float) -> SandboxOutcome:
    """Tell a timeout and death by a signal from an ordinary exit."""
    if timed_out:
        return SandboxOutcome(
            exit_code=None,
            output=output,
            duration_s=duration,
            failure="timeout",
            reason=f"timed out after {request.timeout_s:g} s",
            start_s=start_s,
        )
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return SandboxOutcome(
            exit_code=code,
            output=output,
            duration_s=duration,
            failure="crash",
            reason=f"killed by {name}",
            start_s=start_s,
        )
    return SandboxOutcome(exit_code=code, output=output, duration_s=duration, start_s=start_s)
