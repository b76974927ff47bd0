"""A job's real services: the service containers on a private network, their readiness,
and removing all of it afterwards.

The private network is a network namespace with nothing but loopback: the first service
is created with ``network=none`` and the other services and the job's test containers
join its namespace (``container:<id>``). A docker ``internal`` network is not enough: its
containers keep a route to the bridge's gateway, so they reach every port the host
listens on (RabbitMQ's 5672 among them). Each service's name maps to 127.0.0.1 in the
namespace's shared ``/etc/hosts``, which is what ``{host}`` in ``tests_env`` becomes; two
services of one job therefore cannot listen on the same port.

Each job gets its own services, so two jobs running at once never share an instance.
The containers carry the same labels as sandbox containers, so the reaper removes what a
crashed runner left behind. Services are hardened as far as a server allows: no
capabilities, ``no-new-privileges``, a read-only root with tmpfs for ``/tmp``, ``/run``
and the paths the service names, pids and memory limits; they run as their image's user.
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
    """What a job's test processes need from its services: the network mode to run with
    (``container:<id>``) and the variables they get; ``started`` is for the report."""

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


def host_config_kwargs(spec: ServiceSpec, network: str, hosts: dict[str, str]
                      ) -> dict[str, Any]:
    """Arguments for ``create_host_config`` of one service container (``hosts`` only for
    the namespace's first container: the others share its ``/etc/hosts``)."""
    tmpfs = {"/tmp": SERVICE_TMPFS, "/run": SERVICE_TMPFS}
    tmpfs.update({path: SERVICE_TMPFS for path in spec.tmpfs})
    return {
        "network_mode": network,
        **({"extra_hosts": hosts} if hosts else {}),
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
    """Starts one job's services in a fresh loopback-only namespace; ``close`` removes them."""

    def __init__(self, api: Any, specs: Sequence[ServiceSpec], name: str,
                 labels: dict[str, str]) -> None:
        self.api = api
        self.specs = list(specs)
        self.labels = labels
        # A random suffix: a redelivered job's twin may still hold the job's names.
        suffix = uuid.uuid4().hex[:8]
        self.names = {s.name: container_name(f"{name}-{s.name}-{suffix}") for s in specs}
        self.containers: dict[str, str] = {}
        self.network = ""

    def start(self) -> ServiceSession:
        """Start every service (the first owns the namespace), then wait for each."""
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
        """Remove the containers, the namespace's owner last; failures are left to the
        reaper."""
        for container_id in reversed(self.containers.values()):
            remove(self.api, container_id)

    def _create(self, spec: ServiceSpec) -> str:
        api = self.api
        first = not self.network
        hosts = {s.name: "127.0.0.1" for s in self.specs} if first else {}
        network = "none" if first else self.network
        try:
            created = api.create_container(
                spec.image, command=list(spec.command) or None, name=self.names[spec.name],
                environment=dict(spec.env), hostname=spec.name if first else None,
                labels={**self.labels, ROLE_LABEL: "service", "seamq.service": spec.name},
                host_config=api.create_host_config(**host_config_kwargs(spec, network, hosts)))
        except docker.errors.ImageNotFound:
            raise SandboxError(f"service {spec.name}: image '{spec.image}' not found locally; "
                               "build or load it (deploy/provision.sh images builds "
                               "seamq-postgres:15 and seamq-redis:7)") from None
        if first:
            self.network = f"container:{created['Id']}"
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
