"""What auditors and runners report back: audit findings, test results and job results."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field

from shared.contract.base import FileContent, Id, Message, Model, Name, RelPath, Text
from shared.contract.coverage import SeamCoverage
from shared.contract.statuses import (
    JobKind,
    JobPhase,
    JobStatus,
    Outcome,
    ProcessOutcome,
    TestOutcome,
)

Severity: TypeAlias = Literal["error", "warning", "info"]


class Finding(Model):
    path: RelPath
    line: int = Field(default=0, ge=0)
    col: int = Field(default=0, ge=0)
    rule: Id
    severity: Severity
    message: Text


class AuditReport(Message):
    job_id: Id
    run_id: Id
    seam_id: Id
    path: RelPath
    attempt: int = 1
    findings: tuple[Finding, ...] = ()

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


class TestResult(Model):
    """One test's outcome across the repeats of a job."""

    __test__ = False

    name: Name
    file: Name = ""
    line: int = 0
    outcome: TestOutcome
    runs: tuple[Outcome, ...] = ()
    duration_s: float = 0.0
    message: Text = ""
    seams: tuple[Id, ...] = ()  # from @pytest.mark.seam("ID")


class RepeatRun(Model):
    """One pytest process of a job: its seed and what it reported."""

    seed: int
    exit_code: int | None
    outcome: ProcessOutcome
    reason: Text = ""
    collected: int = 0
    duration_s: float = 0.0
    start_s: float = 0.0
    order: tuple[Name, ...] = ()
    ran: tuple[Name, ...] = ()


class ServiceStart(Model):
    """A service a job ran with, and how long it took to become ready."""

    name: Id
    image: Name
    startup_s: float = Field(default=0.0, ge=0)


class EnvironmentUse(Model):
    """The environment image a job ran in: its tag, and whether this job built it."""

    tag: Name
    built: bool = False
    build_s: float = Field(default=0.0, ge=0)


class Override(Model):
    """An option seamq took out of a pytest command line (the project's addopts included)."""

    option: Name
    why: Name


class Conflict(Model):
    """A test that fails when others ran before it, narrowed down and proven."""

    victim: Name
    polluters: tuple[Name, ...] = ()
    proven: bool = False  # victim alone passes, polluter -> victim fails, victim -> polluter passes
    seed: int | None = None  # the validation process in which the victim first failed
    evidence: Text = ""
    message: Text = ""  # the victim's own failure message
    reproduce: Text = ""  # a plain pytest command that shows it, run from the project root


class JobResult(Message):
    """What a runner reports for a SeamJob or ValidationJob."""

    job_id: Id
    run_id: Id
    kind: JobKind
    phase: JobPhase = "execute"
    seam_id: Id | None = None
    batch_index: int = 0
    attempt: int = 1
    status: JobStatus
    reason: Text = ""
    tests: tuple[TestResult, ...] = ()
    repeats: tuple[RepeatRun, ...] = ()
    confirmations: tuple[RepeatRun, ...] = ()
    overridden: tuple[Override, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    collected: tuple[Name, ...] = ()
    services: tuple[ServiceStart, ...] = ()
    environment: EnvironmentUse | None = None
    coverage: SeamCoverage | None = None  # measured in one repeat of an execute job
    logs_tail: Text = ""
    generated_path: RelPath | None = None
    generated_content: FileContent | None = None
    scaffold: bool = False
    infrastructure: bool = False
    duration_s: float = 0.0
    sandbox: Name = ""
    sandbox_detail: Name = ""  # why this sandbox, and its image
    python: Name = ""
    pytest: Name = ""
    worker: Name = ""
