"""``seamq coordinator|runner|auditor``: one long-running service against RabbitMQ.

Each waits for the broker, consumes its rows of the consumer table (``services.cli.wiring``)
and serves ``/metrics`` and ``/healthz`` (200 while the broker connection is up and no
consumer is stuck on one message or dead) on
``--metrics-port``. SIGTERM or SIGINT stops it gracefully: consuming stops, the messages in
flight go back to their queue without costing a delivery, and a runner then kills the test
processes it had started, so it exits at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import structlog

from services.cli.middleware import Middleware, apply_outlet, middleware_list
from services.cli.options import broker_url
from services.cli.wiring import Components, Host, ServiceName
from shared.brokers import make_broker
from shared.brokers.amqp import AmqpBroker
from shared.contract import ExecutionSpec
from shared.errors import BrokerError, UsageError
from shared.metrics import Metrics
from shared.settings import Settings

log = structlog.get_logger("seamq.serve")

CONNECT_RETRY_S = 2.0


@dataclass
class Built:
    """A service's components, and what to release once consuming has stopped."""

    components: Components
    release: Callable[[], None] = field(default=lambda: None)


async def _coordinator(args: argparse.Namespace, settings: Settings, broker: AmqpBroker,
                       middleware: Sequence[Middleware]) -> Built:
    from services.coordinator.service import CoordinatorService
    from services.coordinator.store import RunStore

    store = RunStore(Path(args.state) / "coordinator.sqlite")
    # What the coordinator sends itself (its outbox) passes the same middleware as what
    # handlers return.
    service = CoordinatorService(store, Path(settings.cache_dir),
                                 outlet=apply_outlet(broker.send, middleware))
    await service.resume()
    return Built(Components(coordinator=service), store.close)


async def _runner(args: argparse.Namespace, settings: Settings) -> Built:
    from services.runner.sandboxes.base import Sandbox
    from services.runner.sandboxes.pool import SandboxPool
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
    return Built(Components(runner=runner), pool.close)


async def _build(args: argparse.Namespace, settings: Settings, broker: AmqpBroker,
                 middleware: Sequence[Middleware]) -> Built:
    if args.command == "coordinator":
        return await _coordinator(args, settings, broker, middleware)
    if args.command == "runner":
        return await _runner(args, settings)
    return Built(Components())


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


async def serve(args: argparse.Namespace, settings: Settings, broker: AmqpBroker,
                metrics: Metrics) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if not await _connect(broker, stop):
        return
    middleware = middleware_list(metrics)
    host = Host(broker, middleware, concurrency=getattr(args, "concurrency", 1))
    built = Built(Components())
    try:
        built = await _build(args, settings, broker, middleware)
        await host.start([cast(ServiceName, args.command)], built.components)
        log.info("service ready", service=args.command, prefix=broker.names.prefix)
        await stop.wait()
        log.info("stopping: in-flight messages go back to the queue", service=args.command)
    finally:
        await host.stop()
        built.release()
        await broker.close()
        log.info("service stopped", service=args.command)


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    url = broker_url(args, settings)
    if not url.startswith(("amqp://", "amqps://")):
        raise UsageError("--broker: services need an amqp:// URL (the memory broker is "
                         "for `seamq run`); set --broker or SEAMQ_BROKER_URL")
    broker = make_broker(url, prefix=settings.broker_prefix)
    assert isinstance(broker, AmqpBroker)
    metrics = Metrics(service=args.command)
    server = None
    if args.metrics_port is not None:
        server = metrics.serve(
            args.metrics_port, host=args.metrics_host,
            is_healthy=lambda: broker.is_connected and broker.liveness.healthy(),
        )
    try:
        asyncio.run(serve(args, settings, broker, metrics))
    finally:
        if server is not None:
            server.close()
    return 0
