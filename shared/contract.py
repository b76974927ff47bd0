"""The message contract: every model that crosses a process or queue boundary.

This module is the single source of truth. Every message carries ``schema_version``
("MAJOR.MINOR"); unknown fields are ignored within a major version (tolerant reader),
another major version is rejected with a clear reason. Sizes are bounded on everything
that arrives from outside.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from shared.errors import DecodeError

SCHEMA_MAJOR = 1
SCHEMA_VERSION = f"{SCHEMA_MAJOR}.0"
MAX_MESSAGE_BYTES = 16 * 1024 * 1024

Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(max_length=1_000)]
Text = Annotated[str, StringConstraints(max_length=200_000)]
FileContent = Annotated[str, StringConstraints(max_length=2_000_000)]
RelPath = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class Model(BaseModel):
    """Base of every contract model: strict, frozen, tolerant of unknown fields."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class Message(Model):
    """A model sent on its own through the broker; carries the schema version."""

    schema_version: Annotated[str, StringConstraints(max_length=20)] = SCHEMA_VERSION

    @field_validator("schema_version")
    @classmethod
    def _same_major(cls, value: str) -> str:
        major = value.split(".", 1)[0]
        if major != str(SCHEMA_MAJOR):
            raise ValueError(
                f"schema major version {major!r} is not supported (this is {SCHEMA_MAJOR})"
            )
        return value


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def rank(self) -> int:
        return int(self.value[1])


class SeamStatus(StrEnum):
    PENDING = "pending"
    GENERATING = "generating"
    AUDITING = "auditing"
    EXECUTING = "executing"
    PASSED = "passed"
    FAILED = "failed"
    FLAKY = "flaky"
    REJECTED = "rejected"
    MISSING = "missing"
    ERROR = "error"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {
        SeamStatus.PASSED,
        SeamStatus.FAILED,
        SeamStatus.FLAKY,
        SeamStatus.REJECTED,
        SeamStatus.MISSING,
        SeamStatus.ERROR,
    }
)

Outcome: TypeAlias = Literal["passed", "failed", "error", "skipped"]
TestOutcome: TypeAlias = Literal["passed", "failed", "error", "skipped", "flaky"]
Severity: TypeAlias = Literal["error", "warning", "info"]
OutputSource: TypeAlias = Literal["field", "body", "match", "convention"]


# --- the plan -------------------------------------------------------------------------


class PlanWarning(Model):
    line: int
    message: Name


class Seam(Model):
    """One seam of a plan, as the plan reader found it."""

    id: Id
    title: Name
    line: int = Field(ge=0)
    priority: Priority
    deferred: bool = False
    priority_source: Literal["seam", "section", "default"] = "seam"
    section: Name = ""
    scope: Text = ""
    impact: Text = ""
    strategy: Text = ""
    success_criteria: Text = ""
    risk: Text = ""
    notes: Text = ""
    output_file: RelPath
    output_source: OutputSource = "convention"
    expected_tests: int | None = Field(default=None, ge=0)
    depends_on: tuple[Id, ...] = ()
    services: tuple[Id, ...] = ()
    body: Text = ""

    @property
    def label(self) -> str:
        """The priority as reports show it: ``P0``..``P3`` or ``deferred``."""
        return "deferred" if self.deferred else self.priority.value


class TestPlan(Model):
    """A parsed plan. ``path`` and ``output_file`` paths are relative to the project root."""

    __test__ = False  # keep pytest from collecting this class

    path: RelPath
    title: Name = ""
    seams: tuple[Seam, ...] = Field(min_length=1, max_length=2_000)
    warnings: tuple[PlanWarning, ...] = ()


# --- what a run asks for ----------------------------------------------------------------


class ProjectSource(Model):
    """Where runners find the project: a directory they can reach, or a git URL and ref."""

    kind: Literal["path", "git"] = "path"
    path: Annotated[str, StringConstraints(max_length=4_000)] = ""
    url: Annotated[str, StringConstraints(max_length=4_000)] = ""
    ref: Annotated[str, StringConstraints(max_length=200)] = "HEAD"


class ServiceSpec(Model):
    """A real service a seam's tests need (``[tool.seamq.services.<name>]``)."""

    name: Id
    image: Name
    env: dict[str, Name] = Field(default_factory=dict)
    ready_cmd: tuple[Name, ...] = ()
    tests_env: dict[str, Name] = Field(default_factory=dict)


class ExecutionSpec(Model):
    """How runners execute tests."""

    sandbox: Literal["auto", "docker", "local"] = "auto"
    image: Name = ""
    timeout_s: float = Field(default=300.0, gt=0, le=86_400)
    repeats: int = Field(default=3, ge=1, le=100)
    env: dict[Name, Text] = Field(default_factory=dict)
    setup: Text = ""
    services: dict[Id, ServiceSpec] = Field(default_factory=dict)
    memory_mb: int = Field(default=2_048, ge=64)
    cpus: float = Field(default=1.0, gt=0)
    pids: int = Field(default=256, ge=16)


class GeneratorSpec(Model):
    """Which generator writes missing test files; ``kind='none'`` disables generation."""

    kind: Literal["none", "command", "openai", "scaffold"] = "none"
    target: Name = ""
    max_attempts: int = Field(default=3, ge=1, le=20)
    regenerate: bool = False
    timeout_s: float = Field(default=600.0, gt=0, le=86_400)
    brief_template: Text = ""


class AuditPolicy(Model):
    """Audit policy: per-rule severity ('error'|'warning'|'info'|'off') and rule options."""

    rules: dict[Id, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)
    options: dict[Id, Any] = Field(default_factory=dict)
    enabled: bool = True


class RunRequest(Message):
    """Submit a run: the parsed plan, the project, and how to run it."""

    run_id: Id
    plan: TestPlan
    project: ProjectSource
    priorities: tuple[Priority, ...] = ()
    batch_size: int = Field(default=3, ge=1, le=100)
    execution: ExecutionSpec = ExecutionSpec()
    generator: GeneratorSpec = GeneratorSpec()
    policy: AuditPolicy = AuditPolicy()
    skip_validation: bool = False
    recorded_durations: dict[Id, float] = Field(default_factory=dict)
    submitted_by: Name = ""


# --- runner and auditor work ----------------------------------------------------------


class SeamJob(Message):
    """Runner work for one seam: generate its file, or execute it N times."""

    job_id: Id
    run_id: Id
    seam: Seam
    phase: Literal["generate", "execute"] = "execute"
    attempt: int = Field(default=1, ge=1)
    project: ProjectSource
    plan_path: RelPath
    execution: ExecutionSpec
    generator: GeneratorSpec = GeneratorSpec()
    policy: AuditPolicy = AuditPolicy()
    feedback: Text = ""
    overlay: dict[RelPath, FileContent] = Field(default_factory=dict)
    seed: int = 0
    deadline_s: float = Field(default=600.0, gt=0)


class ValidationJob(Message):
    """Runner work: run several seams' files together in random order (batch or suite)."""

    job_id: Id
    run_id: Id
    scope: Literal["batch", "suite"]
    batch_index: int = Field(default=0, ge=0)
    seam_ids: tuple[Id, ...]
    files: tuple[RelPath, ...]
    project: ProjectSource
    execution: ExecutionSpec
    overlay: dict[RelPath, FileContent] = Field(default_factory=dict)
    seed: int = 0
    deadline_s: float = Field(default=600.0, gt=0)


class AuditJob(Message):
    """Auditor work: check one test file's content against the policy."""

    job_id: Id
    run_id: Id
    seam_id: Id
    path: RelPath
    content: FileContent
    conftests: dict[RelPath, FileContent] = Field(default_factory=dict)
    policy: AuditPolicy = AuditPolicy()
    attempt: int = Field(default=1, ge=1)


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


class RepeatRun(Model):
    """One pytest process of a job: its seed and what it reported."""

    seed: int
    exit_code: int | None
    outcome: Literal["passed", "failed", "error"]
    reason: Text = ""
    collected: int = 0
    duration_s: float = 0.0
    order: tuple[Name, ...] = ()


class JobResult(Message):
    """What a runner reports for a SeamJob or ValidationJob."""

    job_id: Id
    run_id: Id
    kind: Literal["seam", "batch", "suite"]
    phase: Literal["generate", "execute"] = "execute"
    seam_id: Id | None = None
    batch_index: int = 0
    attempt: int = 1
    status: Literal["passed", "failed", "flaky", "missing", "error", "generated", "isolated",
                    "conflict"]
    reason: Text = ""
    tests: tuple[TestResult, ...] = ()
    repeats: tuple[RepeatRun, ...] = ()
    collected: tuple[Name, ...] = ()
    logs_tail: Text = ""
    generated_path: RelPath | None = None
    generated_content: FileContent | None = None
    scaffold: bool = False
    infrastructure: bool = False
    duration_s: float = 0.0
    sandbox: Name = ""
    worker: Name = ""


class RunEvent(Message):
    """Published on ``seamq.events`` as ``run.<run_id>.<event>``."""

    run_id: Id
    event: Literal["accepted", "seam", "batch", "suite", "finished", "rejected"]
    seam_id: Id | None = None
    status: Name = ""
    detail: Text = ""
    at: float = 0.0
    report: RunReport | None = None


# --- the report -------------------------------------------------------------------------


class Attempt(Model):
    number: int
    phase: Literal["generate", "audit", "execute"]
    status: Name
    reason: Text = ""


class SeamReport(Model):
    id: Id
    title: Name
    priority: Literal["P0", "P1", "P2", "P3", "deferred"]
    status: Literal["passed", "failed", "flaky", "rejected", "missing", "error"]
    reason: Text = ""
    file: RelPath
    attempts: int = 0
    generated: bool = False
    tests: tuple[TestResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    seeds: tuple[int, ...] = ()
    duration_s: float = 0.0
    attempt_log: tuple[Attempt, ...] = ()
    logs_tail: Text = ""


class BatchReport(Model):
    seams: tuple[Id, ...]
    status: Literal["isolated", "conflict", "error", "skipped"]
    detail: Text = ""
    seed: int | None = None


class CountCheck(Model):
    plan_seams: int
    files: int
    expected_tests: int | None
    collected_tests: int
    ok: bool
    detail: Text = ""


class SuiteReport(Model):
    status: Literal["isolated", "conflict", "error", "skipped"]
    seed: int | None = None
    detail: Text = ""
    count_check: CountCheck | None = None


class RunReport(Message):
    run_id: Id
    status: Literal["passed", "failed", "interrupted", "error"]
    plan: RelPath
    summary: dict[str, Any]
    seams: tuple[SeamReport, ...]
    batches: tuple[BatchReport, ...] = ()
    suite: SuiteReport = SuiteReport(status="skipped")
    generated_files: dict[RelPath, FileContent] = Field(default_factory=dict)
    started_at: float = 0.0
    finished_at: float = 0.0
    warnings: tuple[PlanWarning, ...] = ()


RunEvent.model_rebuild()

MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.__name__: cls
    for cls in (RunRequest, SeamJob, ValidationJob, AuditJob, AuditReport, JobResult, RunEvent,
                RunReport)
}


def encode(message: Message) -> bytes:
    """Serialise a message for the wire (UTF-8 JSON)."""
    return message.model_dump_json().encode()


def decode(message_type: str | None, body: bytes) -> Message:
    """Parse and validate a body as the named message type; any failure is a DecodeError."""
    cls = MESSAGE_TYPES.get(message_type or "")
    if cls is None:
        raise DecodeError(f"unknown message type {message_type!r}")
    if len(body) > MAX_MESSAGE_BYTES:
        raise DecodeError(f"body of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DecodeError(f"body is not JSON: {e}") from e
    if not isinstance(data, dict):
        raise DecodeError("body is not a JSON object")
    try:
        return cls.model_validate_json(body)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise DecodeError(
            f"invalid {message_type}: {where}: {first['msg']} ({e.error_count()} error(s))"
        ) from e


def json_schemas() -> dict[str, Any]:
    """JSON Schema of every message type, keyed by model name."""
    return {name: cls.model_json_schema() for name, cls in MESSAGE_TYPES.items()}
