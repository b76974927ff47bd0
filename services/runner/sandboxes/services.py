"""A job's real services: a private internal network, the service containers on it, their
readiness, and removing all of it afterwards.

Each job gets its own network (``internal``: no route out, not to the host either) and its
own service containers, so two jobs running at once never share an instance. A service is
found by its name on that network, which is what ``{host}`` in ``tests_env`` becomes.
Containers and the network carry the same labels as sandbox containers, so the reaper
removes what a crashed runner left behind. Services are hardened as far as a server
allows: no capabilities, ``no-new-privileges``, a read-only root with tmpfs for ``/tmp``,
``/run`` and the paths the service names, pids and memory limits; they run as their
image's user.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import docker.errors
from docker.types import LogConfig

from services.runner.sandboxes.reaper import ENGINE_ERRORS, container_name, remove
from shared.contract import ServiceSpec, ServiceStart
from shared.errors import SandboxError

SERVICE_MEMORY_MB = 1_024
SERVICE_PIDS = 512
SERVICE_TMPFS = "rw,nosuid,nodev,size=512m"
LOG_LINES = 20
FIRST_DELAY_S, MAX_DELAY_S = 0.05, 1.0
ROLE_LABEL = "seamq.role"


@dataclass(frozen=True)
class ServiceSession:
    """What a job's test processes need from its services: the network to join and the
    variables they get; ``started`` is for the report."""

    network: str = ""
    tests_env: dict[str, str] = field(default_factory=dict)
    started: tuple[ServiceStart, ...] = ()


class ServiceNotReady(SandboxError):
    """A service did not become ready in time, or exited; the message ends with its logs."""


def tests_env(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """Every service's ``tests_env`` with ``{host}`` replaced by the service's name."""
    env: dict[str, str] = {}
    for spec in specs:
        env.update({k: v.replace("{host}", spec.name) for k, v in spec.tests_env.items()})
    return env


def host_config_kwargs(spec: ServiceSpec, network: str) -> dict[str, Any]:
    """Arguments for ``create_host_config`` of one service container."""
    tmpfs = {"/tmp": SERVICE_TMPFS, "/run": SERVICE_TMPFS}
    tmpfs.update({path: SERVICE_TMPFS for path in spec.tmpfs})
    return {
        "network_mode": network,
        "read_only": True,
        "tmpfs": tmpfs,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "pids_limit": SERVICE_PIDS,
        "mem_limit": f"{SERVICE_MEMORY_MB}m",
        "memswap_limit": f"{SERVICE_MEMORY_MB}m",
        "shm_size": 128 * 1024 * 1024,
        "init": True,
        "log_config": LogConfig(type="json-file", config={"max-size": "1m", "max-file": "2"}),
    }


class JobServices:
    """Starts one job's services on a fresh internal network; ``close`` removes them."""

    def __init__(self, api: Any, specs: Sequence[ServiceSpec], name: str,
                 labels: dict[str, str]) -> None:
        self.api = api
        self.specs = list(specs)
        self.labels = labels
        # A random suffix: a redelivered job's twin may still hold the job's names.
        suffix = uuid.uuid4().hex[:8]
        self.network = container_name(f"{name}-net-{suffix}")
        self.names = {s.name: container_name(f"{name}-{s.name}-{suffix}") for s in specs}
        self.containers: dict[str, str] = {}
        self._network_id: str | None = None

    def start(self) -> ServiceSession:
        """Create the network, start every service, then wait until each is ready."""
        created = self.api.create_network(
            self.network, driver="bridge", internal=True, check_duplicate=True,
            labels={**self.labels, ROLE_LABEL: "network"})
        self._network_id = str(created["Id"])
        begun: dict[str, float] = {}
        for spec in self.specs:
            self.containers[spec.name] = self._create(spec)
            begun[spec.name] = time.monotonic()
            self.api.start(self.containers[spec.name])
        started = []
        for spec in self.specs:
            self._wait_ready(spec, begun[spec.name])
            started.append(ServiceStart(name=spec.name, image=spec.image,
                                        startup_s=round(time.monotonic() - begun[spec.name], 3)))
        return ServiceSession(network=self.network, tests_env=tests_env(self.specs),
                              started=tuple(started))

    def close(self) -> None:
        """Remove the containers, then the network; failures are left to the reaper."""
        for container_id in self.containers.values():
            remove(self.api, container_id)
        if self._network_id is not None:
            try:
                self.api.remove_network(self._network_id)
            except docker.errors.NotFound:
                pass
            except ENGINE_ERRORS:
                pass  # still in use or the engine is busy: its labels let the reaper finish

    def _create(self, spec: ServiceSpec) -> str:
        api = self.api
        networking = api.create_networking_config(
            {self.network: api.create_endpoint_config(aliases=[spec.name])})
        try:
            created = api.create_container(
                spec.image, command=list(spec.command) or None, name=self.names[spec.name],
                environment=dict(spec.env), hostname=spec.name,
                labels={**self.labels, ROLE_LABEL: "service", "seamq.service": spec.name},
                host_config=api.create_host_config(**host_config_kwargs(spec, self.network)),
                networking_config=networking)
        except docker.errors.ImageNotFound:
            raise SandboxError(f"service {spec.name}: image '{spec.image}' not found locally; "
                               "build or load it (deploy/provision.sh images builds "
                               "seamq-postgres:15 and seamq-redis:7)") from None
        return str(created["Id"])

    def _wait_ready(self, spec: ServiceSpec, begun: float) -> None:
        """Probe with backoff until ready; ``ServiceNotReady`` at the timeout or an exit."""
        container_id = self.containers[spec.name]
        delay = FIRST_DELAY_S
        while True:
            state = self.api.inspect_container(container_id)["State"]
            if state.get("Status") not in ("running", "created"):
                raise self._not_ready(spec, f"service {spec.name} exited with code "
                                      f"{state.get('ExitCode')} before it was ready")
            if state.get("Status") == "running" and self._probe(spec, container_id):
                return
            if time.monotonic() - begun >= spec.ready_timeout_s:
                raise self._not_ready(spec, f"service {spec.name} not ready after "
                                      f"{spec.ready_timeout_s:g} s")
            time.sleep(delay)
            delay = min(MAX_DELAY_S, delay * 2)

    def _probe(self, spec: ServiceSpec, container_id: str) -> bool:
        if spec.ready_tcp is not None:
            # Through the service's own name, so it must listen where the tests connect.
            argv = ["bash", "-c", f"exec 3<>/dev/tcp/{spec.name}/{spec.ready_tcp}"]
        elif spec.ready_cmd:
            argv = list(spec.ready_cmd)
        else:
            return True
        try:
            exec_id = self.api.exec_create(container_id, argv, stdout=True, stderr=True)["Id"]
            self.api.exec_start(exec_id)
            code: int | None = self.api.exec_inspect(exec_id).get("ExitCode")
        except docker.errors.APIError as e:
            if e.status_code == 409:
                return False  # stopped between the inspect and the exec: seen next round
            raise
        return code == 0

    def _not_ready(self, spec: ServiceSpec, why: str) -> ServiceNotReady:
        try:
            raw = self.api.logs(self.containers[spec.name], stdout=True, stderr=True,
                                tail=LOG_LINES)
            logs = raw.decode("utf-8", "replace").rstrip()
        except ENGINE_ERRORS as e:
            logs = f"(logs unavailable: {e})"
        return ServiceNotReady(f"{why}; its last log lines:\n{logs}" if logs
                               else f"{why} (it wrote no log)")
