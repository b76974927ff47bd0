"""The one table of consumers: which service consumes which queue, with which handler.

Every way of hosting the services builds its consumers here: ``seamq run`` (all three
services in one process, on one broker) and ``seamq coordinator|runner|auditor`` (one
service per process) take the rows of the services they host and wrap every handler in the
same middleware list (``services.cli.middleware``), like arq's ``Worker(functions)``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from services.auditor.service import audit_handler
from services.cli.middleware import Middleware, apply_handler
from shared.brokers.base import Broker, Handler, Subscription
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE, RUNNER_QUEUE, SUBMISSIONS_QUEUE

if TYPE_CHECKING:
    from services.coordinator.service import CoordinatorService
    from services.runner.service import RunnerService

ServiceName = Literal["coordinator", "auditor", "runner"]
SERVICES: tuple[ServiceName, ...] = ("coordinator", "auditor", "runner")


@dataclass
class Components:
    """The service objects a host has built; each table row takes its handler from them."""

    coordinator: CoordinatorService | None = None
    runner: RunnerService | None = None

    def need_coordinator(self) -> CoordinatorService:
        if self.coordinator is None:
            raise RuntimeError("this host has no coordinator to consume with")
        return self.coordinator

    def need_runner(self) -> RunnerService:
        if self.runner is None:
            raise RuntimeError("this host has no runner to consume with")
        return self.runner


@dataclass(frozen=True)
class Consumer:
    """One row: ``service`` consumes ``queue`` with the handler ``handler`` picks."""

    service: ServiceName
    queue: str
    handler: Callable[[Components], Handler]
    # Messages in flight at once; None takes the host's concurrency (a runner's jobs).
    prefetch: int | None = 1


CONSUMERS: tuple[Consumer, ...] = (
    # One at a time: a run's state machine is never entered twice at once.
    Consumer("coordinator", SUBMISSIONS_QUEUE, lambda c: c.need_coordinator().on_submission),
    Consumer("coordinator", RESULTS_QUEUE, lambda c: c.need_coordinator().on_result),
    # Audits are pure and quick: a few in flight keep one auditor busy.
    Consumer("auditor", AUDITOR_QUEUE, lambda c: audit_handler, prefetch=4),
    Consumer("runner", RUNNER_QUEUE, lambda c: c.need_runner().handle, prefetch=None),
)


def consumers_of(services: Collection[ServiceName]) -> list[Consumer]:
    """The table's rows for the services one host runs, in table order."""
    return [row for row in CONSUMERS if row.service in services]


@dataclass
class Host:
    """The consumers of some services on one broker, every handler in the same middleware."""

    broker: Broker
    middleware: Sequence[Middleware]
    concurrency: int = 1
    subscriptions: list[Subscription] = field(default_factory=list)

    def handler(self, row: Consumer, components: Components) -> Handler:
        return apply_handler(row.handler(components), self.middleware, service=row.service,
                             queue=row.queue)

    async def start(self, services: Collection[ServiceName], components: Components) -> None:
        """Consume every queue of ``services`` (the broker must be started)."""
        for row in consumers_of(services):
            prefetch = row.prefetch if row.prefetch is not None else max(1, self.concurrency)
            self.subscriptions.append(await self.broker.consume(
                row.queue, self.handler(row, components), prefetch=prefetch))

    async def stop(self) -> None:
        """Stop consuming; what is in flight is finished or goes back to its queue."""
        while self.subscriptions:
            await self.subscriptions.pop().cancel()
