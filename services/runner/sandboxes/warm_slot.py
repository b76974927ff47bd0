"""A warm container and its slot: the parked waiter, the launch of a job in it, and moving a
job's directories in and out (``warm.py`` keeps the pool of them).

The slot is a host directory holding the container's ``workspace``, ``outputs`` and
``support`` mounts and a ``control`` directory (mounted read-only at ``CONTROL``) with the
FIFO the waiter blocks on and the launch script it runs.
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from docker.types import Mount

from services.runner.sandboxes.base import Limits, SandboxRequest
from services.runner.sandboxes.hardening import (
    DEFAULT_ENV,
    MOUNTS,
    container_kwargs,
    host_config_kwargs,
)
from services.runner.sandboxes.reaper import ENGINE_ERRORS, container_name, remove

POOL_LABEL = "seamq.pool"
POOL_TTL_S = 3600.0
CONTROL = "/.seamq-control"  # read-only in the container: the FIFO and the launch script
WAITER = ("/bin/sh", "-c", f"read -r _ < {CONTROL}/go && exec /bin/sh {CONTROL}/launch")
READY_TIMEOUT_S = 30.0
DIRS = ("workspace", "outputs", "support")

log = structlog.get_logger("seamq.runner.docker")

@dataclass(frozen=True)
class Shape:
    """What a warm container is fixed to at creation, beyond the hardening."""

    image: str
    limits: Limits


@dataclass
class Warm:
    """One started container, parked; ``go`` holds the write end of its FIFO."""

    container_id: str
    slot: Path
    go: int
    deadline: float
    shape: Shape
    modes: dict[str, int] = field(default_factory=dict)  # of the request's directories

    def load(self, request: SandboxRequest) -> None:
        """Move the request's directory entries into the slot and leave a symlink to the
        slot's directory in each one's place (the host sees the job's files live, as with
        a fresh container); write the launch script."""
        for name in DIRS:
            where: Path = getattr(request, name)
            _move_entries(where, self.slot / name)
            mode = where.stat().st_mode
            where.rmdir()
            where.symlink_to(self.slot / name, target_is_directory=True)
            self.modes[name] = mode
        env = {"HOSTNAME": "sandbox", **DEFAULT_ENV, **request.env}
        words = ["exec", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *request.argv]
        launch = self.slot / "control" / "launch"
        launch.write_text(f"cd {MOUNTS.workspace} || exit 126\n"
                          + " ".join(shlex.quote(w) for w in words) + "\n")
        launch.chmod(0o644)

    def release(self) -> None:
        """Let the waiter exec the job (OSError when the waiter is gone)."""
        try:
            os.write(self.go, b"go\n")
        finally:
            os.close(self.go)
            self.go = -1

    def unload(self, request: SandboxRequest) -> None:
        """Put the request's directories back, with everything in them."""
        for name in DIRS:
            where: Path = getattr(request, name)
            if where.is_symlink():
                where.unlink()
                where.mkdir()
                where.chmod(self.modes[name])
            if (self.slot / name).is_dir():
                _move_entries(self.slot / name, where)


def unload(warm: Warm, request: SandboxRequest) -> None:
    """``warm.unload``; a failure is logged (the job's evidence is then missing, so its
    verdict is an error), never raised into the runner."""
    try:
        warm.unload(request)
    except OSError as e:
        log.warning("job directories not restored from a warm slot", error=str(e))


def _move_entries(source: Path, target: Path) -> None:
    for entry in os.scandir(source):
        os.rename(entry.path, target / entry.name)


def eligible(request: SandboxRequest, base: Path) -> bool:
    """A request a warm container can run: no services namespace to join, an argv ``env``
    reads as a command, directories on the pool's filesystem (renames, not copies)."""
    if request.network or not request.argv or "=" in request.argv[0]:
        return False
    try:
        return all(getattr(request, d).stat().st_dev == base.stat().st_dev for d in DIRS)
    except OSError:
        return False


def open_when_read(fifo: Path, timeout_s: float) -> int:
    """The FIFO's write end, once the waiter has opened its read end."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if time.monotonic() > deadline:
                raise OSError(f"the waiter did not open {fifo} within {timeout_s:g} s") from e
            time.sleep(0.01)



def start_warm(api: Any, shape: Shape, slot: Path, user: tuple[int, int],
               labels: dict[str, str]) -> str:
    """Create a parked container over ``slot`` with the sandbox's hardening (``user`` is
    the sandbox's (uid, tmp MB)) and ``labels``, start it, return its id."""
    uid, tmp_mb = user
    parked = SandboxRequest(
        name=labels["seamq.name"], workspace=slot / "workspace", outputs=slot / "outputs",
        support=slot / "support", argv=WAITER, env={}, timeout_s=POOL_TTL_S,
        limits=shape.limits, image=shape.image)
    host = host_config_kwargs(parked, tmp_mb)
    host["mounts"].append(Mount(CONTROL, str((slot / "control").resolve()), "bind", True))
    kwargs = container_kwargs(parked, container_name(parked.name), uid,
                              {**labels, POOL_LABEL: "1"}, api.create_host_config(**host))
    container_id = str(api.create_container(shape.image, **kwargs)["Id"])
    try:
        api.start(container_id)
    except ENGINE_ERRORS:
        remove(api, container_id)
        raise
    return container_id
