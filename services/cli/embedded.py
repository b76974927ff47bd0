"""Embedded mode: coordinator, auditor and runner in one process on one broker.

``seamq run`` hosts every row of the consumer table (``services.cli.wiring``) with the same
middleware as the separate services, submits one run and waits for its final report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.cli.middleware import Middleware
from services.cli.progress import Progress
from services.cli.wiring import SERVICES, Components, Host
from services.coordinator.service import CoordinatorService
from services.coordinator.store import RunStore
from services.runner.service import RunnerService, SandboxFor
from shared.brokers.base import Broker, Subscription
from shared.contract import RunEvent, RunReport, RunRequest
from shared.settings import Settings
from shared.topology import SUBMISSIONS_QUEUE, event_key


@dataclass
class Embedded:
    """Everything ``seamq run`` needs; ``run`` returns the final (or partial) report."""

    broker: Broker
    settings: Settings
    sandbox_for: SandboxFor
    middleware: Sequence[Middleware]
    concurrency: int
    progress: Progress | None = None
    seed: int | None = None

    def _components(self, store: RunStore) -> Components:
        cache_dir = Path(self.settings.cache_dir)
        return Components(
            coordinator=CoordinatorService(store, cache_dir, seed=self.seed),
            runner=RunnerService(self.sandbox_for, cache_dir,
                                 llm_base_url=self.settings.llm_base_url,
                                 llm_api_key=self.settings.llm_api_key.get_secret_value(),
                                 worker="embedded"),
        )

    async def run(self, request: RunRequest) -> RunReport:
        store = RunStore(Path(self.settings.state_dir) / "embedded.sqlite")
        components = self._components(store)
        coordinator = components.need_coordinator()
        host = Host(self.broker, self.middleware, self.concurrency)
        finished: asyncio.Future[RunReport] = asyncio.get_running_loop().create_future()

        async def on_event(event: RunEvent) -> None:
            if self.progress is not None:
                self.progress.on_event(event)
            if event.event == "finished" and event.report is not None and not finished.done():
                finished.set_result(event.report)

        events: Subscription | None = None
        await self.broker.start()
        try:
            events = await self.broker.subscribe_events(event_key(request.run_id, "#"), on_event)
            await host.start(SERVICES, components)
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
            await host.stop()
            if events is not None:
                await events.cancel()
            await self.broker.close()
            store.close()
