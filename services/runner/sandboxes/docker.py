"""The ``docker`` sandbox: one fresh, hardened container per request, on the docker SDK.

Each request gets a container named after it (so a redelivered job meets its twin by
name) from the run's image, created with the arguments in ``hardening.py``: no network
(only the loopback it shares with the job's services when its seams need them,
``services.py``), a read-only root, a non-root uid without capabilities, limits, and
exactly the request's environment. With ``warm=K`` the container was started before the
request came (``warm.py``: same hardening, used once) and is removed in the background.

The workspace and support directories are bind-mounted read-only, the outputs directory
read-write; the sandbox adds the permission bits the container's uid needs to those
per-job trees. Bind mounts name host paths: a runner that itself runs in a container must
see its work directory at the same path as the engine does. The deadline is the runner's
own clock: the container is killed when it passes, and removed whatever happened.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import docker
import docker.errors

from services.runner.sandboxes.base import (
    Mounts,
    Sandbox,
    SandboxOutcome,
    SandboxRequest,
    cap_output,
)
from services.runner.sandboxes.environment import EnvironmentBuilder
from services.runner.sandboxes.exits import PidsWatch, classify, wait_or_kill
from services.runner.sandboxes.hardening import (
    MOUNTS,
    NOBODY,
    container_kwargs,
    host_config_kwargs,
    prepare_dirs,
)
from services.runner.sandboxes.reaper import (
    DEADLINE_LABEL,
    ENGINE_ERRORS,
    INSTANCE_LABEL,
    RunnerIdentity,
    Running,
    clear_twin,
    container_name,
    job_labels,
    remove,
)
from services.runner.sandboxes.reaper import reap as reap
from services.runner.sandboxes.services import JobServices, ServiceSession
from services.runner.sandboxes.warm import Warm, WarmPool, unload
from shared.contract import EnvironmentUse, ExecutionSpec, ServiceSpec
from shared.errors import SandboxError

DEFAULT_IMAGE = "seamq-sandbox:latest"
_KILL_WAIT_S = 30.0


class DockerSandbox(Sandbox):
    """Runs each request in a new container and removes it once the results are read.

    A twin (a container already bearing the request's name, from a redelivery) is removed
    when it has finished, its runner is gone or this sandbox made it for a run now over; a
    live twin makes the run an infrastructure failure rather than a second copy of the job.
    ``pull`` allows one pull of a missing image (off by default: no registry is assumed).
    The default uid 65534 (``nobody``) needs no entry in the image's ``/etc/passwd``; a
    runner that is not root should pass its own uid so that it can delete what the tests
    leave in outputs. ``warm``: started containers kept ready (``warm.py``; 0: none).
    """

    kind = "docker"
    python = "python3"

    def __init__(
        self,
        client: Any = None,
        default_image: str = DEFAULT_IMAGE,
        uid: int = NOBODY,
        *,
        pull: bool = False,
        tmp_mb: int = 256,
        warm: int = 0,
    ) -> None:
        self._owns_client = client is None
        self.client = docker.from_env(max_pool_size=64) if client is None else client
        self.default_image = default_image
        self.uid = uid
        self.pull = pull
        self.tmp_mb = tmp_mb
        self.identity = RunnerIdentity.current()
        self.instance = uuid.uuid4().hex
        self._closed = False
        self._running = Running()
        self.builder = EnvironmentBuilder(self.client)
        self.warm, self.warm_wait_s = warm, 0.0
        self._pool = WarmPool(self.client.api, warm, (uid, tmp_mb), {
            **self.identity.labels(), INSTANCE_LABEL: self.instance}) if warm > 0 else None

    def mounts(self, request_dirs: tuple[Path, Path, Path]) -> Mounts:
        return MOUNTS

    def run(self, request: SandboxRequest) -> SandboxOutcome:
        with self._running.claim(container_name(request.name)) as twin:
            return (SandboxOutcome(exit_code=None, output="", duration_s=0.0, reason=twin,
                                   failure="infrastructure") if twin else self._run(request))

    def _run(self, request: SandboxRequest) -> SandboxOutcome:
        started = time.monotonic()
        warm = self._take_warm(request)
        if warm is not None:
            outcome = self._run_warm(warm, request, started)
            if outcome is not None:
                return outcome
        container_id: str | None = None
        try:
            clear_twin(self.client.api, container_name(request.name), self.instance)
            container_id = self._create(request)
            self.client.api.start(container_id)
            return self._finish(container_id, request, time.monotonic() - started)
        except SandboxError as e:
            reason = str(e)
        except ENGINE_ERRORS as e:
            reason = self._engine_failure(e)
        finally:
            if container_id is not None:
                self._remove(container_id)
        return SandboxOutcome(exit_code=None, output="", duration_s=time.monotonic() - started,
                              failure="infrastructure", reason=reason)

    def _engine_failure(self, error: Exception) -> str:
        return ("interrupted: the sandbox was closed while the job ran" if self._closed
                else f"docker engine error: {error}")

    def _remove(self, container_id: str) -> None:
        """Remove a used container: in the background when the sandbox keeps warm ones."""
        if self._pool is not None and not self._closed:
            self._pool.remove_later(container_id)
        else:
            remove(self.client.api, container_id)

    def _take_warm(self, request: SandboxRequest) -> Warm | None:
        if self._pool is None or self._closed:
            return None
        return self._pool.take(request, request.image or self.default_image,
                               time.time() + request.timeout_s + _KILL_WAIT_S, self.warm_wait_s)

    def _run_warm(self, warm: Warm, request: SandboxRequest, started: float
                  ) -> SandboxOutcome | None:
        """Run in a warm container; None when it could not take the job (the waiter or the
        container is gone: a fresh container runs it)."""
        assert self._pool is not None
        loaded = released = False
        try:
            clear_twin(self.client.api, container_name(request.name), self.instance)
            prepare_dirs(request)
            self.client.api.rename(warm.container_id, container_name(request.name))
            loaded = True  # from here on, whatever was moved in is moved back
            warm.load(request)
            warm.release()
            released = True
            return self._finish(warm.container_id, request, time.monotonic() - started)
        except SandboxError as e:
            reason = str(e)
        except ENGINE_ERRORS as e:
            if not released:
                return None
            reason = self._engine_failure(e)
        except OSError:
            if released:
                raise
            return None
        finally:
            if loaded:
                unload(warm, request)
            self._pool.discard(warm)
        return SandboxOutcome(exit_code=None, output="", duration_s=time.monotonic() - started,
                              failure="infrastructure", reason=reason)

    def environment(self, project: Path, spec: ExecutionSpec,
                    run_id: str = "") -> EnvironmentUse | None:
        if spec.environment is None:
            return None
        return self.builder.ensure(project, spec.environment, spec.image or self.default_image,
                                   run_id)

    @contextmanager
    def services(self, specs: Sequence[ServiceSpec], name: str, labels: dict[str, str],
                 timeout_s: float) -> Iterator[ServiceSession]:
        """Fresh service containers in a private loopback-only namespace, for one job that
        may run ``timeout_s`` once they are ready."""
        if not specs:
            yield ServiceSession()
            return
        deadline = time.time() + sum(s.ready_timeout_s for s in specs) + timeout_s
        job = JobServices(self.client.api, specs, name, self._labels(name, deadline, labels))
        try:
            try:
                session = job.start()
            except ENGINE_ERRORS as e:
                raise SandboxError(f"services could not be started: docker engine error: "
                                   f"{e}") from e
            yield session
        finally:
            job.close()

    def close(self) -> None:
        """Remove this sandbox's containers, services included (runs still waiting end as
        infrastructure failures: used on interrupt), and close the client it made."""
        self._closed = True
        if self._pool is not None:
            self._pool.close()
        try:
            found = self.client.api.containers(
                all=True, filters={"label": f"{INSTANCE_LABEL}={self.instance}"})
        except ENGINE_ERRORS:
            found = []  # nothing more can be done through this engine: the reaper will
        for container in found:
            remove(self.client.api, container["Id"])
        if self._owns_client:
            self.client.close()

    def _create(self, request: SandboxRequest) -> str:
        prepare_dirs(request)
        image = request.image or self.default_image
        kwargs = self._container_config(request)
        try:
            created = self.client.api.create_container(image, **kwargs)
        except docker.errors.ImageNotFound:
            if not self.pull:
                raise SandboxError(f"image '{image}' not found locally; build or load it "
                                   "(no registry is used)") from None
            self._pull(image)
            created = self.client.api.create_container(image, **kwargs)
        except docker.errors.APIError as e:
            if e.status_code == 409:
                raise SandboxError(f"container {kwargs['name']} already exists: a twin of "
                                   "this job was started meanwhile") from e
            raise
        return str(created["Id"])

    def _container_config(self, request: SandboxRequest) -> dict[str, Any]:
        host_config = self.client.api.create_host_config(
            **host_config_kwargs(request, self.tmp_mb))
        labels = self._labels(request.name, time.time() + request.timeout_s, request.labels)
        return container_kwargs(request, container_name(request.name), self.uid, labels,
                                host_config)

    def _labels(self, name: str, deadline: float, labels: dict[str, str]) -> dict[str, str]:
        return {**self.identity.labels(), DEADLINE_LABEL: str(int(deadline + _KILL_WAIT_S)),
                "seamq.name": name[:500], INSTANCE_LABEL: self.instance, **job_labels(labels)}

    def _pull(self, image: str) -> None:
        try:
            self.client.images.pull(image)
        except ENGINE_ERRORS as e:
            raise SandboxError(f"image '{image}' not found locally and the pull failed: "
                               f"{e}") from e

    def _finish(self, container_id: str, request: SandboxRequest, start_s: float
                ) -> SandboxOutcome:
        api = self.client.api
        watch = PidsWatch(api, container_id)
        running_since = time.monotonic()
        try:
            exit_code, timed_out = wait_or_kill(api, container_id, request.timeout_s,
                                                 _KILL_WAIT_S)
        finally:
            watch.stop()
        duration = time.monotonic() - running_since
        state = api.inspect_container(container_id)["State"]
        raw = api.logs(container_id, stdout=True, stderr=True)
        failure, reason = classify(request, exit_code, timed_out, bool(state.get("OOMKilled")),
                                   watch.peak, raw)
        return SandboxOutcome(exit_code=None if timed_out else exit_code,
                              output=cap_output(raw), duration_s=duration, failure=failure,
                              reason=reason, start_s=start_s)
