"""What a run asks for and the work it hands out: the request, seam, validation and audit jobs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from shared.contract.base import FileContent, Id, Message, Model, Name, RelPath, Text
from shared.contract.coverage import CoverageSpec
from shared.contract.plan import Seam, TestPlan
from shared.contract.statuses import JobPhase, Priority, ValidationScope


class ProjectSource(Model):
    """Where runners find the project: a directory they can reach, or a git URL and ref."""

    kind: Literal["path", "git"] = "path"
    path: Annotated[str, StringConstraints(max_length=4_000)] = ""
    url: Annotated[str, StringConstraints(max_length=4_000)] = ""
    ref: Annotated[str, StringConstraints(max_length=200)] = "HEAD"


class ServiceSpec(Model):
    """A real service a seam's tests need (``[tool.seamq.services.<name>]``).

    Ready when ``ready_tcp`` accepts a connection or ``ready_cmd`` exits 0 inside the
    service (neither: when it is running), within ``ready_timeout_s``. ``tests_env`` values
    may say ``{host}``: the service's name on the job's private network.
    """

    name: Id
    image: Name
    command: tuple[Name, ...] = ()
    env: dict[str, Name] = Field(default_factory=dict)
    ready_cmd: tuple[Name, ...] = ()
    ready_tcp: int | None = Field(default=None, ge=1, le=65_535)
    ready_timeout_s: float = Field(default=30.0, gt=0, le=3_600)
    tests_env: dict[str, Name] = Field(default_factory=dict)
    tmpfs: tuple[Name, ...] = ()


class EnvironmentSpec(Model):
    """The project's dependencies as a cached image (``[tool.seamq.environment]``).

    Built from ``dependencies`` (files relative to the project; none: a lock file at its
    root — ``uv.lock``, ``poetry.lock``, ``pylock.toml`` — else ``requirements*.txt`` there,
    else pyproject's ``[project].dependencies`` with ``extras``) on ``base`` (none: the
    run's image), then ``setup`` run at build time without network.
    """

    base: Name = ""
    dependencies: tuple[RelPath, ...] = ()
    extras: tuple[Name, ...] = ()
    setup: Text = ""
    rebuild: bool = False


class ExecutionSpec(Model):
    """How runners execute tests."""

    sandbox: Literal["auto", "docker", "local"] = "auto"
    image: Name = ""
    timeout_s: float = Field(default=300.0, gt=0, le=86_400)
    repeats: int = Field(default=3, ge=1, le=100)
    # A test failing every repeat is run this many more times alone before it is "failed".
    confirm: int = Field(default=3, ge=0, le=20)
    env: dict[Name, Text] = Field(default_factory=dict)
    setup: Text = ""
    services: dict[Id, ServiceSpec] = Field(default_factory=dict)
    environment: EnvironmentSpec | None = None
    memory_mb: int = Field(default=2_048, ge=64)
    cpus: float = Field(default=1.0, gt=0)
    pids: int = Field(default=256, ge=16)
    coverage: CoverageSpec = CoverageSpec()


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


PlanText = Annotated[str, StringConstraints(min_length=1, max_length=10 * 1024 * 1024)]


class RunRequest(Message):
    """Submit a run: the plan, the project, and how to run it.

    The plan comes one of three ways: ``plan`` already parsed, ``plan_path`` (a file in the
    project, relative to its root) or ``plan_text`` (Markdown, read as if it were the file
    ``TEST_PLAN.md`` at the project root). The coordinator reads the last two with the one
    plan reader; a plan it cannot read ends the run ``rejected`` with ``PLAN:LINE``.
    """

    run_id: Id
    plan: TestPlan | None = None
    plan_path: RelPath | None = None
    plan_text: PlanText | None = None
    project: ProjectSource
    priorities: tuple[Priority, ...] = ()
    batch_size: int = Field(default=3, ge=1, le=100)
    execution: ExecutionSpec = ExecutionSpec()
    generator: GeneratorSpec = GeneratorSpec()
    policy: AuditPolicy = AuditPolicy()
    skip_validation: bool = False
    no_cache: bool = False  # prove every seam again, even unchanged ones
    recorded_durations: dict[Id, float] = Field(default_factory=dict)
    submitted_by: Name = ""

    @model_validator(mode="after")
    def _one_plan(self) -> RunRequest:
        given = [name for name in ("plan", "plan_path", "plan_text")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            said = ", ".join(given) if given else "none of them"
            raise ValueError("a RunRequest takes exactly one of plan (parsed), plan_path "
                             f"(relative to the project) or plan_text; got {said}")
        return self

    @property
    def parsed_plan(self) -> TestPlan:
        """The parsed plan; the coordinator reads ``plan_path``/``plan_text`` on submission."""
        if self.plan is None:
            raise ValueError(f"run {self.run_id}: the plan has not been read yet")
        return self.plan


class SeamJob(Message):
    """Runner work for one seam: generate its file, or execute it N times.

    ``baseline_files``: for a generated seam whose coverage is measured, the project's
    existing tests of the same component; the runner measures them too, once, so the
    coordinator can reject an attempt that adds no coverage over them."""

    job_id: Id
    run_id: Id
    seam: Seam
    phase: JobPhase = "execute"
    attempt: int = Field(default=1, ge=1)
    project: ProjectSource
    plan_path: RelPath
    execution: ExecutionSpec
    generator: GeneratorSpec = GeneratorSpec()
    policy: AuditPolicy = AuditPolicy()
    feedback: Text = ""
    overlay: dict[RelPath, FileContent] = Field(default_factory=dict)
    baseline_files: tuple[RelPath, ...] = Field(default=(), max_length=200)
    seed: int = 0
    deadline_s: float = Field(default=600.0, gt=0)


class ValidationJob(Message):
    """Runner work: run several seams' files together in random order (batch or suite)."""

    job_id: Id
    run_id: Id
    scope: ValidationScope
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
