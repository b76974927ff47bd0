"""The Docker sandbox on a real engine: outcomes, environment, names, twins and the reaper."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.base import SandboxOutcome, SandboxRequest
from services.runner.sandboxes.docker import DockerSandbox, reap
from services.runner.sandboxes.reaper import DEADLINE_LABEL, container_name

pytestmark = pytest.mark.docker


def make_request(tmp_path: Path, *argv: str, name: str = "", **kwargs: Any) -> SandboxRequest:
    dirs = [tmp_path / d for d in ("workspace", "outputs", "support")]
    for directory in dirs:
        directory.mkdir(exist_ok=True)
    return SandboxRequest(name=name or f"api-{tmp_path.name}", workspace=dirs[0],
                          outputs=dirs[1], support=dirs[2], argv=argv,
                          env=kwargs.pop("env", {}), timeout_s=kwargs.pop("timeout_s", 30.0),
                          **kwargs)


def test_a_command_runs_and_its_output_comes_back(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    outcome = docker_sandbox.run(make_request(tmp_path, "python3", "-c", "print('hello')"))
    assert (outcome.exit_code, outcome.failure, outcome.output) == (0, None, "hello\n")
    assert 0 < outcome.start_s < 10


def test_exit_codes_pass_through_unjudged(docker_sandbox: DockerSandbox, tmp_path: Path) -> None:
    outcome = docker_sandbox.run(make_request(tmp_path, "python3", "-c", "raise SystemExit(5)"))
    assert (outcome.exit_code, outcome.failure) == (5, None)


def test_death_by_signal_is_a_crash(docker_sandbox: DockerSandbox, tmp_path: Path) -> None:
    kill_self = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    outcome = docker_sandbox.run(make_request(tmp_path, "python3", "-c", kill_self))
    assert outcome.failure == "crash"
    assert outcome.reason == "killed by SIGSEGV (exit 139)"


def test_environment_is_the_request_plus_minimal_defaults(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    dump = "import json, os; print(json.dumps(dict(os.environ)))"
    outcome = docker_sandbox.run(make_request(tmp_path, "python3", "-c", dump, env={"A": "1"}))
    env = json.loads(outcome.output)
    assert set(env) == {"A", "PATH", "HOME", "LANG", "HOSTNAME"}
    assert (env["A"], env["HOME"], env["LANG"]) == ("1", "/tmp", "C.UTF-8")


def test_a_private_workspace_is_readable_by_the_sandbox_uid(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "python3", "-c", "print(open('secret.txt').read())")
    (request.workspace / "secret.txt").write_text("readable")
    (request.workspace / "secret.txt").chmod(0o600)
    request.workspace.chmod(0o700)
    outcome = docker_sandbox.run(request)
    assert (outcome.exit_code, outcome.output) == (0, "readable\n")


def test_container_names_are_valid_deterministic_and_distinct() -> None:
    names = [container_name(n) for n in ("run/1 seam:2", "run/1 seam:2", "run/1 seam;2", "é")]
    assert all(re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", n) for n in names)
    assert names[0] == names[1] != names[2]


def wait_running(client: Any, name: str, timeout_s: float = 10.0) -> None:
    """Return once the named container runs; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not client.api.containers(filters={"name": name, "status": "running"}):
        assert time.monotonic() < deadline, f"container {name} never ran"
        time.sleep(0.05)


def test_a_running_container_carries_its_name_and_labels(
    docker_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    request = make_request(tmp_path, "sleep", "3", name="run-7/seam-2", labels={"job": "j-9"})
    result: list[SandboxOutcome] = []
    worker = threading.Thread(target=lambda: result.append(docker_sandbox.run(request)))
    worker.start()
    name = container_name(request.name)
    wait_running(docker_client, name)
    labels = docker_client.api.inspect_container(name)["Config"]["Labels"]
    worker.join()
    assert labels["seamq"] == "1"
    assert labels["seamq.job"] == "j-9"
    assert labels["seamq.runner"] == f"{socket.gethostname()}/{docker_sandbox.identity.pid}"
    assert float(labels[DEADLINE_LABEL]) > time.time()
    assert result[0].exit_code == 0


def test_a_missing_image_is_an_infrastructure_failure(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    outcome = docker_sandbox.run(make_request(tmp_path, "true", image="seamq-missing:never"))
    assert outcome.failure == "infrastructure"
    assert outcome.reason == ("image 'seamq-missing:never' not found locally; build or load it "
                              "(no registry is used)")


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


def _start_labelled(client: Any, image: str, name: str, labels: dict[str, str]) -> str:
    created = client.api.create_container(image, ["sleep", "300"], name=name, labels=labels)
    client.api.start(created["Id"])
    return str(created["Id"])


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


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


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


def test_concurrent_requests_each_get_their_own_container(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    requests = []
    for i in range(4):
        (tmp_path / str(i)).mkdir()
        requests.append(make_request(tmp_path / str(i), "python3", "-c", f"print({i})",
                                     name=f"parallel-{tmp_path.name}-{i}"))
    results: dict[int, SandboxOutcome] = {}
    workers = [threading.Thread(target=lambda i=i: results.__setitem__(
        i, docker_sandbox.run(requests[i]))) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert {i: (r.exit_code, r.output) for i, r in results.items()} == {
        i: (0, f"{i}\n") for i in range(4)}


def test_close_stops_runs_in_flight_and_leaves_no_container(
    docker_sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    result: list[SandboxOutcome] = []
    request = make_request(tmp_path, "sleep", "60", name=f"interrupted-{tmp_path.name}")
    worker = threading.Thread(target=lambda: result.append(docker_sandbox.run(request)))
    worker.start()
    wait_running(docker_client, container_name(request.name))
    docker_sandbox.close()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert (result[0].failure, result[0].reason) == (
        "infrastructure", "interrupted: the sandbox was closed while the job ran")
