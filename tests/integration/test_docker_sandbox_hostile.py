"""The hostile corpus run through the Docker sandbox: each case contained, reported truthfully.

Every case in ``hostile/`` is a pytest file run inside a container exactly as the runner
runs tests. Cases that probe containment assert it themselves, so here the JUnit report
must say they passed; cases that break out of pytest's normal flow are checked on the raw
facts the sandbox returns (failure kind, exit code, JUnit present or not).
"""

from __future__ import annotations

import ipaddress
import secrets
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.base import OUTPUT_CAP_BYTES, Limits, SandboxOutcome, SandboxRequest
from services.runner.sandboxes.docker import DockerSandbox

pytestmark = pytest.mark.docker

HOSTILE = Path(__file__).parent / "hostile"
PYTEST = ("python3", "-m", "pytest", "-p", "no:cacheprovider", "-o", "junit_family=xunit1",
          "--junitxml=/outputs/junit.xml", "-q", "test_case.py")


@dataclass(frozen=True)
class CaseRun:
    outcome: SandboxOutcome
    junit: dict[str, str] | None
    workspace: Path
    outputs: Path


def _junit(path: Path) -> dict[str, str] | None:
    """Test name -> passed|failure|error|skipped, or None when no report was written."""
    if not path.exists():
        return None
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        results[case.get("name", "?")] = kinds[0] if kinds else "passed"
    return results


def run_case(sandbox: DockerSandbox, tmp_path: Path, case: str, *, timeout_s: float = 60.0,
             limits: Limits = Limits(), env: dict[str, str] | None = None) -> CaseRun:
    workspace, outputs, support = (tmp_path / d for d in ("workspace", "outputs", "support"))
    for directory in (workspace, outputs, support):
        directory.mkdir()
    shutil.copy(HOSTILE / f"case_{case}.py", workspace / "test_case.py")
    request = SandboxRequest(
        name=f"hostile-{case}-{secrets.token_hex(4)}", workspace=workspace, outputs=outputs,
        support=support, argv=PYTEST, env={"PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        timeout_s=timeout_s, limits=limits, labels={"job": f"hostile-{case}"},
    )
    outcome = sandbox.run(request)
    return CaseRun(outcome, _junit(outputs / "junit.xml"), workspace, outputs)


def all_passed(run: CaseRun) -> bool:
    return bool(run.junit) and set(run.junit.values()) == {"passed"}


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
    assert all_passed(run), run.outcome.output


def test_writes_outside_tmp_and_outputs_fail_and_file_size_is_capped(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    limit = 8 * 1024 * 1024
    run = run_case(docker_sandbox, tmp_path, "write_outside", limits=Limits(fsize_mb=8),
                   env={"FSIZE_BYTES": str(limit)})
    assert all_passed(run), run.outcome.output
    assert not (run.workspace / "escape.txt").exists()
    assert (run.outputs / "big.bin").stat().st_size == limit


def test_no_docker_socket_is_reachable(docker_sandbox: DockerSandbox, tmp_path: Path) -> None:
    run = run_case(docker_sandbox, tmp_path, "docker_socket")
    assert all_passed(run), run.outcome.output


def test_process_is_unprivileged_without_capabilities(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "identity")
    assert all_passed(run), run.outcome.output


def test_runner_secrets_do_not_reach_the_tests(
    docker_sandbox: DockerSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEAMQ_RUNNER_SECRET", f"seamq-secret-{secrets.token_hex(8)}")
    run = run_case(docker_sandbox, tmp_path, "environment", env={"VISIBLE_TO_TESTS": "yes"})
    assert all_passed(run), run.outcome.output


def test_bounded_fork_flood_is_refused_at_the_limit(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "fork_flood", limits=Limits(pids=64),
                   env={"PIDS_LIMIT": "64"})
    assert run.outcome.failure is None, run.outcome.output
    assert all_passed(run), run.outcome.output
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


def test_memory_flood_is_reported_as_oom(docker_sandbox: DockerSandbox, tmp_path: Path) -> None:
    run = run_case(docker_sandbox, tmp_path, "memory_flood", limits=Limits(memory_mb=128))
    assert run.outcome.failure == "oom", run.outcome
    assert run.outcome.exit_code == 137
    assert run.junit is None


def test_runaway_loop_is_killed_at_the_deadline(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "runaway_loop", timeout_s=3)
    assert run.outcome.failure == "timeout"
    assert run.outcome.reason == "timed out after 3 s"
    assert run.outcome.exit_code is None
    assert 3 <= run.outcome.duration_s < 8


def test_patched_reports_reach_the_runner_as_plain_passes(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    """The sandbox cannot see this lie: the audit's verdict-tampering rule must refuse it."""
    run = run_case(docker_sandbox, tmp_path, "patch_reports")
    assert run.outcome.failure is None
    assert run.outcome.exit_code == 0
    assert run.junit == {"test_a_installs_the_liar": "passed", "test_b_really_fails": "passed"}


def test_early_interpreter_exit_leaves_exit_zero_and_no_junit(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    """Exit 0 without a JUnit report: the verdict code must treat it as an error."""
    run = run_case(docker_sandbox, tmp_path, "early_exit")
    assert run.outcome.failure is None
    assert run.outcome.exit_code == 0
    assert run.junit is None
    assert "passed" not in run.outcome.output


def test_output_flood_is_capped_to_its_tail(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    run = run_case(docker_sandbox, tmp_path, "output_flood")
    assert run.outcome.exit_code == 1
    assert run.outcome.output.startswith("[... ")
    assert len(run.outcome.output.encode()) <= OUTPUT_CAP_BYTES + 100
    assert "THE-LAST-LINE" in run.outcome.output
