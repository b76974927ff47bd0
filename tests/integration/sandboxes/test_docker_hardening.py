"""How a docker sandbox is hardened, seen from inside: the hostile probes run in a container
exactly as the runner runs tests, in a fresh container and in a warm one. A probe asserts its
containment itself, so its JUnit report must say it passed; an attack that breaks pytest's
flow is checked on the sandbox's facts."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.base import Limits
from services.runner.sandboxes.docker import DockerSandbox
from tests.integration.conftest import SANDBOX_IMAGE, sandbox_containers

from .support import run_case

pytestmark = pytest.mark.docker


def _host_addresses(client: Any) -> list[str]:
    """Non-loopback addresses of this host: the Docker bridge gateway and the primary one."""
    found = set()
    for config in client.api.inspect_network("bridge")["IPAM"]["Config"] or []:
        if config.get("Gateway"):
            found.add(config["Gateway"])
        elif config.get("Subnet"):
            found.add(str(next(ipaddress.ip_network(config["Subnet"]).hosts())))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not a.startswith("127."))


@pytest.fixture(params=["fresh", "warm"])
def docker_sandbox(request: pytest.FixtureRequest, docker_client: Any
                   ) -> Iterator[DockerSandbox]:
    """Every probe in a fresh container and again in a warm one (started before the job,
    ``warm.py``), which must be hardened alike; nothing of either may outlive the test."""
    # Its own client: the probing one has 2 s timeouts, short for a start in the background.
    sandbox = DockerSandbox(default_image=SANDBOX_IMAGE, warm=1 if request.param == "warm" else 0)
    sandbox.warm_wait_s = 60.0
    yield sandbox
    sandbox.close()
    assert sandbox_containers(docker_client, sandbox) == []
    if request.param == "warm":
        assert sandbox._pool is not None
        assert sandbox._pool.taken >= 1


@pytest.fixture
def host_service() -> Iterator[int]:
    """A TCP service listening on every host address; returns its port."""
    with socket.create_server(("0.0.0.0", 0)) as server:
        yield server.getsockname()[1]


def test_network_has_only_loopback_and_host_services_are_unreachable(
    docker_sandbox: DockerSandbox, docker_client: Any, host_service: int, tmp_path: Path
) -> None:
    socket.create_connection(("127.0.0.1", host_service), timeout=2).close()  # reachable here
    addresses = _host_addresses(docker_client)
    assert addresses, "no non-loopback host address to probe"

    run = run_case(docker_sandbox, tmp_path, "network",
                   env={"HOST_PORT": str(host_service), "HOST_ADDRS": ",".join(addresses)})

    assert run.outcome.failure is None, run.outcome.output
    assert run.all_passed(), run.outcome.output


def test_writes_outside_tmp_and_outputs_fail_and_file_size_is_capped(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    limit = 8 * 1024 * 1024

    run = run_case(docker_sandbox, tmp_path, "write_outside", limits=Limits(fsize_mb=8),
                   env={"FSIZE_BYTES": str(limit)})

    assert run.all_passed(), run.outcome.output
    assert not (run.workspace / "escape.txt").exists()
    assert (run.outputs / "big.bin").stat().st_size == limit


def test_no_docker_socket_is_reachable(docker_sandbox: DockerSandbox, tmp_path: Path) -> None:
    run = run_case(docker_sandbox, tmp_path, "docker_socket")

    assert run.all_passed(), run.outcome.output


def test_process_is_unprivileged_without_capabilities(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "identity")

    assert run.all_passed(), run.outcome.output


def test_runner_secrets_do_not_reach_the_tests_or_the_init_process(
    docker_sandbox: DockerSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEAMQ_RUNNER_SECRET", f"seamq-secret-{secrets.token_hex(8)}")

    run = run_case(docker_sandbox, tmp_path, "environment", env={"VISIBLE_TO_TESTS": "yes"})

    assert run.all_passed(), run.outcome.output


def test_bounded_fork_flood_is_refused_at_the_limit(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "fork_flood", limits=Limits(pids=64),
                   env={"PIDS_LIMIT": "64"})

    assert run.outcome.failure is None, run.outcome.output
    assert run.all_passed(), run.outcome.output
    assert subprocess.run(["true"], check=False).returncode == 0  # the host still forks


def test_unhandled_fork_refusal_is_reported_as_pids_exhaustion(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "fork_flood_unhandled", limits=Limits(pids=64))

    assert run.outcome.failure == "pids", run.outcome
    assert run.outcome.reason == "process limit of 64 reached (exit 1)"
    assert run.junit == {"test_spawns_workers_until_refused": "failure"}


def test_fork_bomb_is_reported_as_pids_exhaustion(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "fork_bomb", limits=Limits(pids=64), timeout_s=8)

    assert run.outcome.failure == "pids", run.outcome
    assert "process limit of 64 reached" in run.outcome.reason
    assert run.outcome.exit_code is None
    assert subprocess.run(["true"], check=False).returncode == 0
