"""Choose a run's sandbox: ``docker``, ``local``, or ``auto`` (docker when it can be used).

``auto`` takes docker when an engine answers within a couple of seconds and the run's image
is present locally, and otherwise falls back to ``local`` with a one-line notice, because
local isolation is much weaker. Choosing docker also reaps containers that a crashed
runner left behind on the engine.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

import docker
import docker.errors
import requests.exceptions
import structlog

from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.docker import DEFAULT_IMAGE, DockerSandbox
from services.runner.sandboxes.reaper import ENGINE_ERRORS, reap
from shared.errors import SandboxError, UsageError

PROBE_TIMEOUT_S = 2.0
WARM_CONTAINERS = 2  # started ahead of the jobs (warm.py): a runner's default concurrency
KINDS = ("auto", "docker", "local")

log = structlog.get_logger("seamq.runner")


def engine_address() -> str:
    """Where the docker SDK looks for an engine (``DOCKER_HOST`` or the default socket)."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def _socket_answers(address: str, timeout_s: float) -> str:
    """'' when a unix socket accepts a connection, else why not. The SDK leaks the socket
    of a failed unix connect, so the common no-engine case is answered here first."""
    if not address.startswith("unix://"):
        return ""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout_s)
        try:
            probe.connect(address.removeprefix("unix://"))
        except OSError as e:
            return str(e)
    return ""


def probe_engine(timeout_s: float = PROBE_TIMEOUT_S) -> tuple[Any, str]:
    """A client (short timeouts: for probing only) whose engine answered, or None and why."""
    refused = _socket_answers(engine_address(), timeout_s)
    if refused:
        return None, refused
    client = None
    try:
        client = docker.from_env(timeout=timeout_s)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
        if client is not None:
            client.close()
        return None, str(e)
    return client, ""


def _image_present(client: Any, image: str) -> bool:
    try:
        client.api.inspect_image(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def _docker(probe: Any) -> DockerSandbox:
    """A docker sandbox with its own client, after reaping what crashed runners left."""
    try:
        reaped = reap(probe)
    except ENGINE_ERRORS as e:
        log.warning("could not reap leftover sandbox containers", error=str(e))
    else:
        if reaped:
            log.info("reaped leftover sandbox containers", containers=reaped)
    finally:
        probe.close()
    return DockerSandbox(warm=WARM_CONTAINERS)


def _local(why: str) -> Sandbox:
    """A local sandbox; its detail says who the tests run as, then ``why``."""
    from services.runner.sandboxes.local import LocalSandbox

    sandbox = LocalSandbox()
    return _chosen(sandbox, f"local ({sandbox.run_as.detail}): {why}")


def choose_sandbox(kind: str, image: str, notice: Callable[[str], None]) -> Sandbox:
    """The sandbox for ``--sandbox KIND`` and ``--image IMAGE`` ('' is seamq's own image).

    ``docker`` without an engine is a ``SandboxError``; a missing image is not: each job
    then reports it as an infrastructure error.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown sandbox {kind!r} (choose from {', '.join(KINDS)})")
    if kind == "local":
        return _local("asked for with --sandbox local (weaker isolation)")
    client, error = probe_engine()
    why = f"no Docker engine answered at {engine_address()}"
    if kind == "docker":
        if client is None:
            raise SandboxError(f"--sandbox docker: {why} ({error})")
        return _chosen(_docker(client), f"docker: asked for with --sandbox docker, image "
                       f"{image or DEFAULT_IMAGE}")
    wanted = image or DEFAULT_IMAGE
    if client is not None:
        try:
            if _image_present(client, wanted):
                return _chosen(_docker(client), f"docker: auto found the engine and image "
                               f"{wanted}")
            how = "deploy/provision.sh images" if wanted == DEFAULT_IMAGE else "build or load it"
            why = f"image '{wanted}' not found locally ({how})"
        except ENGINE_ERRORS as e:
            why = f"the Docker engine at {engine_address()} failed: {e}"
        client.close()
    reason = why.splitlines()[0]
    notice(f"seamq: sandbox auto -> local ({reason}); local is weaker isolation")
    return _local(f"auto fell back because {reason} (weaker isolation)")


def _chosen(sandbox: Sandbox, detail: str) -> Sandbox:
    sandbox.detail = detail
    return sandbox
