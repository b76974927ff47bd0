"""The runner service: consumes seam and validation jobs, returns their results."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog

from services.runner.generate import generate_seam
from services.runner.jobs import execute_seam, validate
from services.runner.sandbox import Sandbox
from shared.brokers.base import Delivery, Outgoing
from shared.contract import ExecutionSpec, JobResult, SeamJob, ValidationJob
from shared.errors import RejectMessage
from shared.topology import RESULTS_QUEUE

log = structlog.get_logger("seamq.runner")

SandboxFor = Callable[[ExecutionSpec], Sandbox]


class RunnerService:
    """Handles runner jobs in worker threads; the sandbox is chosen per execution spec."""

    def __init__(self, sandbox_for: SandboxFor, cache_dir: Path, *, llm_base_url: str = "",
                 llm_api_key: str = "", worker: str | None = None) -> None:
        self.sandbox_for = sandbox_for
        self.cache_dir = cache_dir
        self.llm_base_url = llm_base_url
        self.llm_api_key = llm_api_key
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"

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
        log.info("job started", kind=type(job).__name__, delivery_count=delivery.delivery_count)
        result = await asyncio.to_thread(self.run_job, job)
        log.info("job finished", status=result.status, reason=result.reason[:200],
                 duration_s=result.duration_s)
        return [Outgoing(message=result, queue=RESULTS_QUEUE)]
