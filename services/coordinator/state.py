"""The coordinator's record of a run: what each seam, batch and the suite have come to.

Plain mutable pydantic models, serialised whole into the store after every transition so a
restarted coordinator resumes where it stopped.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.contract import (
    Attempt,
    Conflict,
    Finding,
    JobResult,
    RunRequest,
    SeamStatus,
    TestResult,
    ValidationProgress,
)


class SeamState(BaseModel):
    id: str
    status: SeamStatus = "pending"
    reason: str = ""
    generate: bool = False
    attempt: int = 1
    feedback: str = ""
    content: str | None = None
    generated: bool = False
    job_id: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    result: JobResult | None = None
    attempt_log: list[Attempt] = Field(default_factory=list)
    infrastructure: bool = False
    started_at: float = 0.0
    finished_at: float = 0.0


class ValidationState(BaseModel):
    seams: list[str]
    status: ValidationProgress = "pending"
    detail: str = ""
    job_id: str | None = None
    seed: int | None = None
    collected: int = 0
    conflicts: list[Conflict] = Field(default_factory=list)
    victims: list[TestResult] = Field(default_factory=list)
    duration_s: float = 0.0


class CachedProof(BaseModel):
    """A stable proof an earlier run made, found again under an unchanged key."""

    run_id: str
    at: float
    commit: str = ""
    tests: list[TestResult] = Field(default_factory=list)

    def said(self) -> str:
        at = f" at commit {self.commit}" if self.commit else ""
        return f"cached (proven in run {self.run_id}{at})"


class RunState(BaseModel):
    request: RunRequest
    seams: dict[str, SeamState]
    order: list[str]
    batches: list[ValidationState]
    suite: ValidationState
    seed: int
    processed: list[str] = Field(default_factory=list)
    started_at: float = 0.0
    finished_at: float = 0.0
    interrupted: bool = False
    proof_keys: dict[str, str] = Field(default_factory=dict)  # seam id -> its proof's key
    cached: dict[str, CachedProof] = Field(default_factory=dict)
    suite_key: str = ""
    suite_cached: CachedProof | None = None
    commit: str = ""

    @property
    def run_id(self) -> str:
        return self.request.run_id

    @property
    def finished(self) -> bool:
        return self.finished_at > 0
