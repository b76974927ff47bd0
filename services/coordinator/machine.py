"""The run state machine: seam pipelines, batch and suite validation, the count check.

``pending -> generating (file missing and a generator set) -> auditing -> executing ->
passed | failed | flaky | rejected | missing | error``. A generated test that fails its
audit, its runs or a coverage gate (the minimum, or no gain over the existing tests) goes
back to the generator with feedback, up to ``max_attempts``. Handlers return the messages
to publish (the caller persists state first); ``shared.status`` says what a result means.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from services.coordinator.cache import cached_result
from services.coordinator.coverage_gate import coverage_rejection
from services.coordinator.jobs import (
    audit_feedback,
    audit_job,
    failure_feedback,
    seam_job,
    start_validation,
)
from services.coordinator.project_files import conftests_for, read_file
from services.coordinator.report_builder import build_report
from services.coordinator.sharing import sharing_file, sharing_run
from services.coordinator.state import RunState, SeamState, ValidationState
from services.coordinator.validation import derive_batches
from shared.brokers.base import Outgoing
from shared.contract import (
    Attempt,
    AttemptPhase,
    AuditReport,
    JobPhase,
    JobResult,
    RunEvent,
    RunEventKind,
    RunReport,
    RunRequest,
    TerminalStatus,
    ValidationScope,
    is_terminal,
)
from shared.status import audit_rejection, seam_status, validation_status
from shared.status.attribution import shared_verdict
from shared.topology import AUDITOR_QUEUE, RUNNER_QUEUE, event_key, priority_for


class RunMachine:
    """Drives one run; ``project_dir`` is where the coordinator reads the project's files."""

    def __init__(self, state: RunState, project_dir: Path, clock: Callable[[], float] = time.time):
        self.state = state
        self.project_dir = project_dir
        self.clock = clock
        self.seams = {s.id: s for s in state.request.parsed_plan.seams}

    @property
    def request(self) -> RunRequest:
        return self.state.request

    def _event(self, event: RunEventKind, *, seam_id: str | None = None, status: str = "",
               detail: str = "", report: RunReport | None = None) -> Outgoing:
        message = RunEvent(run_id=self.state.run_id, event=event, at=self.clock(),
                           seam_id=seam_id, status=status, detail=detail, report=report)
        return Outgoing(message=message, topic=event_key(self.state.run_id, event))

    def _seam_event(self, seam: SeamState) -> Outgoing:
        return self._event("seam", seam_id=seam.id, status=seam.status, detail=seam.reason)

    def start(self) -> list[Outgoing]:
        """Decide each seam's first step; publish the jobs whose dependencies are met."""
        out = [self._event("accepted", detail=f"{len(self.state.order)} seam(s) selected")]
        if not self.state.started_at:
            self.state.started_at = self.clock()
        generator = self.request.generator
        for seam_id in self.state.order:
            seam = self.state.seams[seam_id]
            if seam.status != "pending":
                continue
            spec = self.seams[seam_id]
            exists = (self.project_dir / spec.output_file).is_file()
            cached = cached_result(self.state, seam_id) if exists else None
            if cached is not None:
                seam.result = cached
                self._finish(seam, "passed", cached.reason)
                out.append(self._seam_event(seam))
            elif (not exists or generator.regenerate) and generator.kind != "none":
                seam.generate = True
            elif not exists:
                reason = (f"test file {spec.output_file} does not exist and no generator "
                          "is set (--generator)")
                self._finish(seam, "missing", reason)
                out.append(self._seam_event(seam))
        out += self._dispatch_ready()
        out += self._advance_validation()
        return out

    def _dependencies_done(self, seam_id: str) -> bool:
        return all(
            is_terminal(self.state.seams[d].status)
            for d in self.seams[seam_id].depends_on
            if d in self.state.seams
        )

    def _dispatch_ready(self) -> list[Outgoing]:
        out: list[Outgoing] = []
        for seam_id in self.state.order:
            seam = self.state.seams[seam_id]
            if seam.status == "pending" and self._dependencies_done(seam_id):
                seam.started_at = self.clock()
                out += self._generate(seam) if seam.generate else self._audit(seam)
        return out

    def _priority(self, seam_id: str) -> int:
        return priority_for(self.seams[seam_id].priority.rank)

    def _job_id(self, seam: SeamState, phase: str) -> str:
        return f"{self.state.run_id}.{seam.id}.{phase}.{seam.attempt}"

    def _seam_job(self, seam: SeamState, phase: JobPhase) -> list[Outgoing]:
        seam.job_id = job_id = self._job_id(seam, phase)
        job = seam_job(self.state, self.seams[seam.id], seam, phase, job_id, self.project_dir)
        return [Outgoing(message=job, queue=RUNNER_QUEUE, priority=self._priority(seam.id)),
                self._seam_event(seam)]

    def _generate(self, seam: SeamState) -> list[Outgoing]:
        seam.status = "generating"
        return self._seam_job(seam, "generate")

    def _audit(self, seam: SeamState) -> list[Outgoing]:
        spec = self.seams[seam.id]
        content = seam.content
        if content is None:
            content = read_file(self.project_dir, spec.output_file)
        if not self.request.policy.enabled or content is None:
            return self._execute(seam)
        seam.status = "auditing"
        seam.job_id = job_id = self._job_id(seam, "audit")
        job = audit_job(self.state, spec, seam, job_id, content,
                        conftests_for(self.project_dir, spec.output_file))
        return [Outgoing(message=job, queue=AUDITOR_QUEUE, priority=self._priority(seam.id)),
                self._seam_event(seam)]

    def _execute(self, seam: SeamState) -> list[Outgoing]:
        """Run the seam's file, unless a seam sharing it already runs it (once per proof)."""
        seam.status = "executing"
        partner = sharing_run(self.state, self.seams, seam)
        if partner is None:
            return self._seam_job(seam, "execute")
        if partner.status == "executing":
            seam.job_id = partner.job_id
            return [self._seam_event(seam)]
        assert partner.result is not None
        return self._apply(seam, partner.result)

    def _apply(self, seam: SeamState, result: JobResult) -> list[Outgoing]:
        """Judge one seam on an execute result (its own tests only, in a shared file)."""
        sharing = sharing_file(self.state, self.seams, seam)
        seam.infrastructure = result.infrastructure
        status, reason = seam_status(result), result.reason
        if len(sharing) > 1:
            verdict = shared_verdict(result, seam.id, sharing)
            status, reason = verdict.status, verdict.reason
            result = result.model_copy(update={"tests": verdict.tests})
        seam.result = result
        gate = coverage_rejection(self.request.execution.coverage, self.seams[seam.id], result,
                                  status, generated=seam.generated)
        if gate is not None:
            seam.findings += gate.findings
            status, reason = "rejected", gate.reason
        self._log(seam, "execute", status, reason)
        if status == "passed":
            self._finish(seam, "passed")
            return [self._seam_event(seam)]
        return self._retry_or_finish(seam, status, reason,
                                     gate.feedback if gate else failure_feedback(result))

    def _finish(self, seam: SeamState, status: TerminalStatus, reason: str = "") -> None:
        seam.status, seam.reason, seam.job_id, seam.finished_at = (status, reason, None,
                                                                   self.clock())

    def _log(self, seam: SeamState, phase: AttemptPhase, status: str, reason: str = "") -> None:
        seam.attempt_log.append(Attempt(number=seam.attempt, phase=phase, status=status,
                                        reason=reason[:2_000]))

    def _retry_or_finish(self, seam: SeamState, status: TerminalStatus, reason: str,
                         feedback: str) -> list[Outgoing]:
        """A generated test failed a gate: regenerate with feedback while attempts remain."""
        if seam.generate and seam.attempt < self.request.generator.max_attempts:
            seam.attempt += 1
            seam.feedback = feedback
            seam.content = None
            return self._generate(seam)
        self._finish(seam, status, reason)
        return [self._seam_event(seam)]

    def _accept(self, job_id: str) -> bool:
        """Idempotency: a job's result counts once."""
        fresh = job_id not in self.state.processed
        self.state.processed += [job_id] if fresh else []
        return fresh

    def on_audit(self, report: AuditReport) -> list[Outgoing]:
        seam = self.state.seams.get(report.seam_id)
        if seam is None or seam.job_id != report.job_id or not self._accept(report.job_id):
            return []
        seam.findings = list(report.findings)
        reason = audit_rejection(report)
        if reason:
            self._log(seam, "audit", "rejected", reason)
            out = self._retry_or_finish(seam, "rejected", reason, audit_feedback(report))
        else:
            self._log(seam, "audit", "passed")
            out = self._execute(seam)
        return out + self._after_terminal()

    def on_result(self, result: JobResult) -> list[Outgoing]:
        if result.kind in ("batch", "suite"):
            return self._on_validation(result)
        waiting = [s for s in self.state.seams.values()
                   if s.job_id == result.job_id and s.status in ("generating", "executing")]
        if not waiting or not self._accept(result.job_id):
            return []
        if result.phase == "generate":
            return self._on_generated(waiting[0], result) + self._after_terminal()
        out: list[Outgoing] = []
        for seam in waiting:
            out += self._apply(seam, result)
        return out + self._after_terminal()

    def _on_generated(self, seam: SeamState, result: JobResult) -> list[Outgoing]:
        if result.status != "generated" or result.generated_content is None:
            reason = result.reason or "generator produced nothing"
            self._log(seam, "generate", "failed", reason)
            return self._retry_or_finish(seam, "error", f"generation failed: {reason}",
                                         f"The previous attempt failed: {reason}")
        seam.content = result.generated_content
        seam.generated = True
        if result.scaffold:
            self._log(seam, "generate", "scaffold", "scaffold only")
            self._finish(seam, "rejected", "scaffold only")
            return [self._seam_event(seam)]
        self._log(seam, "generate", "generated")
        return self._audit(seam)

    def _after_terminal(self) -> list[Outgoing]:
        return self._dispatch_ready() + self._advance_validation()

    def _start_validation(self, v: ValidationState, scope: ValidationScope,
                          index: int) -> list[Outgoing]:
        """Send the batch's (or suite's) job, or say it was skipped."""
        job = start_validation(self.state, self.seams, v, scope, index)
        if job is None:
            return [self._event(scope, status=v.status, detail=v.detail)]
        return [Outgoing(message=job, queue=RUNNER_QUEUE, priority=priority_for(0))]

    def _advance_validation(self) -> list[Outgoing]:
        """Once every seam is terminal, one suite job proves G3 for all passed files; the
        batches' verdicts are derived from it (N + 2 executions of each file in all)."""
        out: list[Outgoing] = []
        all_done = all(is_terminal(s.status) for s in self.state.seams.values())
        if all_done and self.state.suite.status == "pending":
            out += self._start_validation(self.state.suite, "suite", len(self.state.batches))
            if self.state.suite.job_id is None:  # nothing to run together: skipped
                out += self._derive_batches(None)
        if self.state.suite.status not in ("pending", "running") and not self.state.finished:
            self.state.finished_at = self.clock()
            out.append(self._finished_event())
        return out

    def _derive_batches(self, suite: JobResult | None) -> list[Outgoing]:
        derive_batches(self.state, self.seams, suite)
        return [self._event("batch", status=b.status, detail=b.detail)
                for b in self.state.batches]

    def _on_validation(self, result: JobResult) -> list[Outgoing]:
        suite = self.state.suite
        if (result.kind != "suite" or suite.job_id != result.job_id
                or not self._accept(result.job_id)):
            return []
        suite.status = validation_status(result)
        suite.detail, suite.collected = result.reason, len(result.collected)
        suite.conflicts = list(result.conflicts)
        suite.victims = [t for t in result.tests if t.outcome != "passed"][:200]
        suite.duration_s = result.duration_s
        out = self._derive_batches(result)
        out.append(self._event("suite", status=suite.status, detail=suite.detail))
        return out + self._advance_validation()

    def _finished_event(self) -> Outgoing:
        report = build_report(self.state)
        return self._event("finished", status=report.status, report=report)

    def interrupt(self) -> Outgoing:
        """Mark the run interrupted (Ctrl-C / shutdown) and return the partial report event."""
        self.state.interrupted = True
        self.state.finished_at = self.clock()
        return self._finished_event()
