"""The ``local`` sandbox: a subprocess with a scrubbed environment, rlimits and a deadline.

Weaker than Docker — the process shares the host's network, filesystem and user — and
labelled as such wherever it is chosen. It exists for the embedded default on machines
without a Docker engine.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from services.runner.sandboxes.base import (
    OUTPUT_CAP_BYTES,
    Limits,
    Mounts,
    Sandbox,
    SandboxOutcome,
    SandboxRequest,
    cap_output,
)


def _rlimits(limits: Limits) -> None:
    """Applied in the child between fork and exec."""
    mib = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.fsize_mb * mib, limits.fsize_mb * mib))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile))
    # Address space, not resident memory: generous so interpreters start, still a ceiling.
    address_space = max(limits.memory_mb, 256) * mib * 4
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


class LocalSandbox(Sandbox):
    """Runs the request as a child process group on this host."""

    kind = "local"

    def __init__(self, python: str | None = None) -> None:
        import sys

        self.python = python or sys.executable
        self._live: set[int] = set()
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        """Kill every process group still running and start no more (interrupt or
        shutdown): the worker threads then return at once and the process can exit."""
        with self._lock:
            self._closed = True
            for pgid in list(self._live):
                _kill_group(pgid)

    def mounts(self, request_dirs: tuple[Path, Path, Path]) -> Mounts:
        workspace, outputs, support = request_dirs
        return Mounts(str(workspace), str(outputs), str(support))

    def run(self, request: SandboxRequest) -> SandboxOutcome:
        started = time.monotonic()
        with tempfile.TemporaryFile() as captured:
            proc = self._start(request, captured, started)
            if isinstance(proc, SandboxOutcome):
                return proc
            start_s = time.monotonic() - started
            timed_out = self._wait(proc, request.timeout_s)
            output = _captured_tail(captured)
        return _outcome(request, proc.returncode, timed_out, output,
                        time.monotonic() - started, start_s)

    def _start(self, request: SandboxRequest, captured: IO[bytes], started: float
               ) -> subprocess.Popen[bytes] | SandboxOutcome:
        """The child process group, or why it was not started."""
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
                    request.argv,
                    cwd=request.workspace,
                    env=request.env,
                    stdin=subprocess.DEVNULL,
                    stdout=captured,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=lambda: _rlimits(request.limits),
                )
            except OSError as e:
                return SandboxOutcome(
                    exit_code=None,
                    output="",
                    duration_s=time.monotonic() - started,
                    failure="infrastructure",
                    reason=f"could not start {request.argv[0]}: {e}",
                )
            self._live.add(proc.pid)
        return proc

    def _wait(self, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
        """Wait for the exit or the deadline, then kill the process group; True at the
        deadline."""
        timed_out = False
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        # Whatever happened, nothing of the job's process group may outlive it.
        _kill_group(proc.pid)
        proc.wait()
        with self._lock:
            self._live.discard(proc.pid)
        return timed_out


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
