"""Requests and runs for the sandbox tests: a job's three directories, a command or a hostile
case run as pytest the way the runner runs it, and the JUnit report it left."""

from __future__ import annotations

import secrets
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.runner.sandboxes.base import Limits, Mounts, Sandbox, SandboxOutcome, SandboxRequest
from services.runner.sandboxes.reaper import container_name
from tests.integration.hostile.payloads import install
from tests.waiting import wait_until


def job_dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The workspace, outputs and support directories of one job under ``tmp_path``."""
    workspace, outputs, support = (tmp_path / d for d in ("workspace", "outputs", "support"))
    for directory in (workspace, outputs, support):
        directory.mkdir(parents=True, exist_ok=True)
    return workspace, outputs, support


def make_request(tmp_path: Path, *argv: str, name: str = "", **kwargs: Any) -> SandboxRequest:
    workspace, outputs, support = job_dirs(tmp_path)
    return SandboxRequest(name=name or f"api-{tmp_path.name}", workspace=workspace,
                          outputs=outputs, support=support, argv=argv,
                          env=kwargs.pop("env", {}), timeout_s=kwargs.pop("timeout_s", 30.0),
                          **kwargs)


def python_request(sandbox: Sandbox, tmp_path: Path, code: str, **kwargs: Any
                   ) -> SandboxRequest:
    """A request running ``code`` with the sandbox's interpreter."""
    return make_request(tmp_path, sandbox.python, "-c", code, **kwargs)


def seen_paths(sandbox: Sandbox, tmp_path: Path) -> Mounts:
    """The job directories under ``tmp_path`` as the sandboxed process sees them."""
    return sandbox.mounts(job_dirs(tmp_path))


@dataclass(frozen=True)
class CaseRun:
    outcome: SandboxOutcome
    junit: dict[str, str] | None
    workspace: Path
    outputs: Path

    def all_passed(self) -> bool:
        return bool(self.junit) and set(self.junit.values()) == {"passed"}


def read_junit(path: Path) -> dict[str, str] | None:
    """Test name -> passed|failure|error|skipped, or None when no report was written."""
    if not path.exists():
        return None
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        results[case.get("name", "?")] = kinds[0] if kinds else "passed"
    return results


def run_case(sandbox: Sandbox, tmp_path: Path, case: str, *, timeout_s: float = 60.0,
             limits: Limits = Limits(), env: dict[str, str] | None = None) -> CaseRun:
    """Run the hostile case ``case`` as ``test_case.py`` under pytest in the sandbox."""
    workspace, outputs, support = job_dirs(tmp_path)
    install(case, workspace / "test_case.py")
    seen_outputs = seen_paths(sandbox, tmp_path).outputs
    # Some cases rely on running in file order, whatever plugins the host has installed.
    argv = (sandbox.python, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly",
            "-o", "junit_family=xunit1", f"--junitxml={seen_outputs}/junit.xml", "-q",
            "test_case.py")
    request = SandboxRequest(
        name=f"hostile-{case}-{secrets.token_hex(4)}", workspace=workspace, outputs=outputs,
        support=support, argv=argv, env={"PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        timeout_s=timeout_s, limits=limits, labels={"job": f"hostile-{case}"},
    )
    outcome = sandbox.run(request)
    return CaseRun(outcome, read_junit(outputs / "junit.xml"), workspace, outputs)


def run_until_up(client: Any, sandbox: Sandbox, request: SandboxRequest, timeout: float
                 ) -> tuple[str, Callable[[], SandboxOutcome]]:
    """Start ``request`` in a thread and wait until its container runs: (its container's
    name, a call that waits for the run's outcome)."""
    result: list[SandboxOutcome] = []
    worker = threading.Thread(target=lambda: result.append(sandbox.run(request)))
    worker.start()
    name = container_name(request.name)
    wait_until(lambda: client.api.containers(filters={"name": name, "status": "running"}),
               timeout=timeout, what=f"container {name} running")

    def outcome() -> SandboxOutcome:
        worker.join()
        return result[0]

    return name, outcome
