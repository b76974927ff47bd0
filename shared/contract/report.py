"""The run report, its typed summary, and the events that follow a run."""

from __future__ import annotations

from pydantic import Field

from shared.contract.base import FileContent, Id, Message, Model, Name, RelPath, Text
from shared.contract.coverage import RunCoverage, SeamCoverage
from shared.contract.plan import PlanWarning
from shared.contract.results import (
    Conflict,
    EnvironmentUse,
    Finding,
    Override,
    RepeatRun,
    ServiceStart,
    TestResult,
)
from shared.contract.statuses import (
    TERMINAL_STATUSES,
    TEST_OUTCOMES,
    AttemptPhase,
    PriorityLabel,
    RunEventKind,
    RunStatus,
    TerminalStatus,
    TestOutcome,
    ValidationStatus,
)


class Attempt(Model):
    number: int
    phase: AttemptPhase
    status: Name
    reason: Text = ""


class SeamReport(Model):
    id: Id
    title: Name
    priority: PriorityLabel
    status: TerminalStatus
    reason: Text = ""
    file: RelPath
    # From the plan, for the reader: what the seam covers, why it matters, when it passes.
    scope: Text = ""
    impact: Text = ""
    success_criteria: Text = ""
    attempts: int = 0
    generated: bool = False
    tests: tuple[TestResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    seeds: tuple[int, ...] = ()
    repeats: tuple[RepeatRun, ...] = ()
    confirmations: tuple[RepeatRun, ...] = ()
    overridden: tuple[Override, ...] = ()
    shared_with: tuple[Id, ...] = ()
    services: tuple[ServiceStart, ...] = ()
    environment: EnvironmentUse | None = None
    coverage: SeamCoverage | None = None
    duration_s: float = 0.0
    attempt_log: tuple[Attempt, ...] = ()
    logs_tail: Text = ""


class BatchReport(Model):
    seams: tuple[Id, ...]
    status: ValidationStatus
    detail: Text = ""
    seed: int | None = None
    conflicts: tuple[Conflict, ...] = ()
    # The tests that did not pass when the files ran together (file and line kept).
    victims: tuple[TestResult, ...] = Field(default=(), max_length=200)
    duration_s: float = 0.0


class CountCheck(Model):
    plan_seams: int
    files: int
    expected_tests: int | None
    collected_tests: int
    ok: bool
    detail: Text = ""


class SuiteReport(Model):
    status: ValidationStatus
    seed: int | None = None
    detail: Text = ""
    victims: tuple[TestResult, ...] = Field(default=(), max_length=200)
    duration_s: float = 0.0
    count_check: CountCheck | None = None
    conflicts: tuple[Conflict, ...] = ()


class RunSummary(Model):
    """Seams by status and tests by outcome (every key present, zeros included), and the
    run's duration. ``shared.status.summarize`` computes it; reports only show it."""

    seams: dict[TerminalStatus, int] = Field(
        default_factory=lambda: dict.fromkeys(TERMINAL_STATUSES, 0)
    )
    tests: dict[TestOutcome, int] = Field(default_factory=lambda: dict.fromkeys(TEST_OUTCOMES, 0))
    duration_s: float = 0.0


class RunEnvironment(Model):
    """Where the tests ran, as the runners saw it (one entry per distinct value)."""

    sandboxes: tuple[Name, ...] = ()
    python: tuple[Name, ...] = ()
    pytest: tuple[Name, ...] = ()


class RunReport(Message):
    run_id: Id
    status: RunStatus
    plan: RelPath
    summary: RunSummary
    cause: Text = ""  # one environmental cause that made every evaluated seam error
    environment: RunEnvironment = RunEnvironment()
    seams: tuple[SeamReport, ...]
    batches: tuple[BatchReport, ...] = ()
    suite: SuiteReport = SuiteReport(status="skipped")
    generated_files: dict[RelPath, FileContent] = Field(default_factory=dict)
    started_at: float = 0.0
    finished_at: float = 0.0
    warnings: tuple[PlanWarning, ...] = ()
    coverage: RunCoverage | None = None


class RunEvent(Message):
    """Published on ``seamq.events`` as ``run.<run_id>.<event>``."""

    run_id: Id
    event: RunEventKind
    seam_id: Id | None = None
    status: Name = ""
    detail: Text = ""
    at: float = 0.0
    report: RunReport | None = None
