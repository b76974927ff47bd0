"""The runner service: consumes seam and validation jobs, returns their results."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog

from services.runner.execute import execute_seam, validate
from services.runner.generators.phase import generate_seam
from services.runner.result_size import fit_result
from services.runner.sandboxes.base import Sandbox
from shared.brokers.base import Delivery, Outgoing
from shared.contract import ExecutionSpec, JobResult, SeamJob, ValidationJob
from shared.errors import RejectMessage
from shared.topology import MAX_DELIVERIES, RESULTS_QUEUE

log = structlog.get_logger("seamq.runner")

SandboxFor = Callable[[ExecutionSpec], Sandbox]


class RunnerService:
    """Handles runner jobs in worker threads; the sandbox is chosen per execution spec."""

    def __init__(self, sandbox_for: SandboxFor, cache_dir: Path, *, llm_base_url: str = "",
                 llm_api_key: str = "", worker: str | None = None,
                 max_deliveries: int = MAX_DELIVERIES) -> None:
        self.sandbox_for = sandbox_for
        self.cache_dir = cache_dir
        self.llm_base_url = llm_base_url
        self.llm_api_key = llm_api_key
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.max_deliveries = max_deliveries

    def run_job(self, job: SeamJob | ValidationJob) -> JobResult:
        if isinstance(job, ValidationJob):
            return validate(job, self.sandbox_for(job.execution), self.cache_dir, self.worker)
        if job.phase == "generate":
            return generate_seam(job, self.cache_dir, self.worker,
                                 llm_base_url=self.llm_base_url, llm_api_key=self.llm_api_key)
        return execute_seam(job, self.sandbox_for(job.execution), self.cache_dir, self.worker)

    async def handle(self, delivery: Delivery) -> Sequence[Outgoing]:
        job = delivery.message
        if not isinstance(job, SeamJob | ValidationJob):
            raise RejectMessage(f"runners take SeamJob or ValidationJob, not {type(job).__name__}")
        if delivery.delivery_count >= self.max_deliveries:
            raise self._give_up(job, delivery.delivery_count)
        log.info("job started", kind=type(job).__name__, delivery_count=delivery.delivery_count)
        result = fit_result(await asyncio.to_thread(self.run_job, job))
        log.info("job finished", status=result.status, reason=result.reason[:200],
                 duration_s=result.duration_s)
        return [Outgoing(message=result, queue=RESULTS_QUEUE)]

    def _give_up(self, job: SeamJob | ValidationJob, count: int) -> RejectMessage:
        """A job that took down every runner it was given to: dead-letter it, and report it
        as an infrastructure error so that its run still finishes."""
        reason = (f"delivered {count} times: the {count - 1} runner(s) that took it died or "
                  "lost their broker connection before finishing it")
        if isinstance(job, ValidationJob):
            result = JobResult(job_id=job.job_id, run_id=job.run_id, kind=job.scope,
                               batch_index=job.batch_index, status="error", reason=reason,
                               infrastructure=True, worker=self.worker)
        else:
            result = JobResult(job_id=job.job_id, run_id=job.run_id, kind="seam",
                               phase=job.phase, seam_id=job.seam.id, attempt=job.attempt,
                               status="error", reason=reason, infrastructure=True,
                               worker=self.worker)
        log.error("job given up", reason=reason)
        return RejectMessage(reason, replies=[Outgoing(message=result, queue=RESULTS_QUEUE)])
