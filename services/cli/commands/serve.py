"""``seamq coordinator|runner|auditor``: long-running services against RabbitMQ.

Each waits for the broker, consumes its queues and serves ``/metrics`` and ``/healthz``
(200 while the broker connection is up) on ``--metrics-port``. SIGTERM or SIGINT stops it
gracefully: consuming stops, the messages in flight go back to their queue without costing
a delivery, and a runner then kills the test processes it had started, so it exits at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from services.instrument import instrument, observe
from shared.brokers import make_broker
from shared.brokers.amqp import AmqpBroker
from shared.brokers.base import Handler, Outgoing, Subscription
from shared.contract import ExecutionSpec
from shared.errors import BrokerError, UsageError
from shared.metrics import Metrics
from shared.settings import Settings
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE, RUNNER_QUEUE, SUBMISSIONS_QUEUE

log = structlog.get_logger("seamq.serve")

CONNECT_RETRY_S = 2.0


@dataclass
class Service:
    """What a service consumes, and what to release once consuming has stopped."""

    consumers: list[tuple[str, Handler, int]]
    release: Callable[[], None] = field(default=lambda: None)


async def _coordinator(args: argparse.Namespace, settings: Settings, broker: AmqpBroker,
                       metrics: Metrics) -> Service:
    from services.coordinator.service import CoordinatorService
    from services.coordinator.store import RunStore

    async def outlet(item: Outgoing) -> None:
        observe(metrics, item.message)
        await broker.send(item)

    store = RunStore(Path(args.state) / "coordinator.sqlite")
    service = CoordinatorService(store, Path(settings.cache_dir), outlet=outlet)
    await service.resume()
    return Service([(SUBMISSIONS_QUEUE, service.on_submission, 1),
                    (RESULTS_QUEUE, service.on_result, 1)], store.close)


async def _runner(args: argparse.Namespace, settings: Settings) -> Service:
    from services.cli.commands.run import SandboxPool
    from services.runner.sandboxes.base import Sandbox
    from services.runner.service import RunnerService

    pool = SandboxPool(lambda text: log.warning(text))

    def sandbox_for(spec: ExecutionSpec) -> Sandbox:
        # The runner's own --sandbox/--image win over what a job asks for.
        update = {"sandbox": args.sandbox}
        if args.image:
            update["image"] = args.image
        return pool(spec.model_copy(update=update))

    # Chosen now, so that a missing engine shows at start-up and a docker sandbox reaps
    # the containers a crashed runner on this host left behind.
    sandbox = await asyncio.to_thread(sandbox_for, ExecutionSpec())
    log.info("sandbox chosen", sandbox=sandbox.kind)

    runner = RunnerService(sandbox_for, Path(settings.cache_dir),
                           llm_base_url=settings.llm_base_url,
                           llm_api_key=settings.llm_api_key.get_secret_value())
    return Service([(RUNNER_QUEUE, runner.handle, max(1, args.concurrency))], pool.close)


async def _service(args: argparse.Namespace, settings: Settings, broker: AmqpBroker,
                   metrics: Metrics) -> Service:
    if args.command == "coordinator":
        return await _coordinator(args, settings, broker, metrics)
    if args.command == "runner":
        return await _runner(args, settings)
    from services.embedded import audit_handler

    return Service([(AUDITOR_QUEUE, audit_handler, 4)])


async def _connect(broker: AmqpBroker, stop: asyncio.Event) -> bool:
    """Start the broker, retrying while it is unreachable; False when stopped first."""
    while not stop.is_set():
        try:
            await broker.start()
            return True
        except BrokerError as e:
            log.warning("broker unreachable; retrying", error=str(e), retry_s=CONNECT_RETRY_S)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CONNECT_RETRY_S)
    return False


async def serve(args: argparse.Namespace, broker: AmqpBroker, metrics: Metrics) -> None:
    settings = Settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if not await _connect(broker, stop):
        return
    subscriptions: list[Subscription] = []
    service = Service([])
    try:
        service = await _service(args, settings, broker, metrics)
        for queue, handler, prefetch in service.consumers:
            subscriptions.append(
                await broker.consume(queue, instrument(handler, metrics), prefetch=prefetch)
            )
        log.info("service ready", service=args.command, prefix=broker.names.prefix)
        await stop.wait()
        log.info("stopping: in-flight messages go back to the queue", service=args.command)
    finally:
        for subscription in subscriptions:
            await subscription.cancel()
        service.release()
        await broker.close()
        log.info("service stopped", service=args.command)


def serve_command(args: argparse.Namespace) -> int:
    if not args.broker.startswith(("amqp://", "amqps://")):
        raise UsageError("--broker: services need an amqp:// URL (the memory broker is "
                         "for `seamq run`)")
    broker = make_broker(args.broker, prefix=Settings().broker_prefix)
    assert isinstance(broker, AmqpBroker)
    metrics = Metrics(service=args.command)
    server = None
    if args.metrics_port is not None:
        server = metrics.serve(args.metrics_port, is_healthy=lambda: broker.is_connected)
    try:
        asyncio.run(serve(args, broker, metrics))
    finally:
        if server is not None:
            server.close()
    return 0
