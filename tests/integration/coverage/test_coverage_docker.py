"""Coverage in the Docker sandbox: measured when the image has Debian's python3-coverage
(deploy/images/sandbox/packages.txt), else said to be missing rather than failing the seam."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.docker import DockerSandbox
from tests.integration.conftest import SANDBOX_IMAGE
from tests.integration.coverage.support import (
    FAKE_DATA,
    HALF,
    OTHER_HALF,
    project,
    run_seam,
)

pytest.importorskip("coverage")
pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _has_coverage(client: Any) -> bool:
    output = client.containers.run(SANDBOX_IMAGE, ["python3", "-c",
                                   "import importlib.util as u; "
                                   "print(u.find_spec('coverage') is not None)"],
                                   remove=True, network_mode="none")
    return bool(output.strip() == b"True")


def test_a_seam_in_docker_reports_its_coverage_or_that_the_image_lacks_it(
    tmp_path: Path, docker_sandbox: DockerSandbox, docker_client: Any
) -> None:
    root = project(tmp_path, {"test_half.py": HALF})

    result = run_seam(root, docker_sandbox, tmp_path / "cache", "test_half.py", repeats=2)

    assert result.status == "passed", result.reason
    coverage = result.coverage
    assert coverage is not None
    if _has_coverage(docker_client):
        assert coverage.measured, coverage.reason
        assert coverage.rates.lines == pytest.approx(9 / 16)
    else:
        assert coverage.reason == "coverage not measured: coverage.py missing in the image"
        assert not coverage.refused


def test_a_fake_coverage_file_in_docker_does_not_raise_the_number(
    tmp_path: Path, docker_sandbox: DockerSandbox, docker_client: Any
) -> None:
    if not _has_coverage(docker_client):
        pytest.skip(f"{SANDBOX_IMAGE} has no python3-coverage (deploy/provision.sh images)")
    root = project(tmp_path, {"test_fake.py": FAKE_DATA})

    result = run_seam(root, docker_sandbox, tmp_path / "cache", "test_fake.py")

    assert result.coverage is not None
    assert result.coverage.measured, result.coverage.reason
    assert result.coverage.rates.lines == pytest.approx(9 / 16)


def test_a_generated_seams_baseline_in_docker_is_measured_like_its_own_tests(
    tmp_path: Path, docker_sandbox: DockerSandbox, docker_client: Any
) -> None:
    if not _has_coverage(docker_client):
        pytest.skip(f"{SANDBOX_IMAGE} has no python3-coverage (deploy/provision.sh images)")
    root = project(tmp_path, {"test_first.py": HALF, "test_new.py": OTHER_HALF})

    result = run_seam(root, docker_sandbox, tmp_path / "cache", "test_new.py",
                      baseline=("tests/test_first.py",))

    assert (result.status, result.reason) == ("passed", "")
    assert result.coverage is not None
    assert result.coverage.measured, result.coverage.reason
    baseline = result.coverage.baseline
    assert baseline is not None
    assert baseline.measured, baseline.reason
    assert [f.missing for f in baseline.files] == [tuple(range(12, 19))]
    assert [f.missing for f in result.coverage.files] == [tuple(range(2, 9))]
