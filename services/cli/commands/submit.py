"""``seamq submit``: publish a RunRequest; with ``--wait`` follow it like ``seamq run``.

Waiting is bounded and says what it waits for: a coordinator must accept the run within
``ACCEPT_TIMEOUT_S`` (else no coordinator is consuming the submissions queue), and the run
must finish within ``--wait-timeout``; either way the run id is printed so it can be
followed later.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from services.cli.options import broker_url, build_request
from services.cli.outputs import check_out_dir, finish_run, out_dir_for
from services.cli.progress import Progress
from shared.brokers import make_broker
from shared.contract import RunEvent, RunReport, RunRequest
from shared.errors import SeamqError, UsageError
from shared.settings import Settings
from shared.topology import SUBMISSIONS_QUEUE, event_key

ACCEPT_TIMEOUT_S = 60.0


async def _submit(url: str, prefix: str, request: RunRequest,
                  progress: Progress | None, wait_timeout_s: float = 3600.0) -> RunReport | None:
    broker = make_broker(url, prefix=prefix)
    finished: asyncio.Future[RunReport] = asyncio.get_running_loop().create_future()
    accepted = asyncio.Event()

    async def on_event(event: RunEvent) -> None:
        accepted.set()
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
            return await _follow(request.run_id, prefix, finished, accepted, wait_timeout_s)
        finally:
            if subscription is not None:
                await subscription.cancel()
    finally:
        await broker.close()


async def _follow(run_id: str, prefix: str, finished: asyncio.Future[RunReport],
                  accepted: asyncio.Event, wait_timeout_s: float) -> RunReport:
    """The run's report, or an error naming what did not happen in time."""
    print(f"seamq: run {run_id} submitted to {prefix}.submissions; waiting for a coordinator "
          f"to accept it", file=sys.stderr)
    try:
        await asyncio.wait_for(accepted.wait(), min(ACCEPT_TIMEOUT_S, wait_timeout_s))
    except TimeoutError:
        raise SeamqError(f"no coordinator accepted run {run_id} within "
                         f"{min(ACCEPT_TIMEOUT_S, wait_timeout_s):g} s: is `seamq coordinator` "
                         f"running against this broker and prefix ({prefix})?") from None
    try:
        return await asyncio.wait_for(asyncio.shield(finished), wait_timeout_s)
    except TimeoutError:
        raise SeamqError(f"run {run_id} did not finish within {wait_timeout_s:g} s "
                         "(--wait-timeout); it goes on in the fleet") from None


def submit_command(args: argparse.Namespace, settings: Settings) -> int:
    url = broker_url(args, settings)
    if not url.startswith(("amqp://", "amqps://")):
        raise UsageError("--broker: submit needs an amqp:// URL (or SEAMQ_BROKER_URL)")
    request = build_request(args)
    if args.wait:
        check_out_dir(out_dir_for(args.out, request.run_id))
    progress = Progress(request.parsed_plan.seams) if args.wait else None
    try:
        report = asyncio.run(_submit(url, settings.broker_prefix, request, progress,
                                     args.wait_timeout))
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
