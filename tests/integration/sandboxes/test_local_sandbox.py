"""The sandbox contract against the ``local`` sandbox, and what only a local sandbox does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.local import LocalSandbox

from .base_suite import SandboxSuite
from .support import make_request, python_request


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class TestLocalSandbox(SandboxSuite):
    # The interpreter itself sets LC_CTYPE when it starts in the C locale (PEP 538).
    added_env = frozenset({"LC_CTYPE"})
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
        if os.geteuid() != 0:
            pytest.skip("seamq does not run as root: local runs tests as its own user")


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
