"""The sandbox contract against the ``docker`` sandbox, and its containers: names, labels,
images. Hardening, twins and the reaper have their own modules."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.docker import DockerSandbox
from services.runner.sandboxes.reaper import DEADLINE_LABEL, container_name
from tests.integration.conftest import SANDBOX_IMAGE, sandbox_containers

from .base_suite import SandboxSuite
from .support import make_request, run_until_up

pytestmark = pytest.mark.docker


class TestDockerSandbox(SandboxSuite):
    added_env = frozenset({"PATH", "HOME", "LANG", "HOSTNAME"})
    fixed_env = {"HOME": "/tmp", "LANG": "C.UTF-8"}
    segv_reason = "killed by SIGSEGV (exit 139)"
    memory_flood_ends = ("oom", 137, None)
    close_in_flight_ends = ("infrastructure",
                            "interrupted: the sandbox was closed while the job ran")

    @pytest.fixture
    def sandbox(self, docker_sandbox: DockerSandbox) -> DockerSandbox:
        return docker_sandbox

    def still_running(self, sandbox: Sandbox, outputs: Path) -> bool:
        assert isinstance(sandbox, DockerSandbox)
        return bool(sandbox_containers(sandbox.client, sandbox))

    def factory(self, sandbox: Sandbox) -> str:
        return f"DockerSandbox(default_image={SANDBOX_IMAGE!r})"

    def skip_unless_another_user(self, sandbox: Sandbox) -> None:
        """Containers always run as a non-root uid."""


def test_container_names_are_valid_deterministic_and_distinct() -> None:
    names = [container_name(n) for n in ("run/1 seam:2", "run/1 seam:2", "run/1 seam;2", "é")]

    assert all(re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", n) for n in names)
    assert names[0] == names[1] != names[2]


def test_a_running_container_carries_its_name_and_labels(
    docker_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "sleep", "3", name="run-7/seam-2", labels={"job": "j-9"})
    name, outcome = run_until_up(docker_client, docker_sandbox, request, 10)

    labels = docker_client.api.inspect_container(name)["Config"]["Labels"]
    done = outcome()

    assert labels["seamq"] == "1"
    assert labels["seamq.job"] == "j-9"
    assert labels["seamq.runner"] == f"{socket.gethostname()}/{docker_sandbox.identity.pid}"
    assert float(labels[DEADLINE_LABEL]) > time.time()
    assert done.exit_code == 0


def test_a_missing_image_is_an_infrastructure_failure(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    outcome = docker_sandbox.run(make_request(tmp_path, "true", image="seamq-missing:never"))

    assert outcome.failure == "infrastructure"
    assert outcome.reason == ("image 'seamq-missing:never' not found locally; build or load it "
                              "(no registry is used)")
