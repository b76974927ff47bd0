"""``seamq run --sandbox docker`` over a plan of hostile seams: each one reported truthfully.

Every hostile test is written as an attack that *passes only if it gets out*: a contained
attack fails, a resource attack ends as an error with its cause, a forged verdict is an
error. The attacks come from the hostile corpus (``tests/integration/hostile``). The audit
is switched off for this run so the sandbox alone must contain them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator

import pytest

from services.runner.sandboxes.reaper import left_behind
from tests.e2e.project import Project
from tests.integration.hostile.payloads import source

pytestmark = [pytest.mark.docker, pytest.mark.slow]

IMAGE = os.environ.get("SEAMQ_SANDBOX_IMAGE", "seamq-sandbox:latest")

ORDINARY = {
    "ordinary_a": '''
        def test_adds():
            assert sum([1, 2, 3]) == 6
        ''',
    "ordinary_b": '''
        import json

        def test_round_trips_json():
            assert json.loads(json.dumps({"a": [1, 2]})) == {"a": [1, 2]}
        ''',
}
# Hostile case -> (the status it must get, part of its reason).
HOSTILE = {
    "escape_network": ("failed", ""),
    "escape_write_outside": ("failed", ""),
    "escape_docker_socket": ("failed", ""),
    "escape_root": ("failed", ""),
    "escape_secrets": ("failed", ""),
    "memory_flood": ("error", "out of memory"),
    "runaway_loop": ("error", "timed out"),
    "patch_report_factory": ("error", "tampering"),
    "early_exit": ("error", "no results"),
    # Refused forks fail the test; if the sampler saw the limit it is an error: both truthful.
    "fork_flood_unhandled": ("failed|error", ""),
}
SEAMS = {
    **{name: ("passed", "", body) for name, body in ORDINARY.items()},
    **{case: (*expected, source(case)) for case, expected in HOSTILE.items()},
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


def _left_behind() -> set[str]:
    """seamq containers no live runner waits for: what a finished run must not leave. (Other
    xdist workers' runs may have containers up meanwhile; their runners are alive.)"""
    proc = subprocess.run(["docker", "ps", "-aq", "--filter", "label=seamq"],
                          capture_output=True, text=True, check=True, timeout=30)
    ids = proc.stdout.split()
    if not ids:
        return set()
    inspected = subprocess.run(["docker", "inspect", *ids], capture_output=True, text=True,
                               check=False, timeout=30)
    found = json.loads(inspected.stdout or "[]")  # a container gone meanwhile is left out
    return {c["Id"][:12] for c in found if left_behind(c["Config"].get("Labels") or {})}


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
    before = _left_behind()

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
    assert _left_behind() - before == set()


NEEDS_PYDANTIC = '''
    """SEAM 1: the project imports a third-party package the test image lacks."""
    import pydantic


    def test_model_validates():
        """A real import of the project's dependency."""
        assert pydantic.BaseModel.model_validate
    '''


def test_an_image_without_the_projects_dependencies_is_one_cause_and_exit_three(
    project: Project,
) -> None:
    """Every seam errors on the same missing import: exit 3, the cause named once."""
    problem = _docker_ready()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI is set, so Docker tests must run)", pytrace=False)
        pytest.skip(problem)
    for number in ("1", "2"):
        project.write(f"tests/test_dep_{number}_integration.py", NEEDS_PYDANTIC)
    project.plan(("1", "P0", "test_dep_1_integration.py"),
                 ("2", "P0", "test_dep_2_integration.py"))

    in_docker = project.run("--sandbox", "docker", "--image", IMAGE, "--repeats", "1",
                            "--skip-validation", timeout=300)
    docker_report = in_docker.report
    local = project.run("--sandbox", "local", "--repeats", "1", "--skip-validation")

    assert in_docker.code == 3, in_docker.stdout + in_docker.stderr
    assert "cannot import 'pydantic'" in docker_report["cause"]
    assert "cause: the sandbox cannot import 'pydantic'" in in_docker.stdout
    assert "seamq: run error (the sandbox cannot import 'pydantic'" in in_docker.stderr
    assert f"sandbox docker: asked for with --sandbox docker, image {IMAGE}" in in_docker.stderr
    assert docker_report["environment"]["sandboxes"] == [
        f"docker: asked for with --sandbox docker, image {IMAGE}"]
    assert docker_report["environment"]["python"][0].startswith("3.")
    assert local.code == 0, local.stderr
    [local_detail] = local.report["environment"]["sandboxes"]
    assert local_detail.startswith("local (")  # who the tests run as (test_selection.py)
    assert local_detail.endswith("): asked for with --sandbox local (weaker isolation)")
    assert local.report["environment"]["python"] == [
        ".".join(map(str, __import__("sys").version_info[:3]))]
