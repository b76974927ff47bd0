"""The sandbox interface: run one command over a prepared workspace, contained and timed.

The runner prepares three host directories per process — the workspace (project copy with
any overlay applied), an outputs directory (JUnit XML and seamq's own records land here)
and a support directory (seamq's pytest plugin) — and asks a sandbox to run an argv there.
A sandbox reports what happened; it never decides whether tests passed.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from services.runner.sandboxes.services import ServiceSession
from shared.contract import EnvironmentUse, ExecutionSpec, ServiceSpec
from shared.errors import SandboxError

Failure = Literal["timeout", "oom", "pids", "crash", "infrastructure"]

OUTPUT_CAP_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2_048
    cpus: float = 1.0
    pids: int = 256
    nofile: int = 1_024
    fsize_mb: int = 512


@dataclass(frozen=True)
class Mounts:
    """Where the three directories appear to the sandboxed process."""

    workspace: str
    outputs: str
    support: str


@dataclass(frozen=True)
class SandboxRequest:
    """One process to run. ``argv`` and ``env`` use paths from ``Sandbox.mounts``."""

    name: str
    workspace: Path
    outputs: Path
    support: Path
    argv: tuple[str, ...]
    env: dict[str, str]
    timeout_s: float
    limits: Limits = Limits()
    image: str = ""
    network: str = ""  # the services' namespace to join (``container:<id>``); '' for none
    labels: dict[str, str] = field(default_factory=dict)
    home: Path | None = None  # a host directory the process may write besides outputs


@dataclass(frozen=True)
class SandboxOutcome:
    exit_code: int | None
    output: str
    duration_s: float
    failure: Failure | None = None
    reason: str = ""
    start_s: float = 0.0


class Sandbox(abc.ABC):
    """Runs processes for the runner; implementations: ``local`` and ``docker``."""

    kind: str = "abstract"
    python: str = "python3"
    # Why this sandbox was chosen, for the report ("--sandbox local", "auto -> local: …").
    detail: str = ""

    @abc.abstractmethod
    def mounts(self, request_dirs: tuple[Path, Path, Path]) -> Mounts:
        """Paths inside the sandbox for (workspace, outputs, support) host directories."""

    @abc.abstractmethod
    def run(self, request: SandboxRequest) -> SandboxOutcome:
        """Run to completion or deadline; blocking (the runner calls it in a thread)."""

    def environment(self, project: Path, spec: ExecutionSpec,
                    run_id: str = "") -> EnvironmentUse | None:
        """The image holding ``project``'s dependencies when ``spec`` asks for one, for run
        ``run_id`` (only the docker sandbox builds images; the others run with what the
        host has)."""
        return None

    @contextmanager
    def services(self, specs: Sequence[ServiceSpec], name: str, labels: dict[str, str],
                 timeout_s: float) -> Iterator[ServiceSession]:
        """Start a job's services for the block (which lasts at most ``timeout_s`` once
        they are ready) and remove them after it; only the docker sandbox can (a
        ``SandboxError`` here when ``specs`` is not empty)."""
        if specs:
            raise SandboxError(
                f"the seam needs services ({', '.join(s.name for s in specs)}), which only "
                f"the docker sandbox starts; this run uses the {self.kind} sandbox")
        yield ServiceSession()

    def close(self) -> None:  # noqa: B027 - optional hook; most sandboxes hold nothing
        """Release resources held across jobs."""


def cap_output(data: bytes, cap: int = OUTPUT_CAP_BYTES) -> str:
    """Keep the tail of captured output, marking what was cut."""
    if len(data) <= cap:
        return data.decode("utf-8", "replace")
    cut = len(data) - cap
    return f"[... {cut} bytes cut ...]\n" + data[-cap:].decode("utf-8", "replace")
