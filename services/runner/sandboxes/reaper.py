"""Who owns a sandbox container, and removing the ones no live runner will ever read.

Every container the docker sandbox creates, a job's services included, carries labels:
``seamq=1``, ``seamq.runner`` (``<hostname>/<pid>``), ``seamq.runner-start`` (the pid's
start time, so a reused pid is not mistaken for the runner that died) and
``seamq.deadline`` (epoch seconds after which no runner waits for it any more). Several
runners may share one engine, so the reaper never removes a container that a live runner
may still be reading.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import requests.exceptions
import structlog

from shared.errors import SandboxError

LABEL = "seamq"
RUNNER_LABEL = "seamq.runner"
RUNNER_START_LABEL = "seamq.runner-start"
DEADLINE_LABEL = "seamq.deadline"
TWIN_GONE_S = 30.0  # how long a twin's removal may take before the job gives up
INSTANCE_LABEL = "seamq.sandbox"  # which DockerSandbox made a container (close removes them)
DEADLINE_GRACE_S = 30.0

ENGINE_ERRORS = (docker.errors.APIError, requests.exceptions.RequestException)
_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]+")

log = structlog.get_logger("seamq.runner.docker")


def container_name(request_name: str) -> str:
    """A valid, deterministic and collision-free docker name for a request name."""
    readable = _UNSAFE.sub("-", request_name).strip("-.")[:100]
    digest = hashlib.sha256(request_name.encode()).hexdigest()[:10]
    return f"seamq-{readable}-{digest}" if readable else f"seamq-{digest}"


def job_labels(labels: dict[str, str]) -> dict[str, str]:
    """The request's labels under the ``seamq.`` prefix."""
    return {k if k.startswith("seamq.") else f"seamq.{k}": str(v) for k, v in labels.items()}


def _process_start(pid: int) -> str:
    """The pid's start time in clock ticks since boot ('' when the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after its end.
    return stat.rsplit(")", 1)[1].split()[19]


@dataclass(frozen=True)
class RunnerIdentity:
    """The runner process that owns a container, as recorded in its labels."""

    host: str
    pid: int
    start: str

    @classmethod
    def current(cls) -> RunnerIdentity:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, _process_start(pid))

    @property
    def runner_id(self) -> str:
        return f"{self.host}/{self.pid}"

    def labels(self) -> dict[str, str]:
        return {LABEL: "1", RUNNER_LABEL: self.runner_id, RUNNER_START_LABEL: self.start}


def _runner_gone(labels: dict[str, str], host: str) -> bool:
    """True when the owning runner ran on this host and that process no longer exists."""
    owner_host, _, pid = labels.get(RUNNER_LABEL, "").rpartition("/")
    if owner_host != host or not pid.isdigit():
        return False
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    start = _process_start(int(pid))
    return not start or start != labels.get(RUNNER_START_LABEL, start)


def _expired(labels: dict[str, str], now: float) -> bool:
    try:
        deadline = float(labels[DEADLINE_LABEL])
    except (KeyError, ValueError):
        return True
    return deadline + DEADLINE_GRACE_S < now


def left_behind(labels: dict[str, str], host: str | None = None, now: float | None = None) -> bool:
    """True when no live runner waits for this container any more."""
    host = socket.gethostname() if host is None else host
    now = time.time() if now is None else now
    return _runner_gone(labels, host) or _expired(labels, now)


def remove(api: Any, container_id: str) -> None:
    """Remove a container and its anonymous volumes; a failure is logged, not raised."""
    try:
        api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        return
    except ENGINE_ERRORS as e:
        if "already in progress" in str(e):
            return
        # A later reap removes it: its deadline label will have passed by then.
        log.warning("sandbox container not removed", container=container_id, error=str(e))


class Running:
    """Container names a sandbox is running now: a second request under one is a twin."""

    def __init__(self) -> None:
        self._names: set[str] = set()
        self._lock = threading.Lock()

    @contextmanager
    def claim(self, name: str) -> Iterator[str]:
        """Hold ``name`` for one run; yields why not when it is already held, else ""."""
        with self._lock:
            held = name in self._names
            self._names.add(name)
        if held:
            yield f"container {name} is already running this job here; not starting a twin"
            return
        try:
            yield ""
        finally:
            with self._lock:
                self._names.discard(name)


def clear_twin(api: Any, name: str, instance: str) -> None:
    """Remove a finished or abandoned twin of a request; refuse to run beside a live one.

    A twin made by the caller's own sandbox ``instance`` is over (``Running`` guards the live
    ones): it is up only until its removal in the background, and goes at once."""
    try:
        info = api.inspect_container(name)
    except docker.errors.NotFound:
        return
    labels = info["Config"].get("Labels") or {}
    if info["State"].get("Status") in ("running", "paused", "restarting") and not (
        left_behind(labels) or labels.get(INSTANCE_LABEL) == instance
    ):
        raise SandboxError(f"container {name} is already running this job (runner "
                           f"{labels.get(RUNNER_LABEL, '?')}); not starting a twin")
    remove(api, info["Id"])
    # A removal already in progress (in the background) returns at once: the name is free
    # only when the container is gone.
    deadline = time.monotonic() + TWIN_GONE_S
    while time.monotonic() < deadline:
        try:
            api.inspect_container(info["Id"])
        except docker.errors.NotFound:
            return
        time.sleep(0.05)
    raise SandboxError(f"container {name} of an earlier run of this job is still being "
                       f"removed after {TWIN_GONE_S:.0f} s")


def reap(client: Any, older_than_s: float = 0.0, runner_id: str | None = None) -> list[str]:
    """Remove seamq containers left behind; return the names removed.

    With ``runner_id``, every container of that runner goes (a runner cleaning up after
    itself). Without it, a container goes when its runner ran on this host and is dead,
    or when its deadline has passed by more than a grace period — whatever its state,
    as a crashed runner leaves running containers too. Containers younger than
    ``older_than_s`` are left alone.
    """
    host = socket.gethostname()
    now = time.time()
    removed: list[str] = []
    for summary in client.api.containers(all=True, filters={"label": f"{LABEL}=1"}):
        labels: dict[str, str] = summary.get("Labels") or {}
        if now - float(summary.get("Created", now)) < older_than_s:
            continue
        if runner_id is not None:
            if labels.get(RUNNER_LABEL) != runner_id:
                continue
        elif not left_behind(labels, host, now):
            continue
        try:
            client.api.remove_container(summary["Id"], force=True, v=True)
        except docker.errors.NotFound:
            continue
        except ENGINE_ERRORS as e:
            if "already in progress" in str(e):
                continue
            raise
        removed.append(str((summary.get("Names") or ["?"])[0]).lstrip("/"))
    return removed
