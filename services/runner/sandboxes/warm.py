"""Warm containers: hardened sandbox containers started before the jobs that will use them.

Starting a container (runc: namespaces, cgroups, mounts, the init process) is most of the
docker sandbox's per-job cost; creating one is a small part and removing one need not be
waited for. So a ``DockerSandbox`` with ``warm=K`` keeps K containers of the last job's
shape (image, limits; no network) created with the same hardening (``hardening.py``) and
already started, each parked in a waiter: ``/bin/sh`` blocked reading a FIFO in a read-only
control mount. A job takes one, moves the entries of its three directories into the
container's slot directories (renames: the slots live on the same filesystem) and leaves a
symlink to each slot directory in its place (the host sees the job's files live), writes its
argv and environment to the launch script and releases the waiter, which ``exec``s
``env -i`` with exactly the job's environment and argv: the job's process replaces the
waiter, in a container no other job has used. Each container is used once; it is removed,
and its replacement started, off the job's critical path. Requests that join a services
namespace, or whose directories are on another filesystem, get a fresh container.

A warm container cannot carry what is only known at the job: its labels are the runner's
ownership labels, ``seamq.pool`` and a deadline of creation + ``POOL_TTL_S`` (a job only
takes one whose deadline outlives the job's own); it is renamed to the job's container name
when taken, so a twin is found by name as before. The reaper treats warm containers like any
other: a dead runner's go, a live runner's are spared until their deadline.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from services.runner.sandboxes.base import SandboxRequest
from services.runner.sandboxes.reaper import (
    DEADLINE_LABEL,
    ENGINE_ERRORS,
    INSTANCE_LABEL,
    remove,
)
from services.runner.sandboxes.warm_slot import (
    POOL_LABEL,
    POOL_TTL_S,
    READY_TIMEOUT_S,
    Shape,
    Warm,
    eligible,
    log,
    open_when_read,
    start_warm,
    unload,
)

__all__ = ["INSTANCE_LABEL", "POOL_LABEL", "Warm", "WarmPool", "unload"]

class WarmPool:
    """Keeps ``size`` warm containers of the last requested shape, made with the sandbox's
    ``user`` (uid, tmp MB) and ownership ``labels``. Removals go through a background
    thread as well."""

    def __init__(self, api: Any, size: int, user: tuple[int, int], labels: dict[str, str]
                 ) -> None:
        self.api, self.size, self.user, self.labels = api, size, user, labels
        self.base = Path(tempfile.mkdtemp(prefix="seamq-warm-"))
        self._ready: list[Warm] = []
        self._shape: Shape | None = None
        self._lock = threading.Condition()
        self._closed = False
        self._count = 0
        self.taken = 0  # containers handed to jobs
        self._removals: queue.Queue[tuple[str, Path | None] | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._fill, daemon=True, name="warm-fill"),
                         threading.Thread(target=self._remove, daemon=True, name="warm-rm")]
        for thread in self._threads:
            thread.start()

    def take(self, request: SandboxRequest, image: str, needed_until: float,
             wait_s: float = 0.0) -> Warm | None:
        """A ready container for the request whose deadline outlives the job, or None (the
        job then starts a fresh one); the pool now keeps containers of its shape. With
        ``wait_s``, wait that long for one to be ready (tests use it to see only warm runs)."""
        if not eligible(request, self.base):
            return None
        shape = Shape(image, request.limits)
        until = time.monotonic() + wait_s
        with self._lock:
            if shape != self._shape:
                self._shape = shape
                stale, self._ready = self._ready, []
                for warm in stale:
                    self.discard(warm)
            self._lock.notify_all()
            while True:
                while self._ready:
                    warm = self._ready.pop(0)
                    if warm.deadline > needed_until:
                        self.taken += 1
                        self._lock.notify_all()
                        return warm
                    self.discard(warm)
                left = until - time.monotonic()
                if left <= 0 or self._shape != shape or self._closed:
                    return None
                self._lock.wait(left)

    def remove_later(self, container_id: str) -> None:
        """Remove a fresh container in the background (the job has read its results)."""
        self._removals.put((container_id, None))

    def discard(self, warm: Warm) -> None:
        """Remove a container (used or not) and its slot: in the background, or at once
        once the pool is closed (a job that ran through ``close`` ends here)."""
        if warm.go >= 0:
            os.close(warm.go)
            warm.go = -1
        with self._lock:
            closed = self._closed
        if not closed:
            self._removals.put((warm.container_id, warm.slot))
            return
        remove(self.api, warm.container_id)
        shutil.rmtree(warm.slot, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.base.rmdir()

    def close(self) -> None:
        """Remove every warm container and slot; wait for the removals queued so far."""
        with self._lock:
            self._closed = True
            stale, self._ready = self._ready, []
            self._lock.notify_all()
        for warm in stale:
            self.discard(warm)
        self._threads[0].join(timeout=READY_TIMEOUT_S + 30)
        self._removals.put(None)
        self._threads[1].join(timeout=120)
        with contextlib.suppress(OSError):
            self.base.rmdir()  # unless a job still runs in a slot: its discard removes it

    def _fill(self) -> None:
        while True:
            with self._lock:
                while not self._closed and (self._shape is None
                                            or len(self._ready) >= self.size):
                    self._lock.wait()
                if self._closed:
                    return
                shape = self._shape
                self._count += 1
                name = f"{self._count}"
            assert shape is not None
            warm = self._make(shape, name)
            with self._lock:
                self._lock.notify_all()
                if warm is not None and not self._closed and shape == self._shape:
                    self._ready.append(warm)
                    continue
                if warm is None and shape == self._shape:
                    # The engine failed (a missing image…): jobs start fresh containers,
                    # which report why; the next job of this shape tries again.
                    self._shape = None
            if warm is not None:
                self.discard(warm)

    def _make(self, shape: Shape, name: str) -> Warm | None:
        slot = self.base / f"slot-{name}"
        for sub, mode in (("workspace", 0o755), ("outputs", 0o777), ("support", 0o755),
                          ("control", 0o755)):
            (slot / sub).mkdir(parents=True)
            (slot / sub).chmod(mode)
        go = slot / "control" / "go"
        os.mkfifo(go, 0o666)
        go.chmod(0o666)
        deadline = time.time() + POOL_TTL_S
        container_id = ""
        try:
            container_id = start_warm(self.api, shape, slot, self.user, {
                **self.labels, DEADLINE_LABEL: str(int(deadline)),
                "seamq.name": f"warm-{self.labels.get(INSTANCE_LABEL, '')[:12]}-{name}"})
            fd = open_when_read(go, READY_TIMEOUT_S)
            return Warm(container_id, slot, fd, deadline, shape)
        except (*ENGINE_ERRORS, OSError) as e:
            log.warning("warm container not started", error=str(e))
            self._removals.put((container_id, slot))
            return None

    def _remove(self) -> None:
        while (item := self._removals.get()) is not None:
            container_id, slot = item
            if container_id:
                remove(self.api, container_id)
            if slot is not None:
                shutil.rmtree(slot, ignore_errors=True)
