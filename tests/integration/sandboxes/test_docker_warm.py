"""The docker sandbox with warm containers (``warm.py``): the whole sandbox contract again,
over containers started before their job (the hostile probes run on both kinds in
``test_docker_hardening.py``); each used once; their names, labels, twins and the reaper."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.base import Sandbox, SandboxRequest
from services.runner.sandboxes.docker import DockerSandbox, reap
from services.runner.sandboxes.reaper import (
    DEADLINE_LABEL,
    INSTANCE_LABEL,
    RUNNER_LABEL,
    container_name,
)
from services.runner.sandboxes.warm import POOL_LABEL
from tests.integration.conftest import SANDBOX_IMAGE, sandbox_containers

from .base_suite import SandboxSuite
from .support import make_request, python_request, run_until_up

pytestmark = pytest.mark.docker


@pytest.fixture
def warm_sandbox(docker_client: Any) -> Iterator[DockerSandbox]:
    """A sandbox whose every request waits for a warm container of its shape, so that
    only warm runs are seen; closed after the test, leaving nothing behind."""
    # Its own client: the probing one has 2 s timeouts, short for a start in the background.
    sandbox = DockerSandbox(default_image=SANDBOX_IMAGE, warm=1)
    sandbox.warm_wait_s = 60.0
    yield sandbox
    sandbox.close()
    assert sandbox_containers(docker_client, sandbox) == []


class TestWarmDockerSandbox(SandboxSuite):
    added_env = frozenset({"PATH", "HOME", "LANG", "HOSTNAME"})
    fixed_env = {"HOME": "/tmp", "LANG": "C.UTF-8", "HOSTNAME": "sandbox"}
    segv_reason = "killed by SIGSEGV (exit 139)"
    memory_flood_ends = ("oom", 137, None)
    close_in_flight_ends = ("infrastructure",
                            "interrupted: the sandbox was closed while the job ran")

    @pytest.fixture
    def sandbox(self, warm_sandbox: DockerSandbox) -> Iterator[DockerSandbox]:
        yield warm_sandbox
        assert warm_sandbox._pool is not None
        if not getattr(self, "skipped", False):
            assert warm_sandbox._pool.taken >= 1

    def factory(self, sandbox: Sandbox) -> str:
        return f"DockerSandbox(default_image={SANDBOX_IMAGE!r}, warm=1)"

    def skip_unless_another_user(self, sandbox: Sandbox) -> None:
        self.skipped = True
        pytest.skip("runs in another process, outside this warm pool; the same checks run "
                    "on fresh containers (TestDockerSandbox) with the same hardening")

    def still_running(self, sandbox: Sandbox, request: SandboxRequest) -> bool:
        assert isinstance(sandbox, DockerSandbox)
        return bool(sandbox.client.api.containers(
            all=True, filters={"name": container_name(request.name)}))


def test_a_warm_container_serves_one_job_only(
    warm_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    mark = "import os; print(os.path.exists('/tmp/mark')); open('/tmp/mark', 'w').close()"
    first = warm_sandbox.run(python_request(warm_sandbox, tmp_path / "a", mark, name="w-a"))
    second = warm_sandbox.run(python_request(warm_sandbox, tmp_path / "b", mark, name="w-b"))

    assert (first.output, second.output) == ("False\n", "False\n")
    assert warm_sandbox._pool is not None
    assert warm_sandbox._pool.taken == 2


def test_a_taken_container_bears_the_jobs_name_and_the_runners_labels(
    warm_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "sleep", "3", name="run-8/seam-1")
    name, outcome = run_until_up(docker_client, warm_sandbox, request, 30)

    labels = docker_client.api.inspect_container(name)["Config"]["Labels"]
    done = outcome()

    assert labels[RUNNER_LABEL] == f"{socket.gethostname()}/{warm_sandbox.identity.pid}"
    assert labels[POOL_LABEL] == "1"
    assert float(labels[DEADLINE_LABEL]) > time.time() + request.timeout_s
    assert done.exit_code == 0


def test_a_live_twin_is_refused_before_a_warm_container_is_used(
    warm_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "true", name="busy-warm-job")
    labels = {**warm_sandbox.identity.labels(), DEADLINE_LABEL: str(time.time() + 600)}
    twin = docker_client.api.create_container(SANDBOX_IMAGE, ["sleep", "300"],
                                              name=container_name(request.name), labels=labels)
    docker_client.api.start(twin["Id"])
    try:
        outcome = warm_sandbox.run(request)
    finally:
        docker_client.api.remove_container(twin["Id"], force=True)

    assert outcome.failure == "infrastructure"
    assert "not starting a twin" in outcome.reason


def test_the_same_job_again_runs_though_its_last_container_is_still_up(
    warm_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    # A used container is removed in the background: a redelivered job (same name) on the
    # same runner can meet it still up. It is this sandbox's own and its run is over: it
    # goes, and the job runs (a live twin of another runner is refused: test above).
    request = make_request(tmp_path, "true", name="again-job")
    labels = {**warm_sandbox.identity.labels(), DEADLINE_LABEL: str(time.time() + 600),
              INSTANCE_LABEL: warm_sandbox.instance}
    used = docker_client.api.create_container(SANDBOX_IMAGE, ["sleep", "300"],
                                              name=container_name(request.name), labels=labels)
    docker_client.api.start(used["Id"])

    outcomes = [warm_sandbox.run(request) for _ in range(3)]

    assert [(o.failure, o.exit_code, o.reason) for o in outcomes] == [(None, 0, "")] * 3


def test_the_same_job_twice_at_once_on_one_sandbox_runs_once(
    warm_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    first = make_request(tmp_path / "a", "sleep", "4", name="twice-job")
    _, outcome = run_until_up(docker_client, warm_sandbox, first, 30)

    second = warm_sandbox.run(make_request(tmp_path / "b", "true", name="twice-job"))
    done = outcome()

    assert (second.failure, second.exit_code) == ("infrastructure", None)
    assert "already running this job here" in second.reason
    assert (done.failure, done.exit_code) == (None, 0)


def test_the_reaper_removes_the_warm_containers_of_a_dead_runner(
    docker_client: Any, tmp_path: Path
) -> None:
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from services.runner.sandboxes.docker import DockerSandbox\n"
            "from services.runner.sandboxes.base import SandboxRequest\n"
            f"sandbox = DockerSandbox(default_image={SANDBOX_IMAGE!r}, warm=2)\n"
            f"base = Path({str(tmp_path)!r})\n"
            "for d in 'wos': (base / d).mkdir()\n"
            "sandbox.run(SandboxRequest(name='reap-warm', workspace=base / 'w', "
            "outputs=base / 'o', support=base / 's', argv=('true',), env={}, timeout_s=30))\n"
            "import time; time.sleep(8)\n"
            "print(sandbox.identity.runner_id)\n"
            "import os; os._exit(0)\n")  # dies without closing: its warm containers stay
    runner = subprocess.run(["python3", "-c", code], capture_output=True, text=True,
                            check=True, timeout=120, cwd=Path(__file__).resolve().parents[3])
    runner_id = runner.stdout.strip().splitlines()[-1]
    left = docker_client.api.containers(all=True, filters={"label": f"{RUNNER_LABEL}={runner_id}"})
    assert left, "the dead runner left no warm container to reap"

    removed = reap(docker_client)

    assert {str(c["Names"][0]).lstrip("/") for c in left} <= set(removed)
