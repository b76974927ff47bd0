"""``seamq run --sandbox docker`` over a plan of hostile seams: each one reported truthfully.

Every hostile test is written as an attack that *passes only if it gets out*: a contained
attack fails, a resource attack ends as an error with its cause, a forged verdict is an
error. The audit is switched off for this run so the sandbox alone must contain them.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.project import Project

pytestmark = [pytest.mark.docker, pytest.mark.slow]

IMAGE = os.environ.get("SEAMQ_SANDBOX_IMAGE", "seamq-sandbox:latest")

SEAMS = {
    "ordinary_a": ("passed", "", '''
        def test_adds():
            assert sum([1, 2, 3]) == 6
        '''),
    "ordinary_b": ("passed", "", '''
        import json

        def test_round_trips_json():
            assert json.loads(json.dumps({"a": [1, 2]})) == {"a": [1, 2]}
        '''),
    "network": ("failed", "", '''
        import os, socket

        def test_reaches_a_host_service():
            socket.create_connection(("127.0.0.1", int(os.environ["HOST_PORT"])), timeout=2)
        '''),
    "write_outside": ("failed", "", '''
        from pathlib import Path

        def test_writes_into_the_system():
            Path("/etc/seamq-pwned").write_text("x")
            assert Path("/etc/seamq-pwned").exists()
        '''),
    "docker_socket": ("failed", "", '''
        import os

        def test_finds_the_docker_socket():
            assert os.path.exists("/var/run/docker.sock")
        '''),
    "root": ("failed", "", '''
        import os

        def test_runs_as_root():
            assert os.getuid() == 0
        '''),
    "secrets": ("failed", "", '''
        import os

        def test_reads_the_runners_secret():
            assert os.environ.get("SEAMQ_E2E_SECRET") == "hunter2"
        '''),
    "memory_flood": ("error", "out of memory", '''
        def test_eats_memory():
            hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]
            assert len(hog) == 64
        '''),
    "runaway": ("error", "timed out", '''
        def test_never_ends():
            n = 0
            while n >= 0:
                n += 1
            assert n
        '''),
    "patch_reports": ("error", "tampering", '''
        import _pytest.reports
        _original = _pytest.reports.TestReport.from_item_and_call

        def _always_pass(item, call):
            report = _original(item, call)
            report.outcome = "passed"
            return report

        _pytest.reports.TestReport.from_item_and_call = staticmethod(_always_pass)

        def test_really_fails():
            assert 1 == 2
        '''),
    "early_exit": ("error", "no results", '''
        import os

        def test_leaves_before_pytest_reports():
            os._exit(0)
        '''),
    # Refused forks fail the test; if the sampler saw the limit it is an error: both truthful.
    "fork_flood": ("failed|error", "", '''
        import os, time

        def test_forks_without_bound():
            children = 0
            for _ in range(2000):
                if os.fork() == 0:
                    time.sleep(30)
                    os._exit(0)
                children += 1
            assert children == 2000
        '''),
}


def _docker_ready() -> str | None:
    try:
        proc = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True,
                              timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"no docker client: {e}"
    if proc.returncode != 0:
        return f"no Docker engine or no image {IMAGE}: {proc.stderr.decode()[-200:].strip()}"
    return None


@pytest.fixture
def host_service() -> Iterator[int]:
    """A listener on the host's loopback that no sandboxed test may reach."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def _seamq_containers() -> list[str]:
    proc = subprocess.run(["docker", "ps", "-aq", "--filter", "label=seamq"],
                          capture_output=True, text=True, check=True, timeout=30)
    return proc.stdout.split()


def test_hostile_seams_are_reported_truthfully_and_nothing_is_left(
    project: Project, host_service: int
) -> None:
    problem = _docker_ready()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI is set, so Docker tests must run)", pytrace=False)
        pytest.skip(problem)
    names = list(SEAMS)
    for name in names:
        project.write(f"tests/test_{name}_integration.py", SEAMS[name][2])
    project.plan(*((str(i), "P0", f"test_{n}_integration.py") for i, n in enumerate(names, 1)))
    project.write("policy.toml", "enabled = false\n")
    before = set(_seamq_containers())

    result = project.run(
        "--sandbox", "docker", "--image", IMAGE, "--repeats", "1", "--timeout", "15",
        "--concurrency", "2", "--policy", str(project.root / "policy.toml"),
        "--env", f"HOST_PORT={host_service}", "--skip-validation",
        env={"SEAMQ_E2E_SECRET": "hunter2"}, timeout=600,
    )

    assert result.code == 1, result.stderr
    for number, name in enumerate(names, 1):
        expected, reason_part = SEAMS[name][:2]
        seam = result.seam(str(number))
        assert seam["status"] in expected.split("|"), (name, seam["reason"])
        assert reason_part in seam["reason"], (name, seam["reason"])
    assert not (project.root / "etc").exists()
    assert set(_seamq_containers()) - before == set()
