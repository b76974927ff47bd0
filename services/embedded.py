"""Embedded mode: coordinator, auditor and runner workers in one process on one broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.auditor.service import handle_audit_job
from services.cli.progress import Progress
from services.coordinator.service import CoordinatorService
from services.coordinator.store import RunStore
from services.runner.sandboxes.base import Sandbox
from services.runner.service import RunnerService
from shared.brokers.base import Broker, Delivery, Outgoing, Subscription
from shared.contract import AuditJob, ExecutionSpec, RunEvent, RunReport, RunRequest
from shared.errors import RejectMessage
from shared.topology import (
    AUDITOR_QUEUE,
    RESULTS_QUEUE,
    RUNNER_QUEUE,
    SUBMISSIONS_QUEUE,
    event_key,
)


async def audit_handler(delivery: Delivery) -> list[Outgoing]:
    job = delivery.message
    if not isinstance(job, AuditJob):
        raise RejectMessage(f"auditors take AuditJob, not {type(job).__name__}")
    return [Outgoing(message=await handle_audit_job(job), queue=RESULTS_QUEUE)]


@dataclass
class Embedded:
    """Everything ``seamq run`` needs; ``run`` returns the final (or partial) report."""

    broker: Broker
    store_path: Path
    cache_dir: Path
    concurrency: int
    sandbox_for: Callable[[ExecutionSpec], Sandbox]
    progress: Progress | None = None
    llm_base_url: str = ""
    llm_api_key: str = ""
    seed: int | None = None

    async def run(self, request: RunRequest) -> RunReport:
        store = RunStore(self.store_path)
        coordinator = CoordinatorService(store, self.cache_dir, seed=self.seed)
        runner = RunnerService(self.sandbox_for, self.cache_dir, llm_base_url=self.llm_base_url,
                               llm_api_key=self.llm_api_key, worker="embedded")
        finished: asyncio.Future[RunReport] = asyncio.get_running_loop().create_future()

        async def on_event(event: RunEvent) -> None:
            if self.progress is not None:
                self.progress.on_event(event)
            if event.event == "finished" and event.report is not None and not finished.done():
                finished.set_result(event.report)

        subscriptions: list[Subscription] = []
        await self.broker.start()
        try:
            subscriptions.append(
                await self.broker.subscribe_events(event_key(request.run_id, "#"), on_event)
            )
            subscriptions += [
                await self.broker.consume(SUBMISSIONS_QUEUE, coordinator.on_submission),
                await self.broker.consume(RESULTS_QUEUE, coordinator.on_result),
                await self.broker.consume(AUDITOR_QUEUE, audit_handler),
                await self.broker.consume(RUNNER_QUEUE, runner.handle, prefetch=self.concurrency),
            ]
            await self.broker.publish(SUBMISSIONS_QUEUE, request, correlation_id=request.run_id)
            try:
                return await asyncio.shield(finished)
            except asyncio.CancelledError:
                event = coordinator.interrupt(request.run_id)
                if event is not None and isinstance(event.message, RunEvent):
                    report = event.message.report
                    if report is not None:
                        return report
                raise
        finally:
            for subscription in reversed(subscriptions):
                await subscription.cancel()
            await self.broker.close()
            store.close()
