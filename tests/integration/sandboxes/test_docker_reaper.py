"""Containers the docker sandbox did not start this time: a redelivered job's twin, and what
dead or late runners left behind for the reaper."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.docker import DockerSandbox, reap
from services.runner.sandboxes.reaper import DEADLINE_LABEL, container_name

from .support import make_request

pytestmark = pytest.mark.docker


def _start_labelled(client: Any, image: str, name: str, labels: dict[str, str]) -> str:
    created = client.api.create_container(image, ["sleep", "300"], name=name, labels=labels)
    client.api.start(created["Id"])
    return str(created["Id"])


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_finished_twin_is_replaced(
    docker_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "true", name="redelivered-job")
    docker_client.api.create_container(docker_sandbox.default_image, "true",
                                       name=container_name(request.name))

    outcome = docker_sandbox.run(request)

    assert (outcome.exit_code, outcome.failure) == (0, None)
    assert not docker_client.api.containers(all=True,
                                            filters={"name": container_name(request.name)})


def test_a_live_twin_is_refused(
    docker_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "true", name="busy-job")
    labels = {**docker_sandbox.identity.labels(), DEADLINE_LABEL: str(time.time() + 600)}
    twin = _start_labelled(docker_client, docker_sandbox.default_image,
                           container_name(request.name), labels)

    try:
        outcome = docker_sandbox.run(request)
    finally:
        docker_client.api.remove_container(twin, force=True)

    assert outcome.failure == "infrastructure"
    assert "not starting a twin" in outcome.reason


def test_reaper_removes_what_a_dead_runner_left_but_spares_live_runners(
    docker_sandbox: DockerSandbox, docker_client: Any
) -> None:
    image, host, future = docker_sandbox.default_image, socket.gethostname(), time.time() + 600
    dead = {"seamq": "1", "seamq.runner": f"{host}/{_dead_pid()}", DEADLINE_LABEL: str(future)}
    expired = {"seamq": "1", "seamq.runner": "elsewhere/1", DEADLINE_LABEL: str(time.time() - 99)}
    live = {**docker_sandbox.identity.labels(), DEADLINE_LABEL: str(future)}
    _start_labelled(docker_client, image, "seamq-reap-dead", dead)
    _start_labelled(docker_client, image, "seamq-reap-expired", expired)
    _start_labelled(docker_client, image, "seamq-reap-live", live)

    try:
        removed = reap(docker_client)
    finally:
        own = reap(docker_client, runner_id=docker_sandbox.identity.runner_id)

    assert {"seamq-reap-dead", "seamq-reap-expired"} <= set(removed)
    assert "seamq-reap-live" not in removed
    assert own == ["seamq-reap-live"]
