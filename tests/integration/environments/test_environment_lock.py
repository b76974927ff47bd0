"""The environment image from a lock file on the real engine: a uv.lock at the project's
root wins over its requirements.txt, its pins are what the tests import, a package its
markers leave out is absent; a lock that cannot be read ends the job with one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.runner.execute import execute_seam
from services.runner.sandboxes.docker import DockerSandbox
from tests.integration.conftest import SANDBOX_IMAGE

from .support import ROOT, project, seam_job

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(900)]

PINS = ROOT / "tests" / "fixtures" / "locks" / "pins" / "uv.lock"  # uv 0.13: six, idna, colorama
USES_THE_LOCK = """
    import importlib.util
    from importlib import metadata

    import six

    def test_the_locked_versions_are_installed():
        assert six.__version__ == "1.16.0"
        assert metadata.version("idna") == "3.7"

    def test_a_package_locked_for_windows_only_is_absent():
        assert importlib.util.find_spec("colorama") is None
"""


def test_a_uv_lock_is_what_the_tests_import(
    sandbox: DockerSandbox, built_images: list[str], tmp_path: Path
) -> None:
    # requirements.txt says otherwise: by default the lock comes first.
    root = project(tmp_path / "p", {"test_lock.py": USES_THE_LOCK}, requirements="six==1.17.0\n")
    shutil.copy(PINS, root / "uv.lock")
    job = seam_job(root, "test_lock.py", "lock", image=SANDBOX_IMAGE)

    result = execute_seam(job, sandbox, tmp_path / "cache", "it")

    assert result.environment is not None
    built_images.append(result.environment.tag)
    print(f"environment image from uv.lock: built in {result.environment.build_s:.2f} s")
    assert (result.status, result.reason) == ("passed", "")
    assert result.environment.built
    assert sorted(t.outcome for t in result.tests) == ["passed", "passed"]


def test_a_malformed_lock_ends_the_job_in_error_with_one_line(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {"test_lock.py": USES_THE_LOCK})
    (root / "uv.lock").write_text("version = 1\n\n[[package]\nname = 'six'\n")
    job = seam_job(root, "test_lock.py", "bad-lock", image=SANDBOX_IMAGE)

    result = execute_seam(job, sandbox, tmp_path / "cache", "it")

    assert (result.status, result.infrastructure) == ("error", True)
    assert result.reason.startswith("environment: uv.lock is not valid TOML: ")
    assert result.reason.endswith("(at line 3, column 10)")
    assert "\n" not in result.reason
