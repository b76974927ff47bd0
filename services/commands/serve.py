"""``seamq coordinator|runner|auditor``: long-running services against RabbitMQ."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

import structlog

from services.instrument import instrument
from shared.brokers import make_broker
from shared.brokers.base import Broker, Handler, Subscription
from shared.errors import UsageError
from shared.metrics import Metrics
from shared.settings import Settings
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE, RUNNER_QUEUE, SUBMISSIONS_QUEUE

log = structlog.get_logger("seamq.serve")


async def _handlers(args: argparse.Namespace, settings: Settings) -> list[tuple[str, Handler, int]]:
    if args.command == "coordinator":
        from services.coordinator.service import CoordinatorService
        from services.coordinator.store import RunStore

        service = CoordinatorService(RunStore(Path(args.state) / "coordinator.sqlite"),
                                     Path(settings.cache_dir))
        await service.resume()
        return [(SUBMISSIONS_QUEUE, service.on_submission, 1),
                (RESULTS_QUEUE, service.on_result, 1)]
    if args.command == "runner":
        from services.commands.run import SandboxPool
        from services.runner.service import RunnerService
        from shared.contract import ExecutionSpec

        pool = SandboxPool(lambda text: log.warning(text))

        def sandbox_for(spec: ExecutionSpec):  # type: ignore[no-untyped-def]
            # The runner's own --sandbox/--image win over what a job asks for.
            update = {"sandbox": args.sandbox}
            if args.image:
                update["image"] = args.image
            return pool(spec.model_copy(update=update))

        if args.sandbox in ("auto", "docker"):
            _reap()
        runner = RunnerService(sandbox_for, Path(settings.cache_dir),
                               llm_base_url=settings.llm_base_url,
                               llm_api_key=settings.llm_api_key.get_secret_value())
        return [(RUNNER_QUEUE, runner.handle, max(1, args.concurrency))]
    from services.embedded import audit_handler

    return [(AUDITOR_QUEUE, audit_handler, 4)]


def _reap() -> None:
    """Remove containers a crashed runner on this host left behind."""
    try:
        import docker

        from services.runner.reaper import reap

        reap(docker.from_env(timeout=5))
    except Exception as e:  # noqa: BLE001 - no engine here is fine for a local runner
        log.info("no leftover containers reaped", reason=str(e))


async def serve(args: argparse.Namespace, broker: Broker, metrics: Metrics) -> None:
    settings = Settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await broker.start()
    subscriptions: list[Subscription] = []
    try:
        for queue, handler, prefetch in await _handlers(args, settings):
            subscriptions.append(
                await broker.consume(queue, instrument(handler, metrics), prefetch=prefetch)
            )
        log.info("service ready", service=args.command)
        await stop.wait()
        log.info("stopping: in-flight messages go back to the queue", service=args.command)
    finally:
        for subscription in subscriptions:
            await subscription.cancel()
        await broker.close()


def serve_command(args: argparse.Namespace) -> int:
    if not args.broker.startswith(("amqp://", "amqps://")):
        raise UsageError("--broker: services need an amqp:// URL (the memory broker is "
                         "for `seamq run`)")
    broker = make_broker(args.broker)
    metrics = Metrics(service=args.command)
    server = metrics.serve(args.metrics_port) if args.metrics_port is not None else None
    try:
        asyncio.run(serve(args, broker, metrics))
    finally:
        if server is not None:
            server.close()
    return 0
