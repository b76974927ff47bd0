"""The project environment image on the real engine: built once from the dependency files,
reused while they are unchanged, rebuilt when they change, and on the trixie base for a
project that needs Python 3.12."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from services.runner.execute import execute_seam
from services.runner.sandboxes.docker import DockerSandbox
from services.runner.sandboxes.environment import EnvironmentBuilder, EnvironmentBuildError
from shared.contract import EnvironmentSpec
from tests.integration.conftest import SANDBOX_IMAGE

from .support import project, seam_job

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(900)]

USES_SIX = """
    import six

    def test_the_pinned_version_is_installed():
        assert six.__version__ == "1.16.0"
"""
NEEDS_312 = """
    import sys
    import six

    type Pair = tuple[int, int]  # PEP 695: a syntax error before Python 3.12

    def test_runs_on_python_3_12_or_later():
        assert sys.version_info >= (3, 12)
        assert six.PY3
"""


def test_built_once_reused_then_rebuilt_after_a_dependency_change(
    service_images: Any, built_images: list[str], tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {}, requirements="six==1.16.0\n")
    builder, spec = EnvironmentBuilder(service_images), EnvironmentSpec()

    started = time.monotonic()
    cold = builder.ensure(root, spec, SANDBOX_IMAGE)
    cold_s = time.monotonic() - started
    built_images.append(cold.tag)
    started = time.monotonic()
    warm = builder.ensure(root, spec, SANDBOX_IMAGE)
    warm_s = time.monotonic() - started
    (root / "requirements.txt").write_text("six==1.17.0\n")
    changed = builder.ensure(root, spec, SANDBOX_IMAGE)
    built_images.append(changed.tag)

    print(f"environment image: cold {cold_s:.2f} s, warm {warm_s:.3f} s")
    assert (cold.built, warm.built, changed.built) == (True, False, True)
    assert warm.tag == cold.tag != changed.tag
    assert warm_s < cold_s


def test_a_build_failure_names_the_failing_step(
    service_images: Any, tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {}, requirements="six==0.0.0.404\n")

    builder = EnvironmentBuilder(service_images)

    with pytest.raises(EnvironmentBuildError, match=r"pip install failed \(exit 1\):\n"):
        builder.ensure(root, EnvironmentSpec(), SANDBOX_IMAGE)
    # The run's next job on this runner fails at once with the same tail, without pip.
    started = time.monotonic()
    with pytest.raises(EnvironmentBuildError, match=r"(?s)pip install failed.*failed \d+ s ago.*"
                       r"six==0\.0\.0\.404"):
        builder.ensure(root, EnvironmentSpec(), SANDBOX_IMAGE)
    assert time.monotonic() - started < 2


def test_rebuild_builds_once_per_run_and_drops_the_image_it_replaced(
    service_images: Any, built_images: list[str], tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {}, requirements="six==1.16.0\n# rebuild test\n")
    builder = EnvironmentBuilder(service_images)
    first = builder.ensure(root, EnvironmentSpec(), SANDBOX_IMAGE, "run-a")
    built_images.append(first.tag)
    old_id = service_images.api.inspect_image(first.tag)["Id"]
    rebuild = EnvironmentSpec(rebuild=True)

    uses = [builder.ensure(root, rebuild, SANDBOX_IMAGE, run) for run in ("run-b", "run-b",
                                                                            "run-c")]

    assert [u.built for u in uses] == [True, False, True]
    assert {u.tag for u in uses} == {first.tag}
    with pytest.raises(docker.errors.ImageNotFound):
        service_images.api.inspect_image(old_id)


def test_a_project_needing_python_3_12_runs_on_the_trixie_base(
    sandbox: DockerSandbox, built_images: list[str], tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {"test_new.py": NEEDS_312}, requirements="six==1.16.0\n")
    job = seam_job(root, "test_new.py", "py312", image="seamq-sandbox:trixie", repeats=2)

    result = execute_seam(job, sandbox, tmp_path / "cache", "it")

    assert result.environment is not None
    built_images.append(result.environment.tag)
    assert (result.status, result.reason) == ("passed", "")
    assert [t.outcome for t in result.tests] == ["passed"]


def test_the_environment_is_what_the_tests_import(
    sandbox: DockerSandbox, built_images: list[str], tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {"test_six.py": USES_SIX}, requirements="six==1.16.0\n")
    job = seam_job(root, "test_six.py", "six", image=SANDBOX_IMAGE)

    result = execute_seam(job, sandbox, tmp_path / "cache", "it")

    assert result.environment is not None
    built_images.append(result.environment.tag)
    assert (result.status, result.reason) == ("passed", "")
