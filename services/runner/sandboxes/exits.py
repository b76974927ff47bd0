"""How a sandbox container's end is awaited (killed at the deadline) and read: its peak
task count, sampled while it runs, and which failure (timeout, out of memory, pids
exhaustion, crash) its end was."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import docker.errors
import requests.exceptions

from services.runner.sandboxes.base import Failure, SandboxRequest
from services.runner.sandboxes.reaper import ENGINE_ERRORS

# Seen in output when fork/clone or thread creation was refused (EAGAIN at the pids limit).
FORK_MARKERS = (b"Resource temporarily unavailable", b"can't start new thread",
                b"fork: retry", b"Cannot fork")


class PidsWatch:
    """Samples a running container's task count in a daemon thread and keeps the peak.

    Sampling is coarse (the engine refreshes stats about once a second), so a short burst
    may be missed: pids exhaustion is reported as best it can be seen.
    """

    def __init__(self, api: Any, container_id: str) -> None:
        self.peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, args=(api, container_id), daemon=True,
                         name=f"pids-{container_id[:12]}").start()

    def _sample(self, api: Any, container_id: str) -> None:
        while not self._stop.is_set():
            try:
                stats = api.stats(container_id, stream=False, one_shot=True)
            except ENGINE_ERRORS:
                return  # the container is gone: nothing more to see
            current = (stats.get("pids_stats") or {}).get("current") or 0
            self.peak = max(self.peak, int(current))
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()


def classify(request: SandboxRequest, exit_code: int, timed_out: bool, oom_killed: bool,
             peak_pids: int, raw: bytes) -> tuple[Failure | None, str]:
    """Tell timeout, out-of-memory, pids exhaustion and crash apart; None for an exit."""
    limits = request.limits
    pids_hit = peak_pids >= limits.pids
    if timed_out:
        if pids_hit:
            return "pids", (f"process limit of {limits.pids} reached; killed at the deadline "
                            f"of {request.timeout_s:g} s")
        return "timeout", f"timed out after {request.timeout_s:g} s"
    if oom_killed:
        return "oom", f"out of memory: the {limits.memory_mb} MB limit (no swap) was reached"
    signalled = exit_code >= 128 or exit_code < 0
    if pids_hit and (signalled or (exit_code != 0 and any(m in raw for m in FORK_MARKERS))):
        return "pids", f"process limit of {limits.pids} reached (exit {exit_code})"
    if signalled:
        number = exit_code - 128 if exit_code >= 128 else -exit_code
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return "crash", f"killed by {name} (exit {exit_code})"
    return None, ""


def wait_or_kill(api: Any, container_id: str, timeout_s: float, kill_wait_s: float
                 ) -> tuple[int, bool]:
    """Wait for the exit or the deadline; kill at the deadline. (exit code, timed out)"""
    deadline = time.monotonic() + timeout_s
    try:
        return int(api.wait(container_id, timeout=timeout_s)["StatusCode"]), False
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        if time.monotonic() < deadline - 0.5:
            raise  # the engine went away, not our deadline
    try:
        api.kill(container_id, signal=signal.SIGKILL.name)
        killed = True
    except docker.errors.APIError as e:
        if e.status_code != 409:
            raise
        killed = False  # it exited on its own between the deadline and the kill
    return int(api.wait(container_id, timeout=kill_wait_s)["StatusCode"]), killed
