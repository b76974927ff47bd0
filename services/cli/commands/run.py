"""``seamq run``: a plan end to end, embedded (all services in one process) on a broker.

The broker is in memory unless ``--broker`` (or ``SEAMQ_BROKER_URL``) names RabbitMQ; with
``--metrics-port`` the run exports the same Prometheus metrics as the separate services.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from services.cli.embedded import Embedded
from services.cli.middleware import middleware_list
from services.cli.options import broker_url, build_request
from services.cli.outputs import check_out_dir, finish_run, out_dir_for
from services.cli.progress import Progress
from services.runner.sandboxes.pool import SandboxPool
from shared.brokers import make_broker
from shared.contract import RunReport, RunRequest
from shared.metrics import Metrics
from shared.settings import Settings


async def _main(embedded: Embedded, request: RunRequest, pool: SandboxPool) -> RunReport:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def interrupt() -> None:
        pool.close()
        task.cancel()

    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, interrupt)
        loop.add_signal_handler(signal.SIGTERM, interrupt)
    try:
        return await embedded.run(request)
    finally:
        pool.close()


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    request = build_request(args)
    check_out_dir(out_dir_for(args.out, request.run_id))
    broker = make_broker(broker_url(args, settings), prefix=settings.broker_prefix)
    progress = Progress(request.parsed_plan.seams)
    pool = SandboxPool(progress.notice)
    # Choose the sandbox up front so an `auto` fallback or a missing engine shows at once.
    pool(request.execution)
    metrics = Metrics(service="embedded")
    embedded = Embedded(broker=broker, settings=settings, sandbox_for=pool,
                        middleware=middleware_list(metrics), concurrency=args.concurrency,
                        progress=progress, seed=args.seed)
    server = None
    if args.metrics_port is not None:
        # /healthz as for the services: 200 while an AMQP broker's connection is up.
        server = metrics.serve(args.metrics_port, host=args.metrics_host,
                               is_healthy=lambda: bool(getattr(broker, "is_connected", True))
                               and broker.liveness.healthy())
    try:
        report = asyncio.run(_main(embedded, request, pool))
    except (asyncio.CancelledError, KeyboardInterrupt):
        progress.close()
        print("seamq: interrupted before any report could be written", file=sys.stderr)
        return 2
    finally:
        progress.close()
        if server is not None:
            server.close()
    return finish_run(report, request, out=args.out, write_back=args.write_back,
                      fmt=args.format)
