"""The sandbox contract against the ``local`` sandbox, and what only a local sandbox does."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.local import LocalSandbox
from services.runner.sandboxes.tracking import MARK_VAR, cgroup_home

from .base_suite import SandboxSuite
from .portable import nobody_interpreter
from .support import make_request, python_request


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class TestLocalSandbox(SandboxSuite):
    # The interpreter itself sets LC_CTYPE when it starts in the C locale (PEP 538); the
    # job's processes carry its marker (services/runner/sandboxes/tracking.py).
    added_env = frozenset({"LC_CTYPE", MARK_VAR})
    segv_reason = "killed by SIGSEGV"
    # The address-space limit turns the flood into a MemoryError the test reports.
    memory_flood_ends = (None, 1, {"test_memory_flood": "failure"})
    close_in_flight_ends = ("crash", "killed by SIGKILL")

    @pytest.fixture
    def sandbox(self) -> Iterator[LocalSandbox]:
        sandbox = LocalSandbox()
        yield sandbox
        sandbox.close()

    def still_running(self, sandbox: Sandbox, outputs: Path) -> bool:
        return _running(int((outputs / "child.pid").read_text()))

    def factory(self, sandbox: Sandbox) -> str:
        return f"LocalSandbox(python={sandbox.python!r})"

    def skip_unless_another_user(self, sandbox: Sandbox) -> None:
        assert isinstance(sandbox, LocalSandbox)
        if sandbox.run_as.uid is None:
            pytest.skip(f"the tests run as seamq's own user ({sandbox.run_as.detail})")


class TestLocalSandboxAsNobody(TestLocalSandbox):
    """The contract again, as root with an interpreter ``nobody`` can start, so the tests
    run as ``nobody``; skipped when seamq's tests do not run as root."""

    @pytest.fixture(scope="class")
    def reachable(self) -> Iterator[tuple[Path, str]]:
        with nobody_interpreter() as reachable:
            yield reachable

    @pytest.fixture
    def tmp_path(self, reachable: tuple[Path, str], request: pytest.FixtureRequest) -> Path:
        path = reachable[0] / "jobs" / request.node.name.replace("[", "-").strip("]")
        path.mkdir(parents=True, mode=0o711)
        path.parent.chmod(0o711)
        return path

    @pytest.fixture
    def sandbox(self, reachable: tuple[Path, str]) -> Iterator[LocalSandbox]:
        sandbox = LocalSandbox(python=reachable[1])
        assert sandbox.run_as.uid not in (None, 0), sandbox.run_as.detail
        yield sandbox
        sandbox.close()


def test_a_closed_sandbox_starts_nothing(tmp_path: Path) -> None:
    sandbox = LocalSandbox()
    sandbox.close()

    outcome = sandbox.run(python_request(sandbox, tmp_path, "print('never')"))

    assert (outcome.failure, outcome.reason) == (
        "infrastructure", "the sandbox is closed (the runner is shutting down)")


def test_a_command_that_cannot_start_is_an_infrastructure_failure(tmp_path: Path) -> None:
    sandbox = LocalSandbox()

    outcome = sandbox.run(make_request(tmp_path, "/nonexistent/seamq-python"))

    assert outcome.failure == "infrastructure"
    assert outcome.reason.startswith("could not start /nonexistent/seamq-python: ")


def test_job_cgroups_a_dead_runner_left_are_reaped() -> None:
    home = cgroup_home()
    if home is None:
        pytest.skip("no writable cgroup v2 hierarchy: jobs are tracked by marker only")
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = home / f"seamq-job-{dead.pid}-0123abcd"
    left.mkdir()
    sleeper = subprocess.Popen(["sleep", "600"])
    (left / "cgroup.procs").write_text(str(sleeper.pid))

    LocalSandbox()

    assert sleeper.wait(timeout=10) == -signal.SIGKILL
    assert not left.exists()
