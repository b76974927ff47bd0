"""The consumer table and the middleware list: one place, the same in every way of hosting."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prometheus_client import CollectorRegistry

from services.cli.middleware import MetricsMiddleware, Middleware, Outlet, middleware_list
from services.cli.wiring import CONSUMERS, SERVICES, Components, Consumer, Host, consumers_of
from services.coordinator.service import CoordinatorService
from services.coordinator.store import RunStore
from services.runner.sandboxes.base import Sandbox
from services.runner.service import RunnerService
from shared.brokers.base import Handler, Outgoing, Subscription
from shared.brokers.memory import InMemoryBroker
from shared.contract import AuditReport, ExecutionSpec, Finding
from shared.metrics import Metrics
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE, RUNNER_QUEUE, SUBMISSIONS_QUEUE


class Recording:
    """A middleware that notes which handlers it wrapped."""

    def __init__(self) -> None:
        self.wrapped: list[Handler] = []

    def wrap(self, handler: Handler, *, service: str, queue: str) -> Handler:
        self.wrapped.append(handler)
        return handler

    def wrap_outlet(self, outlet: Outlet) -> Outlet:
        return outlet


class RecordingBroker(InMemoryBroker):
    """The memory broker, noting each consume call's queue and prefetch."""

    def __init__(self) -> None:
        super().__init__()
        self.consumed: dict[str, int] = {}

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        self.consumed[queue] = prefetch
        return await super().consume(queue, handler, prefetch=prefetch)


def test_every_queue_is_consumed_by_exactly_one_row() -> None:
    queues = [row.queue for row in CONSUMERS]

    assert sorted(queues) == sorted([SUBMISSIONS_QUEUE, RESULTS_QUEUE, AUDITOR_QUEUE,
                                     RUNNER_QUEUE])


def test_a_service_host_takes_only_its_own_rows() -> None:
    assert [row.queue for row in consumers_of(["coordinator"])] == [SUBMISSIONS_QUEUE,
                                                                    RESULTS_QUEUE]
    assert [row.queue for row in consumers_of(["runner"])] == [RUNNER_QUEUE]
    assert consumers_of(SERVICES) == list(CONSUMERS)


def test_both_hosts_get_the_same_middleware_list() -> None:
    metrics = Metrics(CollectorRegistry())

    embedded, service = middleware_list(metrics), middleware_list(metrics)

    assert [type(m) for m in embedded] == [type(m) for m in service] == [MetricsMiddleware]


async def test_host_wraps_every_consumer_and_gives_the_runner_its_concurrency(
    tmp_path: Path,
) -> None:
    broker = RecordingBroker()
    recording = Recording()
    middleware: Sequence[Middleware] = [recording]
    store = RunStore(tmp_path / "store.sqlite")
    components = Components(coordinator=CoordinatorService(store, tmp_path),
                            runner=_runner_stub())
    host = Host(broker, middleware, concurrency=5)
    await broker.start()
    try:
        await host.start(SERVICES, components)
    finally:
        await host.stop()
        await broker.close()
        store.close()

    assert len(recording.wrapped) == len(CONSUMERS)
    assert broker.consumed == {SUBMISSIONS_QUEUE: 1, RESULTS_QUEUE: 1, AUDITOR_QUEUE: 4,
                               RUNNER_QUEUE: 5}


def _runner_stub() -> RunnerService:
    def no_sandbox(spec: ExecutionSpec) -> Sandbox:
        raise AssertionError("no job runs in this test")

    return RunnerService(no_sandbox, Path("."))


async def test_metrics_middleware_observes_what_an_outlet_sends() -> None:
    metrics = Metrics(CollectorRegistry())
    sent: list[Outgoing] = []

    async def outlet(item: Outgoing) -> None:
        sent.append(item)

    finding = Finding(path="tests/test_a.py", rule="mock-usage", severity="error", message="m")
    report = AuditReport(job_id="j", run_id="r", seam_id="1", path="tests/test_a.py",
                         findings=(finding,))
    await MetricsMiddleware(metrics).wrap_outlet(outlet)(Outgoing(message=report, queue="q"))

    assert [item.message for item in sent] == [report]
    assert metrics.registry.get_sample_value(
        "seamq_audit_findings_total", {"rule": "mock-usage", "severity": "error"}) == 1


def test_rows_name_known_services() -> None:
    assert all(isinstance(row, Consumer) and row.service in SERVICES for row in CONSUMERS)
