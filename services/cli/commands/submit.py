"""``seamq submit``: publish a RunRequest; with ``--wait`` follow it like ``seamq run``."""

from __future__ import annotations

import argparse
import asyncio

from services.cli.options import broker_url, build_request
from services.cli.outputs import finish_run
from services.cli.progress import Progress
from shared.brokers import make_broker
from shared.contract import RunEvent, RunReport, RunRequest
from shared.errors import SeamqError, UsageError
from shared.settings import Settings
from shared.topology import SUBMISSIONS_QUEUE, event_key


async def _submit(url: str, prefix: str, request: RunRequest,
                  progress: Progress | None) -> RunReport | None:
    broker = make_broker(url, prefix=prefix)
    finished: asyncio.Future[RunReport] = asyncio.get_running_loop().create_future()

    async def on_event(event: RunEvent) -> None:
        if progress is not None:
            progress.on_event(event)
        if finished.done():
            return
        if event.event == "finished" and event.report is not None:
            finished.set_result(event.report)
        elif event.event == "rejected":
            finished.set_exception(SeamqError(f"the coordinator rejected run "
                                              f"{request.run_id}: {event.detail}"))

    await broker.start()
    try:
        subscription = None
        if progress is not None:
            # Subscribe before publishing so no event of the run is missed.
            subscription = await broker.subscribe_events(event_key(request.run_id, "#"), on_event)
        await broker.publish(SUBMISSIONS_QUEUE, request, message_id=request.run_id,
                             correlation_id=request.run_id)
        if progress is None:
            return None
        try:
            return await finished
        finally:
            if subscription is not None:
                await subscription.cancel()
    finally:
        await broker.close()


def submit_command(args: argparse.Namespace, settings: Settings) -> int:
    url = broker_url(args, settings)
    if not url.startswith(("amqp://", "amqps://")):
        raise UsageError("--broker: submit needs an amqp:// URL (or SEAMQ_BROKER_URL)")
    request = build_request(args)
    progress = Progress(request.parsed_plan.seams) if args.wait else None
    try:
        report = asyncio.run(_submit(url, settings.broker_prefix, request, progress))
    except KeyboardInterrupt:
        print(f"seamq: stopped following run {request.run_id}; it goes on in the fleet")
        return 2
    finally:
        if progress is not None:
            progress.close()
    if report is None:
        print(request.run_id)
        return 0
    return finish_run(report, request, out=args.out, write_back=args.write_back,
                      fmt=args.format)
